import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { LandmarkInfo, LandmarkStatus } from '../api/types.js';
import type { MapPoint } from '../map/WorldMap.js';
import { usePoll, type PollState } from './usePoll.js';

/** The registered landmarks, polled. */
export function useLandmarks(): PollState<readonly LandmarkInfo[]> {
  const api = useApi();
  return usePoll('landmarks', async (signal) => (await api.get<{ landmarks: LandmarkInfo[] }>(paths.landmarks, { signal })).landmarks);
}

/** When each landmark last measured, polled: for the operator's organization only (others are refused). */
export function useLandmarkStatus(): PollState<readonly LandmarkStatus[]> {
  const api = useApi();
  return usePoll('landmark-status', async (signal) => (await api.get<{ landmarks: LandmarkStatus[] }>(paths.landmarkStatus, { signal })).landmarks);
}

/**
 * A landmark is silent once the server has stored none of its measurements for this long: the
 * 15 minutes of the chart's LocusLandmarkSilent rule (a landmark measures each host every minute
 * by default, and delivers as it measures).
 */
export const LANDMARK_SILENT_AFTER_MS = 15 * 60_000;

/**
 * The landmarks whose measurements no longer reach the verdicts: those silent for longer than
 * LANDMARK_SILENT_AFTER_MS, and those with none stored at all while another landmark's are
 * recent (so there are hosts to measure, and this one is down, cut off, or refused). Before any
 * landmark has measured (no hosts yet) none is silent.
 */
export function silentLandmarks(status: readonly LandmarkStatus[], now: Date): LandmarkStatus[] {
  const recent = (l: LandmarkStatus) => l.lastMeasurementAt !== null && now.getTime() - Date.parse(l.lastMeasurementAt) <= LANDMARK_SILENT_AFTER_MS;
  const anyRecent = status.some(recent);
  return status.filter((l) => !recent(l) && (l.lastMeasurementAt !== null || anyRecent));
}

export const landmarkPoints = (landmarks: readonly LandmarkInfo[] | undefined, silent: ReadonlySet<string> = new Set()): MapPoint[] =>
  (landmarks ?? []).map((l) => ({ key: l.id, label: `${l.name} (${l.id})${silent.has(l.id) ? ', silent' : ''}`, lat: l.lat, lon: l.lon, ...(silent.has(l.id) ? { silent: true } : {}) }));
