import { DEFAULT_BORDER_MARGIN, parseSpeedModel, type SpeedModel } from '@locus/geo';
import { usageError } from '../errors.js';
import { parseDecimal } from '../decimal.js';
import { numberOption } from './options.js';

/** --margin-km, and --quantile (which needs --landmark-rtts to fit on), as geo plan and geo coverage take them. */
export function modelOptions(command: string, v: { readonly 'margin-km'?: string | undefined; readonly quantile?: string | undefined; readonly 'landmark-rtts'?: string | undefined }): { margin: number; quantile: number | undefined } {
  const margin = v['margin-km'] === undefined ? DEFAULT_BORDER_MARGIN : numberOption(command, 'margin-km', v['margin-km'], 0, 1000, 'km');
  const quantile = v.quantile === undefined ? undefined : parseDecimal(v.quantile);
  if (v.quantile !== undefined && (quantile === undefined || quantile <= 0 || quantile >= 1)) throw usageError(`${command}: --quantile must be a number between 0 and 1, got "${v.quantile}"`);
  if (quantile !== undefined && v['landmark-rtts'] === undefined) throw usageError(`${command}: --quantile needs --landmark-rtts FILE to fit on`);
  return { margin, quantile };
}

/** A speed model from --speed (vacuum, fiber or km/ms), else `fallback`. */
export function speedOption(command: string, text: string | undefined, fallback = 'vacuum'): SpeedModel {
  const speed = parseSpeedModel(text ?? fallback);
  if (typeof speed === 'object') throw usageError(`${command}: --speed: ${speed.error}`, `Run \`${command} --help\` for the options.`);
  return speed;
}
