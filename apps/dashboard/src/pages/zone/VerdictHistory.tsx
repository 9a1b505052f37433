import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import { Async } from '../../components/Status.js';
import { ClaimBadge, RestrictedBadge } from '../../components/VerdictBadge.js';
import { time } from '../../components/format.js';
import { usePoll } from '../../hooks/usePoll.js';
import { ProofButton } from '../node/ProofButton.js';
import { verdictChanges, type StoredVerdict } from './history.js';

/** Members whose histories are read: a request each, so a large zone shows its first ones. */
const MAX_MEMBERS = 50;

/**
 * When the nodes' verdicts changed (restricted or claim), newest first, from each one's stored
 * verdict history, each change with its proof to download (rebuilt at its time): a zone's
 * members, or one node.
 */
export function VerdictHistory({ nodes }: { readonly nodes: readonly { readonly nodeId: string; readonly name: string }[] }) {
  const api = useApi();
  const members = nodes.slice(0, MAX_MEMBERS);
  const history = usePoll(`verdict-history:${members.map((m) => m.nodeId).join(',')}`, async (signal) =>
    verdictChanges(
      await Promise.all(
        members.map(async (m) => ({ nodeId: m.nodeId, name: m.name, history: (await api.get<{ verdicts: StoredVerdict[] }>(paths.verdicts(m.nodeId), { signal })).verdicts })),
      ),
    ),
  );
  return (
    <>
      {nodes.length > MAX_MEMBERS && <p className="muted">The first {MAX_MEMBERS} of {nodes.length} members.</p>}
      <Async state={history} what="the verdict history" isEmpty={(c) => c.length === 0} empty="No verdicts stored yet.">
        {(changes) => (
          <ol className="timeline" aria-label="Verdict history">
            {changes.map((c) => (
              <li key={`${c.nodeId}/${c.at}`} className={`event ${c.restricted === 'excluded' && c.claim !== 'contradicted' ? '' : 'event-warning'}`}>
                <time dateTime={c.at}>{time(c.at)}</time>
                <span className="kind">{c.before ? 'changed' : 'first verdict'}</span>
                <span>
                  <strong>{c.name}</strong> <RestrictedBadge value={c.restricted} /> {c.claimed && <ClaimBadge value={c.claim} claimed={c.claimed} />}
                  {c.before && <span className="muted"> (was restricted {c.before.restricted}{c.before.claim ? `, claim ${c.before.claim}` : ''})</span>}
                </span>
                <ProofButton nodeId={c.nodeId} name={c.name} at={c.at} />
              </li>
            ))}
          </ol>
        )}
      </Async>
    </>
  );
}
