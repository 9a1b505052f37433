import type { HostSnapshot } from './snapshot.js';

/**
 * The daemon's recent passes, to judge counters by their change: `baseline` is the oldest pass
 * still within the window (so a rate spans up to the whole window once the daemon has run that
 * long). Only what the components compare is kept: the GPU samples, not the kernel log's events.
 */
export class PassHistory {
  readonly #windowMs: number;
  #passes: HostSnapshot[] = [];

  constructor(windowS: number) {
    this.#windowMs = windowS * 1000;
  }

  /** The oldest remembered pass no older than the window before `at`; null when there is none. */
  baseline(at: Date): HostSnapshot | null {
    const since = at.getTime() - this.#windowMs;
    this.#passes = this.#passes.filter((p) => Date.parse(p.collectedAt) >= since && Date.parse(p.collectedAt) < at.getTime());
    return this.#passes[0] ?? null;
  }

  remember(snapshot: HostSnapshot): void {
    this.#passes.push({ ...snapshot, xids: [], sxids: [] });
  }
}
