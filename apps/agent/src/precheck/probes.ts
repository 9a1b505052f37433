import { execFile } from 'node:child_process';
import { constants, accessSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { httpGet as nodeGet } from '../client.js';
import { openKoffiNvml, NVML_LIBRARY } from '../nvml/koffi.js';
import type { ExecResult, PrecheckProbes, ProbeResult } from './checks.js';

function exec(command: string, args: readonly string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const e = error as NodeJS.ErrnoException & { killed?: boolean };
      const why = e.killed ? `no answer within ${timeoutMs} ms` : (stderr.trim().split('\n')[0] || e.message);
      resolve({ ok: false, missing: e.code === 'ENOENT', error: why });
    });
  });
}

/** GETs the URL as the agent's client reaches its server (node:http, not fetch, which refuses some ports the agent takes). */
async function httpGet(url: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await nodeGet(url, signal);
    const body = await res.text();
    return { ok: true, ms: performance.now() - started, status: res.status, body };
  } catch (error) {
    if (signal.aborted) return { ok: false, error: `no answer within ${timeoutMs} ms` };
    const e = error as NodeJS.ErrnoException;
    return { ok: false, error: e.code ?? e.message };
  }
}

/** Opens a WebSocket (the HTTP upgrade only) and closes it at once: proves the landmark can be reached. */
function webSocket(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ ok: false, error: 'not a URL' });
    }
    if (target.protocol !== 'ws:' && target.protocol !== 'wss:') return resolve({ ok: false, error: 'not a ws:// or wss:// URL' });
    const request = target.protocol === 'wss:' ? httpsRequest : httpRequest;
    const req = request({
      host: target.hostname,
      port: target.port || (target.protocol === 'wss:' ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
      timeout: timeoutMs,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode === 101 ? { ok: true, ms: performance.now() - started } : { ok: false, error: `answered HTTP ${res.statusCode} to the upgrade` });
    });
    req.on('response', (res) => {
      res.resume();
      req.destroy();
      resolve({ ok: false, error: `answered HTTP ${res.statusCode} instead of a WebSocket upgrade` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
    req.end();
  });
}

/** The host as it is, each network probe bounded by `timeoutMs`. */
export function hostProbes(o: { readonly timeoutMs: number; readonly nvmlLibrary?: string | undefined }): PrecheckProbes {
  return {
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    listDir: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    canOpen: (path, mode) => {
      try {
        accessSync(path, mode === 'rw' ? constants.R_OK | constants.W_OK : constants.R_OK);
        return true;
      } catch {
        return false;
      }
    },
    modeOf: (path) => {
      try {
        return statSync(path).mode;
      } catch {
        return null;
      }
    },
    exec: (command, args) => exec(command, args, o.timeoutMs),
    openNvml: () => openKoffiNvml(o.nvmlLibrary ?? NVML_LIBRARY),
    httpGet: (url) => httpGet(url, o.timeoutMs),
    webSocket: (url) => webSocket(url, o.timeoutMs),
  };
}
