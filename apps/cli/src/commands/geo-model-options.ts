import { DEFAULT_BORDER_MARGIN } from '@locus/geo';
import { usageError } from '../errors.js';
import { parseDecimal } from '../geo/csv.js';

/** --margin-km, and --quantile (which needs --landmark-rtts to fit on), as geo plan and geo coverage take them. */
export function modelOptions(command: string, v: { readonly 'margin-km'?: string | undefined; readonly quantile?: string | undefined; readonly 'landmark-rtts'?: string | undefined }): { margin: number; quantile: number | undefined } {
  const margin = v['margin-km'] === undefined ? DEFAULT_BORDER_MARGIN : parseDecimal(v['margin-km']);
  if (margin === undefined || margin < 0 || margin > 1000) throw usageError(`${command}: --margin-km must be a number of km from 0 to 1000, got "${v['margin-km']}"`);
  const quantile = v.quantile === undefined ? undefined : parseDecimal(v.quantile);
  if (v.quantile !== undefined && (quantile === undefined || quantile <= 0 || quantile >= 1)) throw usageError(`${command}: --quantile must be a number between 0 and 1, got "${v.quantile}"`);
  if (quantile !== undefined && v['landmark-rtts'] === undefined) throw usageError(`${command}: --quantile needs --landmark-rtts FILE to fit on`);
  return { margin, quantile };
}
