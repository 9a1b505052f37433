import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { ZoneDetail, ZoneRegions } from '../api/types.js';
import { useCan } from '../app/me.js';
import { Async } from '../components/Status.js';
import { ClaimBadge, RestrictedBadge } from '../components/VerdictBadge.js';
import { landmarkPoints, useLandmarks } from '../hooks/useLandmarks.js';
import { usePoll } from '../hooks/usePoll.js';
import { usePlaceNamer } from '../map/places.js';
import { WorldMap } from '../map/WorldMap.js';
import { countryName } from '../verdict/countries.js';
import { verdictWords } from '../verdict/words.js';
import { zoneMapRegions } from './overview/useFleetMap.js';
import { MembersTable } from './zone/MembersTable.js';
import { ZoneMaintenance } from './zone/ZoneMaintenance.js';
import { VerdictHistory } from './zone/VerdictHistory.js';
import { zoneNotice } from './zone/notice.js';

/** `/zones/{id}`: the claimed country against the verdict, the members, and the map of their regions. */
export function ZonePage({ id }: { readonly id: string }) {
  const api = useApi();
  const zone = usePoll(`zone:${id}`, async (signal) => {
    const [detail, regions] = await Promise.all([api.get<ZoneDetail>(paths.zone(id), { signal }), api.get<ZoneRegions>(paths.zoneRegions(id), { signal })]);
    return { detail, regions };
  });
  const landmarks = useLandmarks();
  const placeOf = usePlaceNamer();
  const can = useCan();
  return (
    <Async state={zone} what="the zone">
      {({ detail, regions }) => {
        const notice = zoneNotice(detail);
        return (
          <>
            <h1>Zone {detail.name}</h1>
            <p className="verdict-line">
              Claimed country: <strong>{detail.claimedCountry ? `${countryName(detail.claimedCountry)} (${detail.claimedCountry})` : 'none'}</strong> <RestrictedBadge value={detail.restricted} />{' '}
              <ClaimBadge value={detail.claim} claimed={detail.claimedCountry} />
            </p>
            {notice.length > 0 && (
              <div className={`notice notice-${detail.restricted ?? 'none'}`} role="note">
                {notice.map((line) => (
                  <p key={line}>{line}</p>
                ))}
              </div>
            )}
            <WorldMap title={`Regions of the members of ${detail.name}`} regions={zoneMapRegions(detail, regions, can('fleet:read') ? 'node' : 'zone')} landmarks={landmarkPoints(landmarks.data)} zoom />
            <h2>Members</h2>
            {detail.members.length === 0 ? <p className="status empty">No members yet.</p> : <MembersTable zone={detail} linkNodes={can('fleet:read')} />}
            <h2>If the members stood together</h2>
            <p>
              {detail.ifColocated
                ? detail.ifColocated.empty
                  ? 'Their bounds have no place in common: some member cannot be where the others are.'
                  : `${verdictWords(detail.ifColocated, placeOf).summary}. Tighter, and good for display; never the basis of the zone's restricted verdict.`
                : 'No member has been measured yet.'}
            </p>
            <h2>Verdict history</h2>
            <VerdictHistory nodes={detail.members} />
            {can('fleet:write') && <ZoneMaintenance zone={detail} />}
          </>
        );
      }}
    </Async>
  );
}
