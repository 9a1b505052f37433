import type { NodeRegion, Restricted } from '../../api/types.js';
import { time } from '../../components/format.js';
import { Empty } from '../../components/Status.js';
import { WorldMap } from '../../map/WorldMap.js';

/**
 * The node's feasible region on the map now, the landmark bounds that shape it, and their
 * numbers: each bound is a measurement's RTT grown by the way the host could have travelled since.
 */
export function RegionPanel({ name, region, verdict }: { readonly name: string; readonly region: NodeRegion; readonly verdict: Restricted | null }) {
  const landmarks = region.landmarks.map((l) => ({ key: l.id, label: l.name ?? l.id, lat: l.lat, lon: l.lon }));
  const circles = region.landmarks.map((l) => ({ key: l.id, label: `${l.name ?? l.id}: within ${l.boundKm.toLocaleString('en')} km now (RTT ${l.minRttMs.toFixed(2)} ms at ${time(l.measuredAt)})`, lat: l.lat, lon: l.lon, radiusKm: l.boundKm }));
  const p = region.outline.properties;
  return (
    <section className="panel" aria-label="Region">
      <h2>Region</h2>
      {p.empty && <p className="status error">No single place fits these measurements: the region is empty.</p>}
      {p.whole && <p className="status stale">No landmark bounds this node yet: the region is the whole world.</p>}
      <WorldMap title={`Feasible region of ${name}`} regions={[{ key: 'node', outline: region.outline, verdict, label: `${name}: restricted ${verdict ?? 'unknown'}` }]} landmarks={landmarks} circles={circles} zoom />
      {region.landmarks.length === 0 ? (
        <Empty>No landmark has measured this node in the last 6 hours.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Landmark</th>
              <th className="num">RTT (ms)</th>
              <th>Measured</th>
              <th className="num">Bound now (km)</th>
            </tr>
          </thead>
          <tbody>
            {[...region.landmarks]
              .sort((a, b) => a.boundKm - b.boundKm)
              .map((l) => (
                <tr key={l.id}>
                  <td>{l.name ? `${l.name} (${l.id})` : l.id}</td>
                  <td className="num">{l.minRttMs.toFixed(2)}</td>
                  <td>{time(l.measuredAt)}</td>
                  <td className="num">{l.boundKm.toLocaleString('en')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
