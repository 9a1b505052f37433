import { LandmarkInfo } from '@locus/protocol';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { readJsonFile } from '../files.js';

/**
 * The landmarks of a --trust file (the landmarks you hold a proof or a peer to), or a coded error
 * (exit 2). `locus proof verify` and `locus landmark calibrate` read the same form.
 */
export function trustedLandmarks(path: string): readonly LandmarkInfo[] {
  const json = readJsonFile(path, 'trusted landmarks');
  // Checked against the form it takes, so that the problem named is that form's.
  const t = Array.isArray(json) ? z.array(LandmarkInfo).safeParse(json) : z.strictObject({ landmarks: z.array(LandmarkInfo) }).transform((o) => o.landmarks).safeParse(json);
  if (t.success) return t.data;
  const issue = t.error.issues[0]!;
  throw new CliError(
    'LOCUS_ERR_INPUT_VALUE',
    `${path}: not a list of landmarks (${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message})`,
    'A --trust file is a JSON array of landmarks {id, name, country, lat, lon, publicKey}, or {"landmarks": [...]}, as GET /api/v1/landmarks gives.',
  );
}
