import { useState } from 'react';
import type { NodeEvent } from '../../api/types.js';
import { time } from '../../components/format.js';
import { Link } from '../../router/Link.js';
import { hrefOf } from '../../router/routes.js';
import { describeEvent } from './events.js';

const FIRST = 50;

/** The node's events, newest first: Xid errors, health changes with suggested actions, inventory, duplicate GPUs. */
export function EventsTimeline({ events, gpuLabel }: { readonly events: readonly NodeEvent[]; readonly gpuLabel: (uuid: string | null) => string }) {
  const [all, setAll] = useState(false);
  const newest = [...events].reverse();
  const shown = all ? newest : newest.slice(0, FIRST);
  return (
    <>
      <ol className="timeline">
        {shown.map((e) => {
          const line = describeEvent(e, gpuLabel);
          return (
            <li key={e.id} className={`event event-${line.severity}`} data-kind={e.kind}>
              <time dateTime={e.at}>{time(e.at)}</time>
              <span className="kind">{e.kind}</span>
              <div>
                <strong>{line.title}</strong> <span>{line.detail}</span>
                {line.action && <span className="action"> Suggested action: {line.action}.</span>}
                {line.otherNode && (
                  <>
                    {' '}
                    <Link href={hrefOf({ page: 'node', id: line.otherNode })}>Open the other node</Link>
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {newest.length > FIRST && (
        <button type="button" onClick={() => setAll(!all)}>
          {all ? `Show the latest ${FIRST}` : `Show all ${newest.length} events`}
        </button>
      )}
    </>
  );
}
