import { PROTOCOL_VERSION, signBody } from '@locus/protocol';
import { enrollAt, type Poster } from './client.js';
import { collect } from './collect.js';
import { hostInventory } from './host.js';
import { loadOrCreateKey, readEnrollment, writeEnrollment, type Enrollment } from './identity.js';
import { toInventoryWire } from './wire.js';

export interface EnrollOptions {
  readonly server: string;
  readonly token: string;
  readonly stateDir: string;
  readonly simulate?: string | undefined;
  readonly name?: string | undefined;
  /** The host's name to report instead of the OS's (hostInventory). */
  readonly hostname?: string | undefined;
  readonly claimedCountry: string | null;
  readonly now: Date;
  readonly fetch?: Poster;
}

export class AlreadyEnrolledError extends Error {
  readonly enrollment: Enrollment;
  constructor(enrollment: Enrollment) {
    super(`already enrolled with ${enrollment.server} as node ${enrollment.nodeId}`);
    this.enrollment = enrollment;
  }
}

/**
 * Opts the host in: makes (or reuses) its key, reads its inventory once, and enrolls with the
 * server, signing the request with the key. Throws CollectError, ServerError or
 * AlreadyEnrolledError; writes the enrollment only when the server accepted it.
 */
export async function enrollAgent(o: EnrollOptions): Promise<Enrollment & { readonly hostKey: string }> {
  const existing = readEnrollment(o.stateDir);
  if (existing) throw new AlreadyEnrolledError(existing);
  const key = loadOrCreateKey(o.stateDir);
  const { snapshot } = await collect({ simulate: o.simulate, stateDir: o.stateDir, now: o.now });
  const host = hostInventory({ hostname: o.hostname });
  const request = signBody(
    'enroll',
    { v: PROTOCOL_VERSION, token: o.token, hostKey: key.publicKey, name: o.name ?? host.hostname, claimedCountry: o.claimedCountry, inventory: toInventoryWire(host, snapshot), at: o.now.toISOString() },
    key.privateKey,
  );
  const response = await enrollAt(o.server, request, o.fetch);
  const enrollment: Enrollment = { server: o.server, nodeId: response.nodeId, orgId: response.orgId, enrolledAt: o.now.toISOString(), samplingIntervalS: response.samplingIntervalS };
  writeEnrollment(o.stateDir, enrollment);
  return { ...enrollment, hostKey: key.publicKey };
}
