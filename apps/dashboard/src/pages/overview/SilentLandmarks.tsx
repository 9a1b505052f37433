import type { LandmarkStatusList } from '../../api/types.js';
import { ago } from '../../components/format.js';
import { silenceTime } from '../../hooks/useLandmarks.js';
import type { PollState } from '../../hooks/usePoll.js';
import { Link } from '../../router/Link.js';

/**
 * For the operator's organization: a note naming the landmarks whose measurements no longer reach
 * the server, since every organization's verdicts rest on them. Nothing while all measure (or
 * while their status cannot load: the landmarks page says why).
 */
export function SilentLandmarks({ status }: { readonly status: PollState<LandmarkStatusList> }) {
  if (!status.data || !status.updatedAt) return null;
  const now = status.updatedAt;
  const silent = status.data.landmarks.filter((l) => l.silent);
  if (silent.length === 0) return null;
  const names = silent.map((l) => `${l.name} (${l.id}): ${l.lastMeasurementAt === null ? 'none stored' : `last ${ago(l.lastMeasurementAt, now)}`}`);
  return (
    <p className="status stale" role="status" data-testid="landmarks-silent">
      {silent.length} of {status.data.landmarks.length} landmark(s) silent for over {silenceTime(status.data.silentAfterS)}, so the verdicts that rest on them lose their bounds: {names.join('; ')}. <Link href="/landmarks">Landmarks</Link>
    </p>
  );
}
