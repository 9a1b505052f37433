import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { LandmarkInfo, LandmarkStatusList } from '../api/types.js';
import type { MapPoint } from '../map/WorldMap.js';
import { usePoll, type PollState } from './usePoll.js';

/** The registered landmarks, polled. */
export function useLandmarks(): PollState<readonly LandmarkInfo[]> {
  const api = useApi();
  return usePoll('landmarks', async (signal) => (await api.get<{ landmarks: LandmarkInfo[] }>(paths.landmarks, { signal })).landmarks);
}

/**
 * When each landmark last measured and which the server counts silent (as its landmark-silent
 * alert does), polled: for the operator's organization only (others are refused).
 */
export function useLandmarkStatus(): PollState<LandmarkStatusList> {
  const api = useApi();
  return usePoll('landmark-status', (signal) => api.get<LandmarkStatusList>(paths.landmarkStatus, { signal }));
}

/** "15 minutes", "1 h", for the silence time. */
export const silenceTime = (seconds: number): string => (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} minutes`);

export const landmarkPoints = (landmarks: readonly LandmarkInfo[] | undefined, silent: ReadonlySet<string> = new Set()): MapPoint[] =>
  (landmarks ?? []).map((l) => ({ key: l.id, label: `${l.name} (${l.id})${silent.has(l.id) ? ', silent' : ''}`, lat: l.lat, lon: l.lon, ...(silent.has(l.id) ? { silent: true } : {}) }));
