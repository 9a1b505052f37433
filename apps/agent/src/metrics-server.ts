import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Where `--metrics` listens unless told otherwise: loopback only, dcgm-exporter's port. */
export const DEFAULT_METRICS_LISTEN = { host: '127.0.0.1', port: 9400 } as const;

export interface MetricsListen {
  readonly host: string;
  readonly port: number;
}

/** "ADDR:PORT", "[IPv6]:PORT" or ":PORT" (loopback); undefined when malformed. Port 0 asks for any free port. */
export function parseListen(text: string): MetricsListen | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  return { host: m[1] ?? (m[2] || DEFAULT_METRICS_LISTEN.host), port };
}

/** Whether a listen address is reachable only from this host. */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9400/metrics */
  readonly url: string;
  readonly address: MetricsListen;
  close(): Promise<void>;
}

/**
 * Serves the registry at GET /metrics and nothing else: every other method or path is 404, which
 * names the process serving (`serving`, "this agent" or "this landmark"). It reads no request
 * body and takes no parameter: there is nothing to command.
 */
export async function startMetricsServer(registry: Registry, listen: MetricsListen, serving = 'this agent'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${serving} serves only GET /metrics\n`);
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${error.message}\n`),
    );
  });
  // Keep-alive connections must not hold the process open after close().
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    address: { host: address, port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
