import type { ZoneDetail } from '../../api/types.js';
import { ClaimBadge, RestrictedBadge } from '../../components/VerdictBadge.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { usePlaceNamer } from '../../map/places.js';
import { verdictWords } from '../../verdict/words.js';

/** A zone's members with their own verdicts, each linking to its node for roles that may read it. */
export function MembersTable({ zone, linkNodes }: { readonly zone: ZoneDetail; readonly linkNodes: boolean }) {
  const placeOf = usePlaceNamer();
  return (
    <table>
      <thead>
        <tr>
          <th>Node</th>
          <th className="num">Landmarks</th>
          <th>Restricted</th>
          <th>Claim</th>
          <th>Region</th>
        </tr>
      </thead>
      <tbody>
        {zone.members.map((m) => (
          <tr key={m.nodeId} className={zone.outliers.includes(m.nodeId) ? 'outlier' : undefined}>
            <td>
              {linkNodes ? <Link href={hrefOf({ page: 'node', id: m.nodeId })}>{m.name}</Link> : m.name}
              {zone.outliers.includes(m.nodeId) && <span className="badge badge-possible">outlier</span>}
            </td>
            <td className="num">{m.measurements}</td>
            <td>
              <RestrictedBadge value={m.verdict.restricted} />
            </td>
            <td>
              <ClaimBadge value={m.verdict.claim} claimed={m.verdict.claimed} />
            </td>
            <td>{verdictWords(m.verdict, placeOf).summary}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
