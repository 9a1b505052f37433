import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { LandmarkInfo } from '../api/types.js';
import type { MapPoint } from '../map/WorldMap.js';
import { usePoll, type PollState } from './usePoll.js';

/** The registered landmarks, polled. */
export function useLandmarks(): PollState<readonly LandmarkInfo[]> {
  const api = useApi();
  return usePoll('landmarks', async (signal) => (await api.get<{ landmarks: LandmarkInfo[] }>(paths.landmarks, { signal })).landmarks);
}

export const landmarkPoints = (landmarks: readonly LandmarkInfo[] | undefined): MapPoint[] =>
  (landmarks ?? []).map((l) => ({ key: l.id, label: `${l.name} (${l.id})`, lat: l.lat, lon: l.lon }));
