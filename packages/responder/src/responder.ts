import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import {
  LandmarkMessage,
  PROTOCOL_VERSION,
  signChallenge,
  verifyMeasurementSignature,
  type LandmarkInfo,
  type SignedMeasurement,
} from '@locus/protocol';

export interface ResponderKey {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

export type ResponderEvent =
  | { readonly kind: 'connected'; readonly landmark: LandmarkInfo }
  | { readonly kind: 'measured'; readonly signed: SignedMeasurement; readonly landmark: LandmarkInfo }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  /** `why`: the connection's error, when it had one (refused, no such host, not a landmark's endpoint). */
  | { readonly kind: 'disconnected'; readonly retryInMs: number; readonly why?: string }
  | { readonly kind: 'ignored'; readonly reason: string };

export interface ResponderOptions {
  /** The landmark's timing endpoint, e.g. ws://landmark:7443/v1/timing. */
  readonly url: string;
  readonly key: ResponderKey;
  readonly onEvent?: (event: ResponderEvent) => void;
  /**
   * Reconnection backoff: doubles from `initialMs` up to `maxMs`, each wait drawn with full
   * jitter; back to `initialMs` after a connection that lasted `heartbeatMs` past its welcome.
   */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly random?: () => number;
  readonly software?: string;
  /**
   * A landmark that has sent nothing, not even the answer to a ping, for this long is taken for
   * gone and the connection opened again; also the longest an opening (TCP and upgrade) may take.
   */
  readonly heartbeatMs?: number;
  /**
   * Challenges answered per second at most, sustained, after a burst of CHALLENGE_BURST; a
   * landmark sending faster has the connection closed. Each answer is a signature: without a
   * bound, a landmark turned hostile (or a man in the middle of a ws:// link) could keep a core
   * of the GPU host signing. A landmark's rounds come at least 20 ms apart, 50 a second at most.
   * Infinity for benchmarks that run rounds back to back.
   */
  readonly maxChallengesPerS?: number;
}

export interface Responder {
  /** Measurements received from the landmark, newest last (a bounded list). */
  measurements(): readonly SignedMeasurement[];
  readonly connected: boolean;
  close(): Promise<void>;
}

const KEEP_MEASUREMENTS = 100;
/** Challenges answered back to back before maxChallengesPerS holds: a measurement of 100 rounds. */
const CHALLENGE_BURST = 100;
const MAX_CHALLENGES_PER_S = 50;
/**
 * A landmark that went away without closing the connection (lost power, a route or NAT entry
 * dropped) sends nothing more, and the host, which only ever answers, would wait for its next
 * challenge for good; pings find it out within two of these.
 */
const HEARTBEAT_MS = 30_000;

/**
 * The host's side of the timing protocol: keep a connection open to one landmark (outbound,
 * so it works from behind NAT), answer each challenge at once by signing nonce ‖ host key,
 * and reconnect with backoff when the connection drops or the landmark falls silent (pings
 * unanswered, `heartbeatMs`). It acts on nothing else a landmark sends: there is no command
 * channel.
 */
export function startResponder(options: ResponderOptions): Responder {
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 60_000 };
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});
  const kept: SignedMeasurement[] = [];
  let ws: WebSocket | undefined;
  let landmark: LandmarkInfo | undefined;
  let attempt = 0;
  // When the landmark last welcomed this host (monotonic ms): a connection that held a heartbeat resets the backoff.
  let welcomedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let connected = false;

  const challengesPerS = options.maxChallengesPerS ?? MAX_CHALLENGES_PER_S;

  const onMessage = (socket: WebSocket, text: string, mayAnswer: () => boolean): void => {
    let msg: LandmarkMessage;
    try {
      const parsed = LandmarkMessage.safeParse(JSON.parse(text));
      if (!parsed.success) return emit({ kind: 'ignored', reason: 'message does not match the protocol' });
      msg = parsed.data;
    } catch {
      return emit({ kind: 'ignored', reason: 'frame is not JSON' });
    }
    switch (msg.type) {
      case 'challenge':
        if (!mayAnswer()) {
          // Once: what it sent before the close arrives is left unanswered.
          if (socket.readyState !== WebSocket.OPEN) return;
          emit({ kind: 'ignored', reason: `landmark sent challenges faster than ${challengesPerS} a second: connection closed` });
          return socket.close(1008, 'challenges too fast');
        }
        // The hot path: sign and answer before doing anything else.
        socket.send(JSON.stringify({ type: 'response', v: PROTOCOL_VERSION, seq: msg.seq, signature: signChallenge(msg.nonce, options.key.publicKey, options.key.privateKey) }));
        return;
      case 'welcome':
        landmark = msg.landmark;
        welcomedAt = performance.now();
        connected = true;
        return emit({ kind: 'connected', landmark: msg.landmark });
      case 'measurement': {
        const ok =
          landmark !== undefined &&
          msg.signed.measurement.landmarkId === landmark.id &&
          msg.signed.measurement.hostKey === options.key.publicKey &&
          verifyMeasurementSignature(msg.signed, landmark.publicKey);
        if (!ok) return emit({ kind: 'ignored', reason: 'measurement not signed by this landmark for this host' });
        kept.push(msg.signed);
        if (kept.length > KEEP_MEASUREMENTS) kept.shift();
        return emit({ kind: 'measured', signed: msg.signed, landmark: landmark! });
      }
      case 'error':
        return emit({ kind: 'refused', code: msg.code, message: msg.message });
    }
  };

  const connect = (): void => {
    if (closed) return;
    const socket = new WebSocket(options.url, { perMessageDeflate: false, maxPayload: 64 * 1024, handshakeTimeout: heartbeatMs });
    ws = socket;
    let heard = true;
    let heartbeat: NodeJS.Timeout | undefined;
    // A token bucket per connection: CHALLENGE_BURST at most, refilled at challengesPerS.
    let tokens = CHALLENGE_BURST;
    let filledAt = performance.now();
    const mayAnswer = (): boolean => {
      const now = performance.now();
      tokens = Math.min(CHALLENGE_BURST, tokens + ((now - filledAt) * challengesPerS) / 1000);
      filledAt = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, hostKey: options.key.publicKey, ...(options.software ? { software: options.software } : {}) }));
      heartbeat = setInterval(() => {
        if (!heard) return socket.terminate();
        heard = false;
        socket.ping();
      }, heartbeatMs);
      heartbeat.unref?.();
    });
    socket.on('pong', () => (heard = true));
    socket.on('message', (data, isBinary) => {
      heard = true;
      if (!isBinary) onMessage(socket, data.toString(), mayAnswer);
    });
    let why: string | undefined;
    socket.on('error', (error) => (why = error.message));
    socket.on('close', () => {
      clearInterval(heartbeat);
      connected = false;
      if (closed) return;
      // Not on the welcome itself: a landmark that closes right after it (full, restarting,
      // refusing this host) would otherwise be asked again every half second without end.
      if (welcomedAt !== undefined && performance.now() - welcomedAt >= heartbeatMs) attempt = 0;
      welcomedAt = undefined;
      const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt++);
      const wait = Math.round(ceiling * random());
      emit({ kind: 'disconnected', retryInMs: wait, ...(why ? { why } : {}) });
      timer = setTimeout(connect, wait);
    });
  };
  connect();

  return {
    measurements: () => kept.slice(),
    get connected() {
      return connected;
    },
    close: async () => {
      closed = true;
      clearTimeout(timer);
      const socket = ws;
      if (!socket || socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    },
  };
}
