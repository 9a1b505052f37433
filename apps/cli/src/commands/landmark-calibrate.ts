import { degrees } from '@locus/geo';
import { checkPeer, type CalibrationCheck } from '@locus/landmark';
import { startResponder, type Responder } from '@locus/responder';
import type { LandmarkInfo, SignedMeasurement, SigningKey } from '@locus/protocol';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { keyOption } from './landmark-options.js';
import { TIMING_EXAMPLE, WEBSOCKET, numberOption, requireOption, urlOption } from './options.js';

const NAME = 'locus landmark calibrate';

export const HELP = `Usage: ${NAME} --key FILE --lat DEG --lon DEG --peer URL [--peer URL ...] [--timeout-s S]

Checks this landmark's place against other landmarks. It connects to each peer's timing
endpoint as a host, lets the peer measure it, and compares the RTT with the least that light
in vacuum allows between the two registered places. An RTT below that bound means one of
the two landmarks is not where it says (misplaced, or lying).

Options:
  --key FILE      this landmark's key file
  --lat DEG       this landmark's registered latitude
  --lon DEG       this landmark's registered longitude
  --peer URL      a peer's timing endpoint, e.g. ws://peer.example:7443/v1/timing (repeatable)
  --timeout-s S   how long to wait for each peer's measurement (default 30)
  -h, --help      show this help

Exit codes: 0 every peer consistent; 1 a peer too fast or not measured; 2 bad input.
`;

interface Outcome {
  readonly url: string;
  readonly check?: CalibrationCheck;
  readonly error?: string;
}

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
    peer: { type: 'string', multiple: true },
    'timeout-s': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  const lat = numberOption(NAME, 'lat', v.lat, -90, 90, 'degrees');
  const lon = numberOption(NAME, 'lon', v.lon, -180, 180, 'degrees');
  const timeoutS = numberOption(NAME, 'timeout-s', v['timeout-s'] ?? '30', 1, 3600, 'seconds');
  const peers = v.peer ?? [];
  if (peers.length === 0) requireOption(NAME, 'peer', undefined, 'URL');
  for (const url of peers) urlOption(NAME, 'peer', url, WEBSOCKET, TIMING_EXAMPLE);
  const key = keyOption(NAME, v.key);
  const self = { lat: degrees(lat), lon: degrees(lon) };
  const outcomes: Outcome[] = await Promise.all(
    peers.map((url) =>
      measureBy(url, key, timeoutS * 1000).then(
        ({ landmark, signed }) => ({ url, check: checkPeer(self, landmark, signed.measurement) }),
        (error: Error) => ({ url, error: error.message }),
      ),
    ),
  );
  const lines = outcomes.map((o) => {
    if (!o.check) return `no answer   ${o.url}: ${o.error}`;
    const c = o.check;
    const what = `${c.peer.id} (${c.peer.country}, ${c.peer.lat}, ${c.peer.lon}): ${c.distanceKm.toFixed(0)} km, min RTT ${c.minRttMs.toFixed(3)} ms, vacuum bound ${c.vacuumBoundMs.toFixed(3)} ms, ${(100 * c.fractionOfC).toFixed(0)}% of c`;
    return `${c.consistent ? 'consistent ' : 'TOO FAST   '} ${what}${c.consistent ? '' : ' — one of the two landmarks is not where it says'}`;
  });
  io.stdout(`${lines.join('\n')}\n`);
  return outcomes.every((o) => o.check?.consistent) ? 0 : 1;
}
