import { angleBetween, capAngleForDistance, fromLatLon, isCountryCode, degrees, maxDistanceKm, ms, SPEED_OF_LIGHT_VACUUM, type CountryCode, type Degrees, type Ms } from '@locus/geo';
import { CliError } from '../errors.js';
import { parseDecimal } from '../decimal.js';
import { parseCsv, type CsvRow } from './csv.js';

export interface Landmark {
  readonly id: string;
  readonly name: string;
  readonly country: CountryCode;
  readonly lat: Degrees;
  readonly lon: Degrees;
}

export interface Target {
  readonly id: string;
  /** Minimum RTT per landmark id. */
  readonly rtts: ReadonlyMap<string, Ms>;
  /** The line of its first row, for messages about it. */
  readonly line?: number;
}

const badValue = (file: string, row: CsvRow, message: string, hint?: string): CliError =>
  new CliError('LOCUS_ERR_INPUT_VALUE', `${file} line ${row.line}: ${message}`, hint);

function requireText(file: string, row: CsvRow, column: string): string {
  const value = row.get(column);
  if (value === '') throw badValue(file, row, `"${column}" is empty`);
  return value;
}

function numberIn(file: string, row: CsvRow, column: string, min: number, max: number, unit: string): number {
  const text = row.get(column);
  const n = parseDecimal(text);
  if (n === undefined || n < min || n > max) {
    throw badValue(file, row, `${column} "${text}" must be a number of ${unit} from ${min} to ${max}`);
  }
  return n;
}

/** An ISO 3166-1 alpha-2 code from a field or option; case-insensitive. */
export function countryCodeOf(text: string): CountryCode | undefined {
  const code = text.trim().toUpperCase();
  return isCountryCode(code) ? code : undefined;
}

function countryIn(file: string, row: CsvRow, column: string): CountryCode {
  const text = requireText(file, row, column);
  const code = countryCodeOf(text);
  if (!code) throw badValue(file, row, `unknown country code "${text}"`, 'Use ISO 3166-1 alpha-2 codes such as US, DE, SG (XK for Kosovo).');
  return code;
}

/** Landmarks file: `id,name,country,lat,lon`. */
export function parseLandmarks(file: string, text: string): ReadonlyMap<string, Landmark> {
  const rows = parseCsv(file, text, ['id', 'name', 'country', 'lat', 'lon']);
  if (rows.length === 0) throw new CliError('LOCUS_ERR_INPUT_EMPTY', `${file}: no landmarks after the header`);
  const out = new Map<string, Landmark>();
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const id = requireText(file, row, 'id');
    if (out.has(id)) {
      throw new CliError('LOCUS_ERR_INPUT_CONFLICT', `${file} line ${row.line}: landmark id "${id}" is already defined on line ${firstLine.get(id)}`);
    }
    out.set(id, {
      id,
      name: row.get('name'),
      country: countryIn(file, row, 'country'),
      lat: degrees(numberIn(file, row, 'lat', -90, 90, 'degrees')),
      lon: degrees(numberIn(file, row, 'lon', -180, 180, 'degrees')),
    });
    firstLine.set(id, row.line);
  }
  return out;
}

/** RTTs file: `target,landmark,rtt_ms`; several rows per pair keep the minimum. Targets in first-seen order. */
export function parseRtts(file: string, text: string, landmarks: ReadonlyMap<string, unknown>, landmarksFile: string): Target[] {
  const rows = parseCsv(file, text, ['target', 'landmark', 'rtt_ms']);
  if (rows.length === 0) throw new CliError('LOCUS_ERR_INPUT_EMPTY', `${file}: no RTTs after the header`);
  const targets = new Map<string, Map<string, Ms>>();
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const target = requireText(file, row, 'target');
    const landmark = requireText(file, row, 'landmark');
    if (!landmarks.has(landmark)) {
      throw new CliError('LOCUS_ERR_INPUT_REFERENCE', `${file} line ${row.line}: landmark "${landmark}" is not in ${landmarksFile}`, 'Every landmark id in the RTTs file must have a row in the landmarks file.');
    }
    const rttText = row.get('rtt_ms');
    const rtt = parseDecimal(rttText);
    if (rtt === undefined || rtt < 0) {
      throw badValue(file, row, `rtt_ms "${rttText}" must be a non-negative number of milliseconds`);
    }
    let rtts = targets.get(target);
    if (!rtts) {
      targets.set(target, (rtts = new Map()));
      firstLine.set(target, row.line);
    }
    rtts.set(landmark, ms(Math.min(rtts.get(landmark) ?? Infinity, rtt)));
  }
  return [...targets].map(([id, rtts]) => ({ id, rtts, line: firstLine.get(id)! }));
}

