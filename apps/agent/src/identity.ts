import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, keyFileText, makeDirectory, parseKeyFile, type SigningKey } from '@locus/protocol';
import { writeAtomically } from './state.js';

/** The agent's files in its state dir (0700). */
export const agentFiles = (dir: string) => ({
  key: join(dir, 'agent.key'),
  enrollment: join(dir, 'enrollment.json'),
  outbox: join(dir, 'outbox.db'),
  audit: join(dir, 'audit.log'),
});

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
  const path = agentFiles(dir).key;
  makeDirectory(dir, 0o700);
  if (!existsSync(path)) {
    const key = generateSigningKey();
    writeAtomically(path, keyFileText(key), 0o600);
    return key;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) throw new IdentityError(`${path} can be read by other users; run: chmod 600 ${path}`);
  const key = parseKeyFile(readFileSync(path, 'utf8'));
  if ('error' in key) throw new IdentityError(`${path}: ${key.error}`);
  return key;
}

export function readEnrollment(dir: string): Enrollment | undefined {
  try {
    const e = JSON.parse(readFileSync(agentFiles(dir).enrollment, 'utf8')) as Partial<Enrollment>;
    return typeof e.server === 'string' && typeof e.nodeId === 'string' && typeof e.orgId === 'string' ? (e as Enrollment) : undefined;
  } catch {
    return undefined;
  }
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
    ['queue', [f.outbox, `${f.outbox}-wal`, `${f.outbox}-shm`]],
  ];
  return parts.flatMap(([part, paths]) => {
    const present = paths.filter((path) => existsSync(path));
    for (const path of present) rmSync(path, { force: true });
    return present.length > 0 ? [part] : [];
  });
}
