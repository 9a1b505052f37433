import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type LandmarkInfo, type ProtocolErrorCode, type SignedMeasurement } from '@locus/protocol';
import { DEFAULT_MEASURE_CONFIG, TIMING_PATH, type LandmarkEnv, type MeasureConfig } from './config.js';
import { HostSession } from './host-session.js';

export interface LandmarkServerOptions {
  readonly info: LandmarkInfo;
  readonly key: KeyObject;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly config?: Partial<MeasureConfig>;
  readonly env?: Partial<LandmarkEnv>;
  /** `calibration`: of a landmark calibrating against this one, answered to it but no node's, so not for the server. */
  readonly onMeasurement?: (signed: SignedMeasurement, from: { readonly calibration: boolean }) => void;
  readonly onProblem?: (code: ProtocolErrorCode, message: string, hostKey: string | undefined) => void;
}

export interface LandmarkServer {
  readonly url: string;
  readonly port: number;
  /** Hosts connected and past their hello. */
  hosts(): string[];
  /** Measures every connected host (or one) now; resolves to how many were started. */
  measureNow(hostKey?: string): number;
  close(): Promise<void>;
}

export const realEnv = (): LandmarkEnv => ({
  now: () => new Date(),
  monotonicNs: () => process.hrtime.bigint(),
  randomBytes: (n) => randomBytes(n),
  random: Math.random,
});

function describe(res: ServerResponse, info: LandmarkInfo, req: IncomingMessage): void {
  if (req.method === 'GET' && (req.url === '/' || req.url === '/v1/landmark')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: PROTOCOL_VERSION, landmark: info, timing: TIMING_PATH }));
  } else if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (req.url === TIMING_PATH || req.url?.startsWith(`${TIMING_PATH}?`)) {
    // A plain request to the timing path (a browser, curl): say what it takes.
    res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket', connection: 'Upgrade' }).end(JSON.stringify({ statusCode: 426, code: 'LOCUS_ERR_PROTO_SEQUENCE', error: 'Upgrade Required', message: `${TIMING_PATH} is the timing protocol's WebSocket: hosts connect with ws:// (locus agent run --landmark ws://HOST:PORT${TIMING_PATH}); GET /v1/landmark says who and where this landmark is` }));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, code: 'LOCUS_ERR_NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url}` }));
  }
}

const BUSY_REPORT_EVERY_MS = 60_000;

/**
 * Serves the timing protocol: hosts open a WebSocket to `TIMING_PATH`, say hello with their
 * key, and are measured every `measureEveryMs`. Also answers `GET /v1/landmark` (who and
 * where this landmark is) and `GET /healthz`.
 */
export async function startLandmarkServer(options: LandmarkServerOptions): Promise<LandmarkServer> {
  const config: MeasureConfig = { ...DEFAULT_MEASURE_CONFIG, ...options.config };
  const env: LandmarkEnv = { ...realEnv(), ...options.env };
  const http = createServer((req, res) => describe(res, options.info, req));
  // Compression would add latency to every round; frames are tiny.
  const wss = new WebSocketServer({ server: http, path: TIMING_PATH, perMessageDeflate: false, maxPayload: 4096 });
  // The server's own errors (a port in use) reach the caller through listen's rejection; ws
  // re-emits them on the WebSocketServer, where nobody else listens.
  wss.on('error', () => {});
  const sessions = new Set<HostSession>();
  // Hosts refused at the limit retry with backoff; a line a minute tells the operator without a line per host.
  let refused = 0;
  let refusedReportedAt = -Infinity;

  wss.on('connection', (ws: WebSocket) => {
    if (sessions.size >= config.maxConnections) {
      ws.send(JSON.stringify({ type: 'error', v: PROTOCOL_VERSION, code: 'LOCUS_ERR_PROTO_BUSY', message: 'landmark at its connection limit' }));
      ws.close(1013, 'busy');
      refused++;
      if (performance.now() - refusedReportedAt >= BUSY_REPORT_EVERY_MS) {
        options.onProblem?.('LOCUS_ERR_PROTO_BUSY', `refused ${refused} connection(s): at its limit of ${config.maxConnections} hosts`, undefined);
        refused = 0;
        refusedReportedAt = performance.now();
      }
      return;
    }
    const session = new HostSession(options.info, options.key, config, env, { send: (t) => ws.send(t), close: () => ws.close() }, {
      onMeasurement: (m, from) => options.onMeasurement?.(m, from),
      onProblem: (code, message, hostKey) => options.onProblem?.(code, message, hostKey),
    }, () => sessions.size);
    sessions.add(session);
    ws.on('message', (data, isBinary) => {
      const arrivedAt = env.monotonicNs();
      session.receive(isBinary ? '' : data.toString(), arrivedAt);
    });
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
    });
    ws.on('error', () => ws.terminate());
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `ws://${host}:${port}${TIMING_PATH}`,
    port,
    hosts: () => [...sessions].flatMap((s) => (s.hostKey ? [s.hostKey] : [])),
    measureNow: (hostKey) => [...sessions].filter((s) => hostKey === undefined || s.hostKey === hostKey).filter((s) => s.measureNow()).length,
    close: async () => {
      for (const s of sessions) s.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // close() alone waits for every connection to end: one opened without a request (a scanner,
      // a TCP health check, a host still sending its upgrade) would hold a stop for a minute or more.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}
