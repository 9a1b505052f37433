import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeDirectory } from '@locus/protocol';
import { FAULT_KINDS, type Fault } from './simulator/faults.js';

/** Where the agent keeps its identity, queue and (simulated) state; 0700. */
export const defaultStateDir = (env: Readonly<Record<string, string | undefined>>): string => env.LOCUS_AGENT_STATE_DIR ?? join(homedir(), '.locus', 'agent');

export interface SimulatorState {
  readonly spec: string;
  /** Makes UUIDs and serials stable across runs and different between simulated hosts. */
  readonly seed: string;
  readonly faults: readonly Fault[];
}

const FILE = 'simulator.json';

/**
 * Writes a file so that a reader sees either the old or the new content, never half. The new
 * content goes to a file made for it (O_EXCL: never one already there, nor a symlink's target),
 * then renamed over the path (which replaces a symlink there rather than writing where it points).
 */
export function writeAtomically(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Parsed state files by path, with the stamp of the file they were read from. */
const parsed = new Map<string, { readonly stamp: string; readonly value: unknown }>();

/**
 * A JSON state file's content; undefined when there is none. The daemon asks for some every pass
 * while another process may replace them (inject-fault, clear-xids: whole, by rename), so a file
 * is read and parsed again only when its inode, size or times changed. Write such files with
 * writeAtomically (a new inode each time): rewritten in place, a change of the same size within
 * one tick of the kernel's coarse file clock would go unseen. The answer is shared between
 * calls: never change it. Throws when the file cannot be read or is not JSON.
 */
export function readStateJson(path: string): unknown {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) {
    parsed.delete(path);
    return undefined;
  }
  const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  const known = parsed.get(path);
  if (known?.stamp === stamp) return known.value;
  const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  // Bounded: a process keeps a few state directories (locus start: one per host of its world).
  if (parsed.size >= 1024) parsed.clear();
  parsed.set(path, { stamp, value });
  return value;
}

function isFault(f: unknown): f is Fault {
  if (typeof f !== 'object' || f === null) return false;
  const x = f as Record<string, unknown>;
  if (!(FAULT_KINDS as readonly unknown[]).includes(x.kind) || typeof x.at !== 'string') return false;
  return x.kind === 'sxid' ? Number.isInteger(x.nvswitch) && Number.isInteger(x.sxid) && typeof x.fatal === 'boolean' : Number.isInteger(x.gpu);
}

/**
 * The simulated host for `spec`: the stored one when it simulates the same spec, else a new
 * one (without faults). `replaced` says whether a different simulation was replaced; `stored`,
 * whether the state returned is the one on disk (else saveSimulator keeps it for the next pass).
 */
export function loadSimulator(dir: string, spec: string): { state: SimulatorState; replaced: boolean; stored: boolean } {
  try {
    const stored = (readStateJson(join(dir, FILE)) ?? {}) as Partial<SimulatorState>;
    if (stored.spec === spec && typeof stored.seed === 'string' && Array.isArray(stored.faults) && stored.faults.every(isFault)) {
      return { state: { spec, seed: stored.seed, faults: stored.faults }, replaced: false, stored: true };
    }
    return { state: { spec, seed: randomBytes(8).toString('hex'), faults: [] }, replaced: typeof stored.spec === 'string', stored: false };
  } catch {
    return { state: { spec, seed: randomBytes(8).toString('hex'), faults: [] }, replaced: false, stored: false };
  }
}

/** Throws DirectoryError when the state dir cannot be made. */
export function saveSimulator(dir: string, state: SimulatorState): void {
  makeDirectory(dir, 0o700);
  writeAtomically(join(dir, FILE), `${JSON.stringify(state, null, 2)}\n`);
}
