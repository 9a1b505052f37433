import { describe, expect, it } from 'vitest';
import { callAtOrAfter } from './call-at-or-after.js';
import { sleep } from './test-support.js';

/** Resolves with the clock reading at the moment the callback runs. */
const firedAt = (dueMs: number, now: () => number = () => performance.now()): Promise<number> =>
  new Promise((resolve) => callAtOrAfter(dueMs, () => resolve(now()), now));

describe('callAtOrAfter', () => {
  it.each([[0], [0.05], [0.3], [0.6], [0.99], [1], [1.5], [2.2], [5], [12]])('never calls back before %d ms have passed', async (delayMs) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const dueMs = performance.now() + delayMs;
      expect(await firedAt(dueMs)).toBeGreaterThanOrEqual(dueMs);
    }
  });

  it('waits for the clock it is given, not for the timer', async () => {
    let clockMs = 0;
    let called = false;
    callAtOrAfter(3, () => (called = true), () => clockMs);
    await sleep(20);
    expect(called).toBe(false);
    clockMs = 3;
    await sleep(20);
    expect(called).toBe(true);
  });

  it('polls a clock that creeps up in sub-millisecond steps until it reaches the due time', async () => {
    let clockMs = 0;
    const creeping = (): number => (clockMs += 0.01);
    expect(await firedAt(2, creeping)).toBeGreaterThanOrEqual(2);
  });

  it('never calls back synchronously, even when already due', async () => {
    let called = false;
    callAtOrAfter(performance.now() - 10, () => (called = true));
    expect(called).toBe(false);
    await sleep(5);
    expect(called).toBe(true);
  });

  it.each([[0.2], [5]])('never calls back once cancelled (due in %d ms)', async (delayMs) => {
    let called = false;
    const cancel = callAtOrAfter(performance.now() + delayMs, () => (called = true));
    cancel();
    await sleep(delayMs + 20);
    expect(called).toBe(false);
  });
});
