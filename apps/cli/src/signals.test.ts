import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilStopped } from './signals.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('untilStopped', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stops once on the first signal, notes a second, ends the process on a third, and leaves no listener behind', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const lines: string[] = [];
    let stops = 0;
    let finish: () => void = () => {};
    const done = untilStopped(
      (line) => lines.push(line),
      async () => {
        stops += 1;
        await new Promise<void>((r) => (finish = r));
      },
    );
    await tick();
    expect(stops).toBe(0);
    process.emit('SIGTERM', 'SIGTERM');
    await tick();
    expect(stops).toBe(1);
    process.emit('SIGINT', 'SIGINT');
    expect(lines).toEqual(['SIGINT again: still stopping (a third signal ends it at once)']);
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(143);
    finish();
    expect(await done).toBe('SIGTERM');
    expect(stops).toBe(1);
    expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before);
  });
});