/** Claims file: `target,country`. A target may appear twice only with the same country. */
export function parseClaims(file: string, text: string): ReadonlyMap<string, { country: CountryCode; line: number }> {
  const out = new Map<string, { country: CountryCode; line: number }>();
  for (const row of parseCsv(file, text, ['target', 'country'])) {
    const target = requireText(file, row, 'target');
    const country = countryIn(file, row, 'country');
    const earlier = out.get(target);
    if (earlier && earlier.country !== country) {
      throw new CliError('LOCUS_ERR_INPUT_CONFLICT', `${file} line ${row.line}: target "${target}" claims ${country} but line ${earlier.line} claims ${earlier.country}`);
    }
    if (!earlier) out.set(target, { country, line: row.line });
  }
  return out;
}

export interface LandmarkPair {
  readonly a: string;
  readonly b: string;
  readonly rtt: Ms;
}

/**
 * Whether an RTT between two places is shorter than light in vacuum allows: no network beats
 * it, so the row is wrong (a landmark's position, or a mislabelled row). Judged with the caps
 * the verdicts use (capAngleForDistance), which err towards allowing.
 */
function fasterThanLight(a: Pick<Landmark, 'lat' | 'lon'>, b: Pick<Landmark, 'lat' | 'lon'>, rtt: Ms): boolean {
  return angleBetween(fromLatLon(a.lat, a.lon), fromLatLon(b.lat, b.lon)) > capAngleForDistance(a.lat, maxDistanceKm(rtt, 'vacuum'));
}

/**
 * Landmark-to-landmark RTTs: `a,b,rtt_ms`, both ids in the landmarks file; several rows per pair
 * keep the minimum. An RTT shorter than light in vacuum allows between the two is refused.
 */
export function parseLandmarkRtts(file: string, text: string, landmarks: ReadonlyMap<string, Pick<Landmark, 'lat' | 'lon'>>, landmarksFile: string): LandmarkPair[] {
  const rows = parseCsv(file, text, ['a', 'b', 'rtt_ms']);
  if (rows.length === 0) throw new CliError('LOCUS_ERR_INPUT_EMPTY', `${file}: no RTTs after the header`);
  const pairs = new Map<string, LandmarkPair>();
  for (const row of rows) {
    const [a, b] = [requireText(file, row, 'a'), requireText(file, row, 'b')];
    for (const id of [a, b]) {
      if (!landmarks.has(id)) {
        throw new CliError('LOCUS_ERR_INPUT_REFERENCE', `${file} line ${row.line}: landmark "${id}" is not in ${landmarksFile}`, 'Every landmark id in the RTTs file must have a row in the landmarks file.');
      }
    }
    if (a === b) throw badValue(file, row, `a landmark cannot be paired with itself ("${a}")`);
    const rttText = row.get('rtt_ms');
    const rtt = parseDecimal(rttText);
    if (rtt === undefined || rtt < 0) throw badValue(file, row, `rtt_ms "${rttText}" must be a non-negative number of milliseconds`);
    const [at, bt] = [landmarks.get(a)!, landmarks.get(b)!];
    if (fasterThanLight(at, bt, ms(rtt))) {
      const apart = (angleBetween(fromLatLon(at.lat, at.lon), fromLatLon(bt.lat, bt.lon)) * 6371).toFixed(0);
      throw badValue(file, row, `${a}–${b} in ${rtt} ms is faster than light in vacuum over the ~${apart} km between them (at least ${((2 * Number(apart)) / SPEED_OF_LIGHT_VACUUM).toFixed(2)} ms)`, `Check both landmarks' positions in ${landmarksFile}, and that the row names the pair it measured.`);
    }
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const earlier = pairs.get(key);
    if (!earlier || rtt < earlier.rtt) pairs.set(key, { a, b, rtt: ms(rtt) });
  }
  return [...pairs.values()];
}

export interface PlaceToCover {
  readonly id: string;
  readonly lat: Degrees;
  readonly lon: Degrees;
  readonly country: CountryCode | null;
}

/** Hosts or zones to cover: `id,lat,lon[,country]`, at their listed positions. */
export function parseHosts(file: string, text: string): ReadonlyMap<string, PlaceToCover> {
  const rows = parseCsv(file, text, ['id', 'lat', 'lon'], ['country']);
  if (rows.length === 0) throw new CliError('LOCUS_ERR_INPUT_EMPTY', `${file}: no hosts after the header`);
  const out = new Map<string, PlaceToCover>();
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const id = requireText(file, row, 'id');
    if (out.has(id)) throw new CliError('LOCUS_ERR_INPUT_CONFLICT', `${file} line ${row.line}: host id "${id}" is already defined on line ${firstLine.get(id)}`);
    out.set(id, {
      id,
      lat: degrees(numberIn(file, row, 'lat', -90, 90, 'degrees')),
      lon: degrees(numberIn(file, row, 'lon', -180, 180, 'degrees')),
      country: row.get('country') === '' ? null : countryIn(file, row, 'country'),
    });
    firstLine.set(id, row.line);
  }
  return out;
}
