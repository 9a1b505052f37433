import { join } from 'node:path';
import type { XidEvent } from './model.js';
import { readStateJson, writeAtomically } from './state.js';

/**
 * Xid and NVSwitch (SXid) events an operator has dealt with (`locus agent clear-xids`): the kernel
 * keeps every line in its log until the host reboots, so without this a GPU reset as the catalog
 * suggested (Xid 48, 64, 95 …), or a fabric reset after a fatal SXid, would leave the GPU or host
 * unhealthy, and its alert firing, until the next boot. Kept in the state dir by each event's line
 * (its time and text), so a later event, even of the same number on the same GPU, counts again;
 * after a reboot the log starts afresh.
 */
const FILE = 'xids-cleared.json';
/** The most lines kept: a host logs far fewer Xids between reboots. */
const KEPT = 5_000;

/** A kernel-log event: an Xid or an SXid line. */
type LoggedEvent = Pick<XidEvent, 'time' | 'raw'>;

/** An event's identity across passes: its time as the line gives it and the line itself. */
export const xidKey = (x: LoggedEvent): string => `${JSON.stringify(x.time)}|${x.raw}`;

/** The events cleared in this state dir (none when the file is absent or unreadable). */
export function clearedXids(stateDir: string): Set<string> {
  try {
    const stored = readStateJson(join(stateDir, FILE));
    return new Set(Array.isArray(stored) ? stored.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Notes these events as dealt with; returns how many were not already. */
export function clearXids(stateDir: string, events: readonly LoggedEvent[]): number {
  const cleared = clearedXids(stateDir);
  const before = cleared.size;
  for (const e of events) cleared.add(xidKey(e));
  writeAtomically(join(stateDir, FILE), `${JSON.stringify([...cleared].slice(-KEPT))}\n`);
  return cleared.size - before;
}

/** The events not cleared. */
export const unclearedXids = <E extends LoggedEvent>(events: readonly E[], cleared: ReadonlySet<string>): E[] => (cleared.size === 0 ? [...events] : events.filter((e) => !cleared.has(xidKey(e))));
