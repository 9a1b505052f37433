import { randomBytes } from 'node:crypto';

let lastMs = -1;
let sequence = 0;

/**
 * A UUID (version 7: the time in milliseconds, then a 12-bit sequence, then random bits) whose
 * text sorts as this process made them: one made later is larger, even in the same millisecond
 * (the sequence counts within it; past 4,095 it borrows the next millisecond). For rows whose
 * order is their time with their id as the tie-break, such as a node's verdicts.
 */
export function orderedId(nowMs: number): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs++;
    sequence = 0;
  }
  const time = lastMs.toString(16).padStart(12, '0').slice(-12);
  const rand = randomBytes(8);
  // The variant's two bits (10) above 62 random bits.
  const variant = ((rand[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const rest = rand.subarray(1).toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${sequence.toString(16).padStart(3, '0')}-${variant}${rest.slice(0, 2)}-${rest.slice(2, 14)}`;
}
