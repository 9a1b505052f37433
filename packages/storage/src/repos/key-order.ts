/**
 * Orders text keys by UTF-16 code units, the same on every server: rows written in this order
 * by two transactions at once are locked in one order, so neither waits for a row the other
 * holds while holding one it wants (PostgreSQL would end one as a deadlock).
 */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
