import type { FleetMapZone } from '../../api/types.js';
import { ClaimBadge, RestrictedBadge } from '../../components/VerdictBadge.js';
import { Link } from '../../router/Link.js';
import { hrefOf, nodesHref } from '../../router/routes.js';
import { countryName } from '../../verdict/countries.js';

/** Zones with their verdicts, each linking to its page and its members' list. */
export function ZonesTable({ zones, nodeLinks }: { readonly zones: readonly FleetMapZone[]; readonly nodeLinks: boolean }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Zone</th>
          <th>Claimed country</th>
          <th className="num">Members</th>
          <th>Restricted</th>
          <th>Claim</th>
          <th>Empty regions</th>
        </tr>
      </thead>
      <tbody>
        {zones.map((z) => (
          <tr key={z.id}>
            <td>
              <Link href={hrefOf({ page: 'zone', id: z.id })}>{z.name}</Link>
            </td>
            <td>{z.claimedCountry ? `${countryName(z.claimedCountry)} (${z.claimedCountry})` : '—'}</td>
            <td className="num">{nodeLinks ? <Link href={nodesHref({ zone: z.id })}>{z.members}</Link> : z.members}</td>
            <td>
              <RestrictedBadge value={z.restricted} />
            </td>
            <td>
              <ClaimBadge value={z.claim} claimed={z.claimedCountry} />
            </td>
            <td>{z.emptyRegions > 0 ? `${z.emptyRegions} member(s): their measurements cannot all hold` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
