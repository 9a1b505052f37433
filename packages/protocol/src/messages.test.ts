import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.js';
import { HostMessage, LandmarkMessage, Measurement } from './messages.js';

const key = generateSigningKey().publicKey;
const measurement = {
  v: 1,
  landmarkId: 'fra-1',
  landmarkAt: { lat: 50.11, lon: 8.68 },
  hostKey: key,
  noncesHash: 'A'.repeat(43),
  rounds: 10,
  minRttMs: 1.5,
  medianRttMs: 2,
  measuredAt: '2026-11-29T03:14:41.123Z',
};

describe('message schemas', () => {
  it('accept a well-formed hello, response and measurement', () => {
    expect(HostMessage.safeParse({ type: 'hello', v: 1, hostKey: key }).success).toBe(true);
    expect(HostMessage.safeParse({ type: 'response', v: 1, seq: 3, signature: 'A'.repeat(86) }).success).toBe(true);
    expect(Measurement.safeParse(measurement).success).toBe(true);
  });

  it.each([
    ['an unknown field', { ...measurement, extra: 1 }],
    ['a negative RTT', { ...measurement, minRttMs: -1 }],
    ['zero rounds', { ...measurement, rounds: 0 }],
    ['a short host key', { ...measurement, hostKey: 'abc' }],
    ['a local time', { ...measurement, measuredAt: '2026-11-29 03:14:41' }],
    ['another version', { ...measurement, v: 2 }],
    ['a landmark off the globe', { ...measurement, landmarkAt: { lat: 91, lon: 0 } }],
    ['a landmark id with a space', { ...measurement, landmarkId: 'fra 1' }],
  ])('refuse a measurement with %s', (_, value) => {
    expect(Measurement.safeParse(value).success).toBe(false);
  });

  it('refuse messages a host must never send or receive', () => {
    expect(HostMessage.safeParse({ type: 'exec', v: 1, command: 'reboot' }).success).toBe(false);
    expect(LandmarkMessage.safeParse({ type: 'command', v: 1, run: 'shutdown' }).success).toBe(false);
  });
});
