import { vi } from 'vitest';
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
