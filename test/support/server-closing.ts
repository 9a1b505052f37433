import type { Server } from 'node:http';
import { expect, vi } from 'vitest';
import { TokenRepo } from '@locus/storage';

/**
 * Holds every API token's check (TokenRepo.findByHash) until `release`: a request that needs a
 * token waits in it, so that a test can act while the request is in flight. `checking` settles
 * once a check has begun. Undone by vi.restoreAllMocks.
 */
export function holdTokenChecks(): { checking: Promise<void>; release: () => void } {
  let reached!: () => void;
  const checking = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const findByHash = TokenRepo.prototype.findByHash;
  vi.spyOn(TokenRepo.prototype, 'findByHash').mockImplementation(async function (this: TokenRepo, hash) {
    reached();
    await released;
    return findByHash.call(this, hash);
  });
  return { checking, release };
}

/** Waits (up to about a second) until a closing server no longer listens: its preClose hooks have run and the connections idle then are closed. */
export async function untilNotListening(server: Server): Promise<void> {
  for (let i = 0; i < 1_000 && server.listening; i++) await new Promise((r) => setTimeout(r, 1));
  expect(server.listening).toBe(false);
}
