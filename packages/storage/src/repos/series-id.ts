import { createHash } from 'node:crypto';

const hash48 = (text: string): number => createHash('sha256').update(text).digest().readUIntBE(0, 6);

/**
 * A candidate id for a GPU series: 48 bits of SHA-256 of the node and GPU (attempt 0), or of
 * them salted with the attempt after a clash. Derived rather than drawn from a sequence, so
 * that replicas creating series at once need no shared counter and SQL stays the same in both
 * families; the unique (node, GPU) index, not the hash, is what makes a series one row.
 */
export const seriesIdCandidate = (nodeId: string, gpuUuid: string, attempt: number): number => hash48(`${nodeId}\n${gpuUuid}\n${attempt}`);

/** Node keys already hashed: hashing costs more than the rest of finding a batch's series. */
const nodeKeys = new Map<string, number>();

/**
 * A node's key in the sample and rollup tables, which lead with it so that one host's GPUs at
 * one instant are neighbours. Two nodes sharing a key (a 48-bit clash) only share a key range:
 * rows still carry their series.
 */
export function nodeKeyOf(nodeId: string): number {
  let key = nodeKeys.get(nodeId);
  if (key === undefined) {
    key = hash48(`node\n${nodeId}`);
    if (nodeKeys.size >= 100_000) nodeKeys.clear();
    nodeKeys.set(nodeId, key);
  }
  return key;
}
