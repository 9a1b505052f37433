import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: its own scripts, styles, data and the world atlas
 * from this origin only; no inline script, no plugin, no framing, no form posting elsewhere.
 * `data:` images are the empty favicon of index.html.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every answer, API and dashboard alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
});

/**
 * Adds the security headers to every answer, and the strict CSP unless a route set its own
 * (the API explorer at /docs sets one with the hashes of its inline code).
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  });
}

/**
 * The API explorer's own policy, made stricter: no style or font from any https host, no call
 * to the public validator (which would learn this server's address), and no upgrade to https
 * on a server that may speak plain HTTP behind its proxy.
 */
export const tightenSwaggerCsp = (header: string): string =>
  header
    .replace(/ https:/g, '')
    .replace(/ validator\.swagger\.io/g, '')
    .replace(/\s*upgrade-insecure-requests;?/g, '')
    .trim();
