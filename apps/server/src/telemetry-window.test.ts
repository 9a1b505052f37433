import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_CONFIG } from './config.js';
import { telemetryWindow, type WindowAsked } from './telemetry-window.js';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const H = 3600_000;
const D = 24 * H;

describe('telemetryWindow', () => {
  it.each<[string, WindowAsked, { from: number; to: number; stepMs: number; resolution: string }]>([
    ['the last hour in 30 s points from raw samples when nothing is asked', {}, { from: NOW - H, to: NOW, stepMs: 30_000, resolution: 'raw' }],
    ['raw samples up to 6 hours', { from: NOW - 6 * H }, { from: NOW - 6 * H, to: NOW, stepMs: 120_000, resolution: 'raw' }],
    ['rollups past 6 hours', { from: NOW - 6 * H - 1 }, { from: NOW - 6 * H - 1, to: NOW, stepMs: 300_000, resolution: '5m' }],
    ['rollups for a short range older than raw retention', { from: NOW - 8 * D, to: NOW - 8 * D + H }, { from: NOW - 8 * D, to: NOW - 8 * D + H, stepMs: 300_000, resolution: '5m' }],
    ['a year in 2-day points', { from: NOW - 365 * D }, { from: NOW - 365 * D, to: NOW, stepMs: 2 * D, resolution: '5m' }],
    ['the asked step, whole 5 minutes on rollups', { from: NOW - D, stepS: 420 }, { from: NOW - D, to: NOW, stepMs: 600_000, resolution: '5m' }],
    ['raw samples when asked, over a day', { from: NOW - D, stepS: 60, resolution: 'raw' }, { from: NOW - D, to: NOW, stepMs: 60_000, resolution: 'raw' }],
    ['rollups when asked, over a minute', { from: NOW - 60_000, resolution: '5m' }, { from: NOW - 60_000, to: NOW, stepMs: 300_000, resolution: '5m' }],
  ])('chooses %s', (_, asked, expected) => {
    expect(telemetryWindow(asked, NOW, DEFAULT_SERVER_CONFIG)).toEqual(expected);
  });

  it.each<[string, WindowAsked, RegExp]>([
    ['an empty range', { from: NOW, to: NOW }, /^from: must be before to \(from 2026-/],
    ['a reversed range', { from: NOW, to: NOW - 1 }, /before/],
    ['more than 2,000 points', { from: NOW - D, stepS: 10, resolution: 'raw' }, /^step: 10 s over 24 h makes 8640 points a series, and a query gets at most 2000; ask for step=44 \(seconds\) or more$/],
    ['raw samples over more than a day (4 × the raw range)', { from: NOW - D - 1000, stepS: 600, resolution: 'raw' }, /^resolution: raw samples are read over at most 24 h, and from … to spans a little more; .*resolution=5m/],
  ])('refuses %s', (_, asked, reason) => {
    expect(telemetryWindow(asked, NOW, DEFAULT_SERVER_CONFIG)).toMatch(reason);
  });
});
