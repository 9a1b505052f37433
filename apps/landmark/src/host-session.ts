import type { KeyObject } from 'node:crypto';
import {
  CALIBRATION_SOFTWARE,
  PROTOCOL_VERSION,
  HostMessage,
  hashNonces,
  signMeasurement,
  toBase64url,
  verifyChallengeResponse,
  type LandmarkInfo,
  type LandmarkMessage,
  type ProtocolErrorCode,
  type SignedMeasurement,
} from '@locus/protocol';
import type { LandmarkEnv, MeasureConfig } from './config.js';

/** The few things a session needs from its connection. */
export interface HostChannel {
  send(text: string): void;
  close(): void;
}

export interface SessionEvents {
  /** `calibration`: of a landmark calibrating against this one (its hello says CALIBRATION_SOFTWARE), not of a node. */
  readonly onMeasurement: (signed: SignedMeasurement, from: { readonly calibration: boolean }) => void;
  readonly onProblem: (code: ProtocolErrorCode, message: string, hostKey: string | undefined) => void;
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Nanoseconds as milliseconds, kept to the nanosecond. */
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/**
 * One host's connection to this landmark: wait for its hello, then measure it every so
 * often. Timestamps come from the landmark's monotonic clock only; the host is never asked
 * for a time. `receive` must be called with the arrival time taken before any parsing.
 */
export class HostSession {
  readonly #info: LandmarkInfo;
  readonly #key: KeyObject;
  readonly #config: MeasureConfig;
  readonly #env: LandmarkEnv;
  readonly #channel: HostChannel;
  readonly #events: SessionEvents;
  #hostKey: string | undefined;
  /** Whether the host is a landmark calibrating against this one (its hello says so). */
  #calibration = false;
  #seq = 0;
  #pending: { seq: number; nonce: string; sentAt: bigint } | undefined;
  #rtts: number[] = [];
  #nonces: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  readonly #hostsConnected: () => number;

  /** `hostsConnected`: how many hosts the landmark holds now, this one included (spreads first measurements). */
  constructor(info: LandmarkInfo, key: KeyObject, config: MeasureConfig, env: LandmarkEnv, channel: HostChannel, events: SessionEvents, hostsConnected: () => number = () => 1) {
    this.#info = info;
    this.#key = key;
    this.#config = config;
    this.#env = env;
    this.#channel = channel;
    this.#events = events;
    this.#hostsConnected = hostsConnected;
    this.#schedule(config.helloTimeoutMs, () => this.#fail('LOCUS_ERR_PROTO_TIMEOUT', 'no hello received'));
  }

  get hostKey(): string | undefined {
    return this.#hostKey;
  }

  get measuring(): boolean {
    return this.#pending !== undefined || this.#rtts.length > 0;
  }

  /** A frame from the host, with the monotonic time it arrived. */
  receive(text: string, arrivedAt: bigint): void {
    if (this.#closed) return;
    let parsed: ReturnType<typeof HostMessage.safeParse>;
    try {
      parsed = HostMessage.safeParse(JSON.parse(text));
    } catch {
      return this.#fail('LOCUS_ERR_PROTO_MALFORMED', 'frame is not JSON');
    }
    if (!parsed.success) {
      const versionOnly = parsed.error.issues.every((i) => i.path[0] === 'v');
      return this.#fail(versionOnly ? 'LOCUS_ERR_PROTO_VERSION' : 'LOCUS_ERR_PROTO_MALFORMED', `bad message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const msg = parsed.data;
    if (msg.type === 'hello') {
      if (this.#hostKey !== undefined) return this.#fail('LOCUS_ERR_PROTO_SEQUENCE', 'second hello');
      this.#hostKey = msg.hostKey;
      this.#calibration = msg.software === CALIBRATION_SOFTWARE;
      this.#send({ type: 'welcome', v: PROTOCOL_VERSION, landmark: this.#info });
      const { firstMeasureAfterMs, firstMeasureSpreadPerHostMs, measureEveryMs } = this.#config;
      const spread = Math.min(measureEveryMs, this.#hostsConnected() * firstMeasureSpreadPerHostMs);
      this.#schedule(firstMeasureAfterMs + this.#env.random() * spread, () => this.#startMeasurement());
      return;
    }
    const pending = this.#pending;
    if (this.#hostKey === undefined || !pending || msg.seq !== pending.seq) {
      return this.#fail('LOCUS_ERR_PROTO_SEQUENCE', `answer to challenge ${msg.seq}, which is not outstanding`);
    }
    this.#pending = undefined;
    clearTimeout(this.#timer);
    // Checked after the arrival time was taken, so verification never adds to the RTT.
    if (!verifyChallengeResponse(pending.nonce, this.#hostKey, msg.signature)) {
      return this.#fail('LOCUS_ERR_PROTO_SIGNATURE', `challenge ${msg.seq} is not signed by host key ${this.#hostKey}`);
    }
    this.#rtts.push(nsToMs(arrivedAt - pending.sentAt));
    this.#nonces.push(pending.nonce);
    if (this.#rtts.length < this.#config.rounds) {
      const { min, max } = this.#config.roundGapMs;
      this.#schedule(min + this.#env.random() * (max - min), () => this.#challenge());
    } else {
      this.#finish();
    }
  }

  /** Starts a measurement now unless one is running; false if the host has not said hello. */
  measureNow(): boolean {
    if (this.#closed || this.#hostKey === undefined) return false;
    if (!this.measuring) this.#startMeasurement();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#channel.close();
  }

  #startMeasurement(): void {
    this.#rtts = [];
    this.#nonces = [];
    this.#challenge();
  }

  #challenge(): void {
    const seq = this.#seq++;
    const nonce = toBase64url(this.#env.randomBytes(32));
    const text = JSON.stringify({ type: 'challenge', v: PROTOCOL_VERSION, seq, nonce });
    this.#schedule(this.#config.responseTimeoutMs, () => this.#fail('LOCUS_ERR_PROTO_TIMEOUT', `no answer to challenge ${seq}`));
    const sentAt = this.#env.monotonicNs();
    this.#pending = { seq, nonce, sentAt };
    this.#channel.send(text);
  }

  #finish(): void {
    const rtts = this.#rtts;
    const signed = signMeasurement(
      {
        v: PROTOCOL_VERSION,
        landmarkId: this.#info.id,
        landmarkAt: { lat: this.#info.lat, lon: this.#info.lon },
        hostKey: this.#hostKey!,
        noncesHash: hashNonces(this.#nonces),
        rounds: rtts.length,
        minRttMs: Math.min(...rtts),
        medianRttMs: median(rtts),
        measuredAt: this.#env.now().toISOString(),
      },
      this.#key,
    );
    this.#rtts = [];
    this.#nonces = [];
    this.#events.onMeasurement(signed, { calibration: this.#calibration });
    this.#send({ type: 'measurement', v: PROTOCOL_VERSION, signed });
    const every = this.#config.measureEveryMs;
    this.#schedule(every * (0.8 + 0.4 * this.#env.random()), () => this.#startMeasurement());
  }

  #schedule(ms: number, run: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(run, ms);
    this.#timer.unref?.();
  }

  #send(message: LandmarkMessage): void {
    if (!this.#closed) this.#channel.send(JSON.stringify(message));
  }

  #fail(code: ProtocolErrorCode, message: string): void {
    this.#events.onProblem(code, message, this.#hostKey);
    this.#send({ type: 'error', v: PROTOCOL_VERSION, code, message });
    this.close();
  }
}
