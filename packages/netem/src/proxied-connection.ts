import { connect, type Socket } from 'node:net';
import { DelayedPipe } from './delayed-pipe.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Settles once the socket has closed. Also checks `closed` after a reset: a socket reset while
 * its handle is already shutting down can end up closed without a 'close' event reaching us.
 */
function closedPromise(socket: Socket): { promise: Promise<void>; recheck: () => void } {
  let recheck = (): void => {};
  const promise = new Promise<void>((resolve) => {
    recheck = () => {
      if (socket.closed) resolve();
    };
    socket.once('close', () => resolve());
  });
  return { promise, recheck };
}

/**
 * Sends a TCP reset where there is a connection to reset: after a FIN a peer could take a
 * stream cut off mid-flight for a complete one.
 */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  // A socket still connecting has nothing to reset; one we already ended has its shutdown under
  // way, and libuv refuses to reset it (EINVAL), which would leave its handle open forever and
  // hang the process at exit. Both are simply destroyed.
  if (socket.connecting || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

/**
 * One client connection and the connection it opened to the target, joined by a delayed pipe
 * in each direction. Half-closes travel through the pipes like data. Any error — a refused
 * target, a reset, data due for a side that has closed — resets both sockets at once.
 */
export class ProxiedConnection {
  /** Settles once both sockets have closed. */
  readonly closed: Promise<void>;
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #pipes: readonly DelayedPipe[];
  readonly #recheck: () => void;

  constructor(client: Socket, target: Endpoint, delayMs: () => number) {
    this.#client = client;
    // allowHalfOpen: a FIN from one side must not end the other direction early.
    this.#upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const watches = [closedPromise(client), closedPromise(this.#upstream)];
    this.#recheck = () => watches.forEach((w) => w.recheck());
    this.closed = Promise.all(watches.map((w) => w.promise)).then(() => {});
    const onUndeliverable = (): void => this.reset();
    this.#pipes = [
      new DelayedPipe(client, this.#upstream, { delayMs, onUndeliverable }),
      new DelayedPipe(this.#upstream, client, { delayMs, onUndeliverable }),
    ];
    for (const socket of [client, this.#upstream]) {
      // Nagle's algorithm would hold back small delayed writes on top of the emulated delay.
      socket.setNoDelay(true);
      socket.on('error', () => this.reset());
    }
  }

  /** Drops data in flight and resets both sockets. */
  reset(): void {
    for (const pipe of this.#pipes) pipe.stop();
    reset(this.#client);
    reset(this.#upstream);
    setImmediate(this.#recheck);
    setTimeout(this.#recheck, 50).unref();
  }
}
