import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, signBody, type EventWire, type GpuMetricsWire, type IngestBatch, type SigningKey } from '@locus/protocol';

/**
 * An H100's readings at `load` (0–1) as an agent sends them, every field present; `jitter`
 * (0–1) moves them a little, as real readings move between samples.
 */
export function h100Readings(uuid: string, load: number, jitter = 0.5): GpuMetricsWire {
  const power = 90 + 600 * load + 10 * jitter;
  return {
    uuid,
    temperatureC: Math.round(34 + 40 * load + 3 * jitter),
    memoryTemperatureC: Math.round(40 + 38 * load + 3 * jitter),
    powerDrawW: Math.round(power * 100) / 100,
    powerLimitW: 700,
    energyMj: 1_000_000_000 + Math.round(power * 10_000),
    smClockMHz: load > 0.9 ? 1755 : 1980,
    memoryClockMHz: 2619,
    gpuUtilizationPct: Math.round(100 * load),
    memoryUtilizationPct: Math.round(60 * load),
    framebufferUsedMiB: Math.round(512 + 70_000 * load),
    framebufferTotalMiB: 81_559,
    eccVolatileUncorrected: 0,
    eccAggregateUncorrected: 0,
    remappedRowsPending: false,
    pcieReplayCounter: 0,
    clockEventReasons: load > 0.9 ? ['SwPowerCap'] : [],
  };
}

/** A batch signed by the agent's key, as the agent sends it. */
export function signedBatch(key: SigningKey, samples: IngestBatch['samples'], events: readonly EventWire[] = [], sentAt = samples.at(-1)?.at ?? new Date(0).toISOString()): IngestBatch {
  return signBody('ingest', { v: PROTOCOL_VERSION, batchId: randomUUID(), hostKey: key.publicKey, sentAt, samples, events } as never, key.privateKey) as IngestBatch;
}
