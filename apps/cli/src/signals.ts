import { constants } from 'node:os';

/**
 * For the commands that run until stopped (servers, the agent, landmarks): waits for SIGINT or
 * SIGTERM, then runs `stop` with the listeners still in place. One stop can be signalled twice
 * (a terminal's Ctrl-C reaches every process of its group; systemd sends SIGTERM to the whole
 * control group, and `locus` passes it on to a command it runs in a child process): the second
 * is noted and does not cut the stop short. A third ends the process at once, for a stop that
 * hangs. Resolves with the first signal once `stop` is done.
 */
export async function untilStopped(log: (line: string) => void, stop: (signal: NodeJS.Signals) => Promise<void>): Promise<NodeJS.Signals> {
  let count = 0;
  let first: (signal: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => (first = resolve));
  const listener = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) first(signal);
    else if (count === 2) log(`${signal} again: still stopping (a third signal ends it at once)`);
    else process.exit(128 + constants.signals[signal]);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  try {
    const signal = await signalled;
    await stop(signal);
    return signal;
  } finally {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  }
}
