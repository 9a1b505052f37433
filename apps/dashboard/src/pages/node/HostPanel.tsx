import type { ReactNode } from 'react';
import type { NodeInfo, NodeInventory } from '../../api/types.js';
import { ago, bytes, shortKey } from '../../components/format.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { countryName } from '../../verdict/countries.js';

/** Who the node is: enrollment, zone, and the host's inventory. */
export function HostPanel({ node, inventory, zoneName, now }: { readonly node: NodeInfo; readonly inventory: NodeInventory; readonly zoneName: string | null; readonly now: Date }) {
  const inv = inventory.inventory;
  const rows: [string, ReactNode][] = [
    ['Claimed country', node.claimedCountry ? `${countryName(node.claimedCountry)} (${node.claimedCountry})` : 'none'],
    ['Zone', node.zoneId ? <Link href={hrefOf({ page: 'zone', id: node.zoneId })}>{zoneName ?? node.zoneId}</Link> : 'none'],
    ['Host key', <code title={node.hostKey}>{shortKey(node.hostKey)}</code>],
    ['Enrolled', ago(node.createdAt, now)],
    ['Last measured', ago(node.lastMeasuredAt, now)],
  ];
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
      {!inv && <p className="status empty">The agent has not reported an inventory yet.</p>}
    </section>
  );
}
