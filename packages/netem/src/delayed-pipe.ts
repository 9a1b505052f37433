import type { Readable, Writable } from 'node:stream';
import { callAtOrAfter, type Cancel } from './call-at-or-after.js';

/** A chunk waiting in the delay line; `null` stands for the end of the stream (FIN). */
interface Scheduled {
  readonly dueMs: number;
  readonly chunk: Buffer | null;
}

export interface DelayedPipeOptions {
  /** Draws the delay of the next chunk read. */
  readonly delayMs: () => number;
  /** Called, once the pipe has stopped, when data falls due for a destination that is gone. */
  readonly onUndeliverable: () => void;
  /** Bytes held in the delay line above which the source is paused. */
  readonly maxInFlightBytes?: number;
}

/** Like a TCP window: bounds memory without throttling links of ordinary bandwidth-delay. */
const DEFAULT_MAX_IN_FLIGHT_BYTES = 1024 * 1024;

/**
 * One direction of an emulated link: every chunk read from `source`, and then its end, is
 * written to `destination` once its delay has passed, in the order it was read.
 */
export class DelayedPipe {
  readonly #source: Readable;
  readonly #destination: Writable;
  readonly #delayMs: () => number;
  readonly #onUndeliverable: () => void;
  readonly #maxInFlightBytes: number;
  readonly #queue: Scheduled[] = [];
  #lastDueMs = -Infinity;
  #inFlightBytes = 0;
  #cancelTimer: Cancel | undefined;
  #pausedSource = false;
  #awaitingDrain = false;
  #stopped = false;

  constructor(source: Readable, destination: Writable, options: DelayedPipeOptions) {
    this.#source = source;
    this.#destination = destination;
    this.#delayMs = options.delayMs;
    this.#onUndeliverable = options.onUndeliverable;
    this.#maxInFlightBytes = options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
    source.on('data', (chunk: Buffer) => this.#schedule(chunk));
    source.on('end', () => this.#schedule(null));
  }

  /** Drops everything still in flight; nothing is written after this. */
  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#queue.length = 0;
    this.#inFlightBytes = 0;
  }

  #schedule(chunk: Buffer | null): void {
    if (this.#stopped) return;
    // However the jitter falls, no chunk is due before the one read ahead of it. The queue thus
    // stays sorted by due time, so one timer on its head delivers everything, in order.
    const dueMs = Math.max(performance.now() + this.#delayMs(), this.#lastDueMs);
    this.#lastDueMs = dueMs;
    this.#queue.push({ dueMs, chunk });
    if (chunk !== null) {
      this.#inFlightBytes += chunk.length;
      if (this.#inFlightBytes > this.#maxInFlightBytes) this.#pauseSource();
    }
    if (this.#cancelTimer === undefined) this.#armTimer();
  }

  #armTimer(): void {
    const head = this.#queue[0];
    this.#cancelTimer = head === undefined ? undefined : callAtOrAfter(head.dueMs, () => this.#deliverDue());
  }

  #deliverDue(): void {
    this.#cancelTimer = undefined;
    const nowMs = performance.now();
    for (let head = this.#queue[0]; head !== undefined && head.dueMs <= nowMs; head = this.#queue[0]) {
      this.#queue.shift();
      if (!this.#destination.writable) {
        if (head.chunk === null) continue;
        this.stop();
        this.#onUndeliverable();
        return;
      }
      if (head.chunk === null) {
        this.#destination.end();
        continue;
      }
      this.#inFlightBytes -= head.chunk.length;
      if (!this.#destination.write(head.chunk)) this.#awaitDrain();
    }
    this.#resumeSourceIfRoom();
    this.#armTimer();
  }

  #awaitDrain(): void {
    if (this.#awaitingDrain) return;
    this.#awaitingDrain = true;
    this.#pauseSource();
    this.#destination.once('drain', () => {
      this.#awaitingDrain = false;
      this.#resumeSourceIfRoom();
    });
  }

  #pauseSource(): void {
    this.#pausedSource = true;
    this.#source.pause();
  }

  #resumeSourceIfRoom(): void {
    if (!this.#pausedSource || this.#stopped || this.#awaitingDrain || this.#inFlightBytes > this.#maxInFlightBytes) return;
    this.#pausedSource = false;
    this.#source.resume();
  }
}
