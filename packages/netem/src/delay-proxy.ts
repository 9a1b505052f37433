import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { assertValidLink, sampleDelayMs, type LinkDelay } from './link.js';
import { ProxiedConnection, type Endpoint } from './proxied-connection.js';

export interface DelayProxyOptions {
  /** Where each accepted connection is forwarded. */
  readonly target: Endpoint;
  /** Host defaults to 127.0.0.1; port 0 or absent picks a free port. */
  readonly listen?: { readonly host?: string; readonly port?: number };
  readonly link: LinkDelay;
  /** Uniform draws in [0, 1) for jitter; defaults to Math.random. */
  readonly random?: () => number;
}

export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  /** Changes the delay of chunks read from now on; chunks already in flight keep theirs. */
  setLink(link: LinkDelay): void;
  /** Connections accepted and not yet fully closed. */
  connections(): number;
  /**
   * Stops listening and resets every open connection, dropping data in flight; settles once
   * all are closed. A reset rather than a FIN, so no peer takes a cut-off stream for a whole one.
   */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy to `target` that delays each direction of every connection by `link`,
 * independently, without reordering. A delay may come out longer than asked (timers fire
 * late on a busy machine) but never shorter: each is checked against `performance.now()`.
 */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  assertValidLink(options.link);
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new DelayProxyServer(server, options);
}

class DelayProxyServer implements DelayProxy {
  readonly host: string;
  readonly port: number;
  readonly #server: Server;
  readonly #target: Endpoint;
  readonly #random: () => number;
  readonly #open = new Set<ProxiedConnection>();
  #link: LinkDelay;
  #closing: Promise<void> | undefined;

  constructor(server: Server, options: DelayProxyOptions) {
    const address = server.address() as AddressInfo;
    this.host = address.address;
    this.port = address.port;
    this.#server = server;
    this.#target = options.target;
    this.#random = options.random ?? Math.random;
    this.#link = options.link;
    server.on('connection', (client: Socket) => this.#accept(client));
    // An accept failure (EMFILE and the like) costs only the connection being accepted.
    server.on('error', () => {});
  }

  setLink(link: LinkDelay): void {
    assertValidLink(link);
    this.#link = link;
  }

  connections(): number {
    return this.#open.size;
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const open = [...this.#open];
    for (const connection of open) connection.reset();
    await Promise.all([stopped, ...open.map((connection) => connection.closed)]);
  }

  #accept(client: Socket): void {
    if (this.#closing !== undefined) {
      client.destroy();
      return;
    }
    const connection = new ProxiedConnection(client, this.#target, () => sampleDelayMs(this.#link, this.#random));
    this.#open.add(connection);
    void connection.closed.then(() => this.#open.delete(connection));
  }
}
