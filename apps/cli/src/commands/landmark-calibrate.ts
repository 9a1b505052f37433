import { degrees, type LatLon } from '@locus/geo';
import { checkPeer, peerPlace, type CalibrationCheck } from '@locus/landmark';
import { startResponder, type Responder } from '@locus/responder';
import { CALIBRATION_SOFTWARE, type LandmarkInfo, type SignedMeasurement, type SigningKey } from '@locus/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { keyOption } from './landmark-options.js';
import { TIMING_EXAMPLE, WEBSOCKET, numberOption, requireOption, urlOption } from './options.js';
import { trustedLandmarks } from './trust-option.js';

const NAME = 'locus landmark calibrate';

export const HELP = `Usage: ${NAME} --key FILE [--lat DEG --lon DEG] [--trust FILE] --peer URL [--peer URL ...] [--timeout-s S]

Checks this landmark's place against other landmarks. It connects to each peer's timing
endpoint as a host, lets the peer measure it, and compares the RTT with the least that light
in vacuum allows between the two places. An RTT below that bound means one of the two
landmarks is not where it says (misplaced, or lying). Its hello says it calibrates: a peer of
this release or later answers the measurement but does not deliver it to its server (a
landmark is no node), so calibrating before this landmark is registered leaves the peers'
status as it was.

A peer's place is the one --trust lists for its key (the places the server registered), or
without --trust the place it signs into its measurement, which the server holds it to; never
the place it greets with, which is unsigned (a line notes when that one differs). With
--trust, a peer whose key the list does not give it is reported UNTRUSTED.

Options:
  --key FILE      this landmark's key file
  --lat DEG       this landmark's registered latitude (read from --trust when it lists this key)
  --lon DEG       this landmark's registered longitude (likewise)
  --trust FILE    the landmarks you trust: a JSON array of {id, name, country, lat, lon,
                  publicKey}, or {"landmarks": [...]}, as GET /api/v1/landmarks gives
  --peer URL      a peer's timing endpoint, e.g. ws://peer.example:7443/v1/timing (repeatable)
  --timeout-s S   how long to wait for each peer's measurement (default 30)
  -h, --help      show this help

Exit codes: 0 every peer consistent; 1 a peer too fast, untrusted, not measured or this landmark
itself (its own key); 2 bad input.
`;

interface Outcome {
  readonly url: string;
  readonly check?: CalibrationCheck;
  /** The place the peer greeted with, where it differs from the one checked. */
  readonly greetedAt?: LatLon;
  /** Why --trust does not hold the peer to a place: then it is not checked. */
  readonly untrusted?: { readonly peer: LandmarkInfo; readonly why: string };
  /** The peer answered with this landmark's own key: it is this landmark (or a copy of its key), not a peer. */
  readonly itself?: LandmarkInfo;
  readonly error?: string;
}

/**
 * This landmark's place: --lat and --lon, or the place --trust lists for its key; both given,
 * they must agree (the check would otherwise hold peers to a place the server does not).
 */
function ownPlace(lat: number | undefined, lon: number | undefined, publicKey: string, trusted: readonly LandmarkInfo[] | undefined, trustPath: string | undefined): LatLon {
  const listed = trusted?.find((t) => t.publicKey === publicKey);
  if (lat === undefined && lon === undefined) {
    if (listed) return { lat: degrees(listed.lat), lon: degrees(listed.lon) };
    if (trusted) {
      throw new CliError('LOCUS_ERR_CLI_USAGE', `${NAME}: --trust ${trustPath} does not list this landmark's key, so --lat and --lon are needed`, 'Give its registered place with --lat DEG --lon DEG, or a --trust file that lists it.');
    }
  }
  if (lat === undefined) requireOption(NAME, 'lat', undefined, 'DEG');
  if (lon === undefined) requireOption(NAME, 'lon', undefined, 'DEG');
  const self = { lat: degrees(lat!), lon: degrees(lon!) };
  if (listed && (listed.lat !== self.lat || listed.lon !== self.lon)) {
    throw new CliError(
      'LOCUS_ERR_CLI_USAGE',
      `${NAME}: --lat ${self.lat} --lon ${self.lon} is not the place --trust ${trustPath} lists for this landmark's key (${listed.id}: ${listed.lat}, ${listed.lon})`,
      'Leave out --lat and --lon to use the listed place.',
    );
  }
  return self;
}

const samePlace = (a: LatLon, b: { readonly lat: number; readonly lon: number }): boolean => a.lat === b.lat && a.lon === b.lon;

