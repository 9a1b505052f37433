/**
 * Looks along a restricted country's coast for waters it may hold that the border data and the
 * overlay areas leave out (packages/geo/src/world/coast-probe.ts): points at sea inside the hull
 * of its land nearby where a region still proves it absent. A step of the overlay review
 * (docs/geo.md, "Reviewing the overlay areas").
 *
 *   npm run probe:coasts -- --country RU --box 52,67,130,-169 [--step 0.1] [--segment-km 100] [--json]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_RESTRICTED, isCountryCode, probeCoast, type CountryCode } from '@locus/geo';
import { naturalEarthWorld } from '@locus/geo/natural-earth';

const HELP = `Usage: npm run probe:coasts -- --country CC --box SOUTH,NORTH,WEST,EAST [options]

Looks for waters a country may hold that Locus's outlines leave out: points at sea inside the
hull of the country's land within --segment-km (where a straight baseline between two points
of it could run) where a region around the point still proves the country absent. Each line
is a candidate, not a finding of law: check it against the country's published baselines and
its neighbours' waters before drawing an overlay area (docs/geo.md).

Options:
  --country CC        the country, an ISO 3166-1 alpha-2 code (required; restricted by
                      default: ${DEFAULT_RESTRICTED.join(', ')})
  --box S,N,W,E       the box to probe, in degrees; W > E crosses the antimeridian
  --step DEG          grid step at sea, 0.01 to 1 (default 0.1)
  --segment-km KM     longest baseline looked for, 10 to 500 (default 100)
  --json              one JSON object per line instead of text
  -h, --help          show this help

Output: lat, lon, the largest region (km) that still proves the country absent, the widest
empty angle around the point (under 180°: inside the hull), and "other land near" when another
country's land lies within --segment-km (the waters may be that country's). Exit status 0.
`;

function fail(message: string): never {
  process.stderr.write(`probe:coasts: ${message}\nRun with --help for usage.\n`);
  process.exit(2);
}

function numberIn(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

function parseBox(text: string | undefined): { south: number; north: number; west: number; east: number } {
  if (text === undefined) fail('missing --box SOUTH,NORTH,WEST,EAST');
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) fail(`--box must be four numbers SOUTH,NORTH,WEST,EAST, not ${JSON.stringify(text)}`);
  const [south, north, west, east] = parts as [number, number, number, number];
  if (south < -90 || north > 90 || south >= north) fail(`--box latitudes must satisfy -90 <= SOUTH < NORTH <= 90, not ${south},${north}`);
  if (Math.abs(west) > 180 || Math.abs(east) > 180 || west === east) fail(`--box longitudes must be two different values from -180 to 180, not ${west},${east}`);
  return { south, north, west, east };
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      country: { type: 'string' },
      box: { type: 'string' },
      step: { type: 'string' },
      'segment-km': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const country = (values.country ?? fail('missing --country CC')).toUpperCase();
if (!isCountryCode(country)) fail(`--country must be an ISO 3166-1 alpha-2 code, not ${JSON.stringify(values.country)}`);
const box = parseBox(values.box);
const stepDeg = numberIn('step', values.step, 0.1, 0.01, 1);
const segmentKm = numberIn('segment-km', values['segment-km'], 100, 10, 500);

const started = performance.now();
const hits = probeCoast(naturalEarthWorld(), {
  country: country as CountryCode,
  ...box,
  stepDeg,
  segmentKm,
  onRow: (done, rows) => {
    if (done % 10 === 0 || done === rows) process.stderr.write(`\rprobe:coasts: ${done}/${rows} rows`);
  },
});
process.stderr.write(`\rprobe:coasts: ${hits.length} point(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
for (const h of hits) {
  if (values.json) process.stdout.write(`${JSON.stringify(h)}\n`);
  else process.stdout.write(`${h.lat.toFixed(2)},${h.lon.toFixed(2)}  largest ${Math.floor(h.largestExcludedKm)} km  gap ${Math.round(h.gapDeg)}°${h.otherLandNear ? '  other land near' : ''}\n`);
}
