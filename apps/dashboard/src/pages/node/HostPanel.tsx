import type { ReactNode } from 'react';
import type { NodeDetail, NodeInventory } from '../../api/types.js';
import { ago, bytes, shortKey, time } from '../../components/format.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { countryName } from '../../verdict/countries.js';

/** Who the node is: enrollment, zone, when its agent last reported (and why not, when the server refuses its batches), and the host's inventory. */
export function HostPanel({ node, inventory, zoneName, now }: { readonly node: NodeDetail; readonly inventory: NodeInventory; readonly zoneName: string | null; readonly now: Date }) {
  const inv = inventory.inventory;
  const rows: [string, ReactNode][] = [
    ['Claimed country', node.claimedCountry ? `${countryName(node.claimedCountry)} (${node.claimedCountry})` : 'none'],
    ['Zone', node.zoneId ? <Link href={hrefOf({ page: 'zone', id: node.zoneId })}>{zoneName ?? node.zoneId}</Link> : 'none'],
    ['Host key', <code title={node.hostKey}>{shortKey(node.hostKey)}</code>],
    ['Enrolled', ago(node.createdAt, now)],
    ['Last report', <span title={node.lastReportAt ? time(node.lastReportAt) : undefined}>{ago(node.lastReportAt, now)}</span>],
    ['Last measured', ago(node.lastMeasuredAt, now)],
    ['Agent version', node.agentVersion ?? 'unknown (an agent that does not say)'],
  ];
  const refusal = node.lastRefusal;
  if (refusal) rows.push(['Last refused batch', <span title={`${refusal.code}: ${refusal.message}`}>{ago(refusal.at, now)}</span>]);
  if (inv) {
    rows.push(
      ['Hostname', inv.hostname],
      ['OS / kernel', `${inv.os} / ${inv.kernel}`],
      ['CPU', `${inv.cpu.model} (${inv.cpu.cores} cores)`],
      ['Memory', bytes(inv.memoryBytes)],
      ['Driver / CUDA', `${inv.driverVersion ?? 'unknown'} / ${inv.cudaVersion ?? 'unknown'}`],
      ['Inventory updated', ago(inventory.updatedAt, now)],
    );
  }
  return (
    <section className="panel" aria-label="Host">
      <h2>Host</h2>
      <dl className="facts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {node.refused && refusal && (
        <p className="status stale" role="status" data-testid="node-refused">
          The server refuses this agent's batches ({refusal.code}, {ago(refusal.at, now)}): {refusal.message}.{' '}
          {refusal.code === 'LOCUS_ERR_PROTO_VERSION'
            ? 'The agent writes a protocol version this server does not read (an agent newer than the server): it holds its queue, dropping nothing but past its bound, and sends it once the server reads it (upgrade the server).'
            : 'The agent drops each batch the server refuses and goes on, so their samples and events are lost.'}
        </p>
      )}
      {!inv && <p className="status empty">The agent has not reported an inventory yet.</p>}
    </section>
  );
}
