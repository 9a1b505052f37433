import { connect, createServer, type Socket } from 'node:net';

export interface TestServer {
  readonly port: number;
  /** Sockets accepted and not yet closed. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that hands every connection to `onConnection`; half-open allowed. */
export async function startServer(onConnection: (socket: Socket) => void, port = 0): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return {
    port: address.port,
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes back whatever arrives and ends once the peer has ended. */
export const echo = (socket: Socket): void => {
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('end', () => socket.end());
};

/** A port that was free a moment ago, so that nothing listens on it. */
export async function unusedPort(): Promise<number> {
  const server = await startServer(() => {});
  await server.close();
  return server.port;
}

/** Connects to 127.0.0.1:`port` with half-open allowed; socket errors end up as a close. */
export async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error(`could not connect to port ${port}`)));
  });
  return socket;
}

/** Resolves with the next `bytes` bytes the socket reads. */
export function receive(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < bytes) return;
      socket.off('data', onData).off('close', onClose);
      resolve(Buffer.concat(chunks));
    };
    const onClose = (): void => reject(new Error(`closed after ${received} of ${bytes} bytes`));
    socket.on('data', onData).once('close', onClose);
  });
}

/** Milliseconds from writing `message` until as many bytes have come back. */
export async function roundTripMs(socket: Socket, message: string): Promise<number> {
  const startedMs = performance.now();
  const reply = receive(socket, Buffer.byteLength(message));
  socket.write(message);
  await reply;
  return performance.now() - startedMs;
}

export interface Received {
  readonly text: string;
  /** Whether the peer ended its side cleanly (FIN) rather than the socket just closing. */
  readonly ended: boolean;
}

/** Everything the socket reads until it closes. */
export function receiveUntilClose(socket: Socket): Promise<Received> {
  return new Promise((resolve) => {
    let text = '';
    let ended = false;
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('end', () => (ended = true));
    socket.once('close', () => resolve({ text, ended }));
  });
}

/** A deterministic stand-in for Math.random (a linear congruential generator). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
