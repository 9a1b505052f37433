import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, keyFileText, makeDirectory, parseKeyFile, type SigningKey } from '@locus/protocol';
import { lockFile, type FileLock } from '@locus/storage/sqlite-file';
import { writeAtomically } from './state.js';

/** The agent's files in its state dir (0700). */
export const agentFiles = (dir: string) => ({
  key: join(dir, 'agent.key'),
  enrollment: join(dir, 'enrollment.json'),
  outbox: join(dir, 'outbox.db'),
  audit: join(dir, 'audit.log'),
  /** Held by the running agent (lockStateDir); it holds no data. */
  lock: join(dir, 'agent.lock'),
});

/** The queue's files: the database and SQLite's WAL and shared-memory files beside it. */
export const queueFiles = (dir: string): string[] => {
  const { outbox } = agentFiles(dir);
  return [outbox, `${outbox}-wal`, `${outbox}-shm`];
};

/** Another agent runs on this state dir. */
export class AgentRunningError extends Error {}

/**
 * The running agent's claim on its state dir: one agent per state dir, for two would send every
 * sample twice and race on the queue. The lock ends with the process however it ends (lockFile).
 * Throws AgentRunningError while another holds it.
 */
export function lockStateDir(dir: string): FileLock {
  const lock = lockFile(agentFiles(dir).lock);
  if (!lock) throw new AgentRunningError(`another agent runs on the state dir ${dir} (it holds ${agentFiles(dir).lock})`);
  return lock;
}

export interface Enrollment {
  readonly server: string;
  readonly nodeId: string;
  readonly orgId: string;
  readonly enrolledAt: string;
  readonly samplingIntervalS: number;
}

export class IdentityError extends Error {}

/**
 * The host key: made on first use (0600), refused if other users can read it. Throws
 * DirectoryError when the state dir cannot be made.
 */
export function loadOrCreateKey(dir: string): SigningKey {
  makeDirectory(dir, 0o700);
  const existing = readKey(dir);
  if (existing) return existing;
  const key = generateSigningKey();
  writeAtomically(agentFiles(dir).key, keyFileText(key), 0o600);
  return key;
}

/** The host key; undefined when there is none. Throws IdentityError when it is there but unusable (readable by others, malformed). */
export function readKey(dir: string): SigningKey | undefined {
  const path = agentFiles(dir).key;
  if (!existsSync(path)) return undefined;
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) throw new IdentityError(`${path} can be read by other users; run: chmod 600 ${path}`);
  const key = parseKeyFile(readFileSync(path, 'utf8'));
  if ('error' in key) throw new IdentityError(`${path}: ${key.error}`);
  return key;
}

/** An enrollment file that is there but cannot be read as one (unreadable, not JSON, fields missing). */
export class EnrollmentFileError extends Error {}

/**
 * The enrollment; undefined when there is none. A file that is there but unreadable throws
 * EnrollmentFileError naming it: read as "not enrolled", it would let `unenroll` delete the
 * host key and queue of an enrolled host without telling its server.
 */
export function readEnrollment(dir: string): Enrollment | undefined {
  const path = agentFiles(dir).enrollment;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnrollmentFileError(`cannot read the enrollment ${path}: ${(error as Error).message}`);
  }
  let e: Partial<Enrollment> | null;
  try {
    e = JSON.parse(text) as Partial<Enrollment> | null;
  } catch (error) {
    throw new EnrollmentFileError(`the enrollment ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof e?.server !== 'string' || typeof e.nodeId !== 'string' || typeof e.orgId !== 'string') throw new EnrollmentFileError(`the enrollment ${path} does not name a server, node and organization`);
  return e as Enrollment;
}

export function writeEnrollment(dir: string, e: Enrollment): void {
  makeDirectory(dir, 0o700);
  writeAtomically(agentFiles(dir).enrollment, `${JSON.stringify(e, null, 2)}\n`);
}

/** What `wipeIdentity` deletes, as a person names it. */
export type IdentityPart = 'host key' | 'enrollment' | 'queue';

/**
 * Unenrolled: the key, the enrollment and the queue are gone; the audit log stays. Returns the
 * parts that were there to delete, in that order.
 */
export function wipeIdentity(dir: string): IdentityPart[] {
  const f = agentFiles(dir);
  const parts: [IdentityPart, string[]][] = [
    ['host key', [f.key]],
    ['enrollment', [f.enrollment]],
    ['queue', queueFiles(dir)],
  ];
  return parts.flatMap(([part, paths]) => {
    const present = paths.filter((path) => existsSync(path));
    for (const path of present) rmSync(path, { force: true });
    return present.length > 0 ? [part] : [];
  });
}
