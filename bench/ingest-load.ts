/**
 * The simulated fleet of bench/ingest.ts: hosts of 8 H100s, readings that are a deterministic
 * function of host, GPU and time (so the raw reference rebuilds exactly the rows the server
 * stored), and batches signed as agents sign them.
 */
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, generateSigningKey, signBody, wireText, type EventWire, type SampleWire, type SigningKey } from '@locus/protocol';
import { hostInventory } from '../apps/server/src/test-support.js';
import { h100Readings, signedBatch } from '../test/support/ingest-batches.js';

export const GPUS_PER_NODE = 8;
export const SAMPLE_INTERVAL_MS = 10_000;

export interface SimNode {
  readonly index: number;
  readonly name: string;
  readonly key: SigningKey;
  readonly gpus: readonly { readonly uuid: string; readonly serial: string }[];
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function simNode(index: number): SimNode {
  const gpus = Array.from({ length: GPUS_PER_NODE }, (_, g) => ({ uuid: `GPU-${hex(index, 8)}-${hex(g, 4)}-4000-8000-${hex(index * GPUS_PER_NODE + g, 12)}`, serial: `16${hex(index * GPUS_PER_NODE + g, 11)}` }));
  return { index, name: `sim-${hex(index, 5)}`, key: generateSigningKey(), gpus };
}

/** The signed enrollment an agent on this host sends. */
export const enrollBody = (node: SimNode, token: string, at: Date) =>
  signBody('enroll', { v: PROTOCOL_VERSION, token, hostKey: node.key.publicKey, name: node.name, claimedCountry: 'DE', inventory: hostInventory(node.gpus), at: at.toISOString() }, node.key.privateKey);

export { hostInventory };

/** `count` samples of every GPU, `SAMPLE_INTERVAL_MS` apart from `firstAt`. */
export function samplesOf(node: SimNode, firstAt: number, count: number): SampleWire[] {
  return Array.from({ length: count }, (_, i) => {
    const at = firstAt + i * SAMPLE_INTERVAL_MS;
    return {
      at: new Date(at).toISOString(),
      gpus: node.gpus.map((g, gi) => {
        const phase = at / 900_000 + node.index * 0.7 + gi;
        return h100Readings(g.uuid, 0.55 + 0.4 * Math.sin(phase), Math.abs(Math.sin(phase * 7919)));
      }),
    };
  });
}

/** A rare event an agent would send: an Xid or a health change (the second half of calls). */
export function rareEvent(node: SimNode, at: number, pick: number): EventWire {
  const gpu = node.gpus[Math.floor(pick * GPUS_PER_NODE) % GPUS_PER_NODE]!.uuid;
  const when = new Date(at).toISOString();
  return pick < 0.5
    ? { kind: 'xid', id: randomUUID(), at: when, gpu, pciBusId: '00000000:18:00.0', xid: 94, message: 'Contained ECC error.' }
    : { kind: 'health', id: randomUUID(), at: when, component: 'thermal', gpu, health: 'degraded', reason: 'slowdown temperature reached', suggestedAction: 'inspect_hardware' };
}

/** The request body of a batch as an agent sends it (wireText), signed and serialized before any timing starts. */
export const batchBody = (node: SimNode, samples: SampleWire[], events: EventWire[] = []): Buffer => Buffer.from(wireText(signedBatch(node.key, samples, events)));

export { seededRandom } from '../test/support/seeded-random.js';
