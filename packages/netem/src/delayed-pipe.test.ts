import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { DelayedPipe, type DelayedPipeOptions } from './delayed-pipe.js';
import { sleep } from './test-support.js';

interface Arrival {
  readonly text: string;
  readonly atMs: number;
}

/** A source, a recording destination and a pipe between them whose delays come from `delaysMs` in turn. */
function harness(delaysMs: readonly number[], options: Partial<DelayedPipeOptions> = {}) {
  const source = new PassThrough();
  const arrivals: Arrival[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      arrivals.push({ text: chunk.toString(), atMs: performance.now() });
      done();
    },
  });
  let next = 0;
  const delayMs = (): number => delaysMs[next++ % delaysMs.length] ?? 0;
  const pipe = new DelayedPipe(source, destination, { delayMs, onUndeliverable: () => {}, ...options });
  return { source, destination, arrivals, pipe };
}

const texts = (arrivals: readonly Arrival[]): string[] => arrivals.map((a) => a.text);

describe('DelayedPipe', () => {
  it('delivers each chunk no earlier than its delay after it was written', async () => {
    const delaysMs = [0.4, 3, 8];
    const { source, arrivals } = harness(delaysMs);
    const writtenAtMs: number[] = [];
    for (const text of ['a', 'b', 'c']) {
      writtenAtMs.push(performance.now());
      source.write(text);
      await sleep(15);
    }
    await vi.waitFor(() => expect(arrivals).toHaveLength(3), { timeout: 2000 });
    arrivals.forEach((arrival, i) => expect(arrival.atMs - writtenAtMs[i]!).toBeGreaterThanOrEqual(delaysMs[i]!));
  });

  it('keeps chunks in order when a later chunk draws a shorter delay', async () => {
    const { source, arrivals } = harness([30, 0, 20, 0, 10, 0]);
    const sent = ['1', '2', '3', '4', '5', '6'];
    for (const text of sent) {
      source.write(text);
      await sleep(1);
    }
    await vi.waitFor(() => expect(arrivals).toHaveLength(sent.length), { timeout: 2000 });
    expect(texts(arrivals)).toEqual(sent);
  });

  it('ends the destination only after the chunks read before the end', async () => {
    const { source, destination, arrivals } = harness([25, 0]);
    const finished = new Promise<string[]>((resolve) => destination.once('finish', () => resolve(texts(arrivals))));
    source.write('last words');
    await sleep(1);
    source.end();
    expect(await finished).toEqual(['last words']);
  });

  it('pauses the source while more than maxInFlightBytes are in flight, then resumes it', async () => {
    // A delay long enough that the pause is seen before the first chunk falls due, even when loaded.
    const { source, arrivals } = harness([200], { maxInFlightBytes: 10 });
    source.write('12345678');
    source.write('abcdefgh');
    await vi.waitFor(() => expect(source.isPaused()).toBe(true), { timeout: 1000, interval: 1 });
    expect(arrivals).toHaveLength(0);
    await vi.waitFor(() => expect(source.isPaused()).toBe(false), { timeout: 2000 });
    // Resumed once the first chunk is out (8 bytes left ≤ 10); the second may fall due a moment later.
    await vi.waitFor(() => expect(texts(arrivals).join('')).toBe('12345678abcdefgh'), { timeout: 2000 });
  });

  it('writes nothing after stop()', async () => {
    // Stopped as soon as the chunk is read: its delay is long enough that even a loaded machine
    // stops the pipe before it falls due, and the wait after outlasts that delay.
    const delayMs = 100;
    let drawn = 0;
    const draw = (): number => {
      drawn += 1;
      return delayMs;
    };
    const { source, arrivals, pipe } = harness([], { delayMs: draw });
    source.write('dropped');
    await vi.waitFor(() => expect(drawn).toBe(1), { timeout: 1000, interval: 1 });
    pipe.stop();
    await sleep(delayMs * 2);
    expect(arrivals).toEqual([]);
  });

  it('reports data falling due for a destination that is gone, without writing it', async () => {
    const onUndeliverable = vi.fn();
    const { source, destination, arrivals } = harness([5], { onUndeliverable });
    source.write('too late');
    destination.destroy();
    await vi.waitFor(() => expect(onUndeliverable).toHaveBeenCalledOnce(), { timeout: 1000 });
    expect(arrivals).toEqual([]);
  });
});
