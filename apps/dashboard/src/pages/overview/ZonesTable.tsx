import type { ZoneSummary } from '../../api/types.js';
import { ClaimBadge, RestrictedBadge } from '../../components/VerdictBadge.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { countryName } from '../../verdict/countries.js';

/** Zones with their verdicts, each linking to its page. */
export function ZonesTable({ zones }: { readonly zones: readonly ZoneSummary[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Zone</th>
          <th>Claimed country</th>
          <th>Members</th>
          <th>Restricted</th>
          <th>Claim</th>
          <th>Outliers</th>
        </tr>
      </thead>
      <tbody>
        {zones.map((z) => (
          <tr key={z.id}>
            <td>
              <Link href={hrefOf({ page: 'zone', id: z.id })}>{z.name}</Link>
            </td>
            <td>{z.claimedCountry ? `${countryName(z.claimedCountry)} (${z.claimedCountry})` : '—'}</td>
            <td>{z.members}</td>
            <td>
              <RestrictedBadge value={z.restricted} />
            </td>
            <td>
              <ClaimBadge value={z.claim} claimed={z.claimedCountry} />
            </td>
            <td>{z.outliers.length > 0 ? `${z.outliers.length} member(s) cannot stand with the rest` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
