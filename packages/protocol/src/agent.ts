import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { receivedCanonicalBytes, type Json } from './canonical.js';
import { signJson, verifyBytesAsync, verifyJson, type PublicKeyText, type SignaturePurpose } from './keys.js';
import { CountryCode, Instant, PROTOCOL_VERSION, PublicKey, Signature } from './messages.js';

const version = z.literal(PROTOCOL_VERSION);
const count = z.number().int().min(0);
const maybe = <T extends z.ZodType>(t: T) => t.nullable();
export const GpuUuid = z.string().min(1).max(100);

/** What identifies a GPU across reports: its UUID, and its serial where the board has one. */
export const GpuIdentityWire = z.strictObject({
  index: count,
  uuid: GpuUuid,
  name: z.string().max(200),
  serial: maybe(z.string().max(100)),
  boardPartNumber: maybe(z.string().max(100)),
  pciBusId: z.string().max(40),
  vbiosVersion: maybe(z.string().max(100)),
});
export type GpuIdentityWire = z.infer<typeof GpuIdentityWire>;

export const HostInventoryWire = z.strictObject({
  hostname: z.string().max(255),
  machineId: maybe(z.string().max(100)),
  os: z.string().max(255),
  kernel: z.string().max(255),
  cpu: z.strictObject({ model: z.string().max(255), cores: count }),
  memoryBytes: count,
  nics: z.array(z.strictObject({ name: z.string().max(64), mac: z.string().max(64), addresses: z.array(z.string().max(64)).max(64) })).max(64),
  driverVersion: maybe(z.string().max(64)),
  cudaVersion: maybe(z.string().max(64)),
  gpus: z.array(GpuIdentityWire).max(64),
});
export type HostInventoryWire = z.infer<typeof HostInventoryWire>;

/** One GPU's readings in a sample; units are in the names, null where the GPU does not report. */
export const GpuMetricsWire = z.strictObject({
  uuid: GpuUuid,
  temperatureC: maybe(z.number()),
  memoryTemperatureC: maybe(z.number()),
  powerDrawW: maybe(z.number()),
  powerLimitW: maybe(z.number()),
  energyMj: maybe(z.number()),
  smClockMHz: maybe(z.number()),
  memoryClockMHz: maybe(z.number()),
  gpuUtilizationPct: maybe(z.number()),
  memoryUtilizationPct: maybe(z.number()),
  framebufferUsedMiB: maybe(z.number()),
  framebufferTotalMiB: maybe(z.number()),
  eccVolatileUncorrected: maybe(z.number()),
  eccAggregateUncorrected: maybe(z.number()),
  remappedRowsPending: maybe(z.boolean()),
  pcieReplayCounter: maybe(z.number()),
  clockEventReasons: maybe(z.array(z.string().max(64)).max(16)),
});
export type GpuMetricsWire = z.infer<typeof GpuMetricsWire>;

export const SampleWire = z.strictObject({ at: Instant, gpus: z.array(GpuMetricsWire).max(64) });
export type SampleWire = z.infer<typeof SampleWire>;

export const HEALTH = z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']);
export const ACTION = z.enum(['none', 'restart_app', 'reset_gpu', 'reboot', 'inspect_hardware']);

/** Something that happened, sent once (its id is the agent's, and the server keeps it idempotent). */
export const EventWire = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('xid'), id: z.uuid(), at: Instant, gpu: maybe(GpuUuid), pciBusId: z.string().max(40), xid: z.number().int().min(0).max(10_000), message: z.string().max(2000) }),
  z.strictObject({ kind: z.literal('health'), id: z.uuid(), at: Instant, component: z.string().max(64), gpu: maybe(GpuUuid), health: HEALTH, reason: z.string().max(2000), suggestedAction: maybe(ACTION) }),
  z.strictObject({ kind: z.literal('inventory'), id: z.uuid(), at: Instant, inventory: HostInventoryWire }),
]);
export type EventWire = z.infer<typeof EventWire>;

/** Agent → server: a batch from the outbox, signed by the agent's key; `batchId` makes resending harmless. */
export const IngestBatch = z.strictObject({
  v: version,
  batchId: z.uuid(),
  hostKey: PublicKey,
  sentAt: Instant,
  samples: z.array(SampleWire).max(1000),
  events: z.array(EventWire).max(1000),
  signature: Signature,
});
export type IngestBatch = z.infer<typeof IngestBatch>;

export const IngestResponse = z.strictObject({ batchId: z.uuid(), duplicate: z.boolean(), samples: count, events: count });
export type IngestResponse = z.infer<typeof IngestResponse>;

/** Agent → server, once: join an organization with an enrollment token, proving the host key. */
export const EnrollRequest = z.strictObject({
  v: version,
  token: z.string().min(10).max(200),
  hostKey: PublicKey,
  name: z.string().min(1).max(200),
  claimedCountry: maybe(CountryCode),
  inventory: HostInventoryWire,
  at: Instant,
  signature: Signature,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.strictObject({ nodeId: z.string(), orgId: z.string(), samplingIntervalS: z.number().int().positive() });
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** Agent → server: leave; signed so that nobody else can remove a node. */
export const UnenrollRequest = z.strictObject({ v: version, hostKey: PublicKey, at: Instant, signature: Signature });
export type UnenrollRequest = z.infer<typeof UnenrollRequest>;

/** Signs an object: the signature covers every field but `signature`, canonically encoded. */
export function signBody<const T extends Record<string, Json>>(purpose: SignaturePurpose, body: T, key: KeyObject): T & { signature: string } {
  return { ...body, signature: signJson(purpose, body, key) };
}

export function verifyBody(purpose: SignaturePurpose, body: { readonly signature: string }, publicKey: PublicKeyText): boolean {
  const { signature, ...rest } = body;
  return verifyJson(purpose, rest as Json, publicKey, signature);
}

/** As verifyBody, checking the signature off the caller's thread (see verifyBytesAsync). */
export function verifyBodyAsync(purpose: SignaturePurpose, body: { readonly signature: string }, publicKey: PublicKeyText): Promise<boolean> {
  const { signature, ...rest } = body;
  const bytes = receivedCanonicalBytes(rest as Json);
  return bytes === undefined ? Promise.resolve(false) : verifyBytesAsync(purpose, bytes, publicKey, signature);
}