function measureBy(url: string, key: SigningKey, timeoutMs: number): Promise<{ landmark: LandmarkInfo; signed: SignedMeasurement }> {
  return new Promise((resolve, reject) => {
    let responder: Responder | undefined = undefined;
    let refused = '';
    let lastTry = '';
    const timer = setTimeout(() => {
      void responder?.close();
      reject(new Error(refused || `no measurement within ${timeoutMs / 1000} s${lastTry && ` (last try: ${lastTry})`}`));
    }, timeoutMs);
    responder = startResponder({
      url,
      key,
      // The peer answers the measurement but keeps it from its server: a landmark is no node.
      software: CALIBRATION_SOFTWARE,
      backoff: { initialMs: 200, maxMs: 2_000 },
      onEvent: (e) => {
        if (e.kind === 'refused') refused = `${e.code}: ${e.message}`;
        if (e.kind === 'disconnected' && e.why) lastTry = e.why;
        if (e.kind !== 'measured') return;
        clearTimeout(timer);
        void responder!.close();
        resolve({ landmark: e.landmark, signed: e.signed });
      },
    });
  });
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, {
    key: { type: 'string' },
    lat: { type: 'string' },
    lon: { type: 'string' },
    trust: { type: 'string' },
    peer: { type: 'string', multiple: true },
    'timeout-s': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const lat = v.lat === undefined ? undefined : numberOption(NAME, 'lat', v.lat, -90, 90, 'degrees');
  const lon = v.lon === undefined ? undefined : numberOption(NAME, 'lon', v.lon, -180, 180, 'degrees');
  const timeoutS = numberOption(NAME, 'timeout-s', v['timeout-s'] ?? '30', 1, 3600, 'seconds');
  const peers = v.peer ?? [];
  if (peers.length === 0) requireOption(NAME, 'peer', undefined, 'URL');
  for (const url of peers) urlOption(NAME, 'peer', url, WEBSOCKET, TIMING_EXAMPLE);
  const key = keyOption(NAME, v.key);
  const trusted = v.trust === undefined ? undefined : trustedLandmarks(v.trust);
  const self = ownPlace(lat, lon, key.publicKey, trusted, v.trust);
  const outcomes: Outcome[] = await Promise.all(
    peers.map((url) =>
      measureBy(url, key, timeoutS * 1000).then(
        ({ landmark, signed }): Outcome => {
          if (landmark.publicKey === key.publicKey) return { url, itself: landmark };
          const place = peerPlace(landmark, signed.measurement, trusted);
          if ('untrusted' in place) return { url, untrusted: { peer: landmark, why: place.untrusted } };
          const check = checkPeer(self, landmark, place.at, signed.measurement);
          return { url, check, ...(samePlace(place.at, landmark) ? {} : { greetedAt: { lat: degrees(landmark.lat), lon: degrees(landmark.lon) } }) };
        },
        (error: Error) => ({ url, error: error.message }),
      ),
    ),
  );
  const lines = outcomes.map((o) => {
    if (o.untrusted) return `UNTRUSTED   ${o.untrusted.peer.id} (key ${o.untrusted.peer.publicKey}) at ${o.url}: ${o.untrusted.why}`;
    if (o.itself) return `ITSELF      ${o.itself.id} at ${o.url} answers with this landmark's own key: it is this landmark, or another with a copy of its key, not a peer; nothing checked`;
    if (!o.check) return `no answer   ${o.url}: ${o.error}`;
    const c = o.check;
    const what = `${c.peer.id} (${c.peer.country}, ${c.peerAt.lat}, ${c.peerAt.lon}): ${c.distanceKm.toFixed(0)} km, min RTT ${c.minRttMs.toFixed(3)} ms, vacuum bound ${c.vacuumBoundMs.toFixed(3)} ms, ${(100 * c.fractionOfC).toFixed(0)}% of c`;
    const greeted = o.greetedAt ? `; it greeted as at ${o.greetedAt.lat}, ${o.greetedAt.lon}, not the place ${trusted ? 'trusted' : 'it signs'}` : '';
    return `${c.consistent ? 'consistent ' : 'TOO FAST   '} ${what}${c.consistent ? '' : ' — one of the two landmarks is not where it says'}${greeted}`;
  });
  io.stdout(`${lines.join('\n')}\n`);
  return outcomes.every((o) => o.check?.consistent) ? 0 : 1;
}
