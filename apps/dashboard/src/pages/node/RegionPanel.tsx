import type { NodeRegion, Restricted } from '../../api/types.js';
import { Empty } from '../../components/Status.js';
import { WorldMap } from '../../map/WorldMap.js';

/** The node's feasible region on the map, the landmark bounds that shape it, and their numbers. */
export function RegionPanel({ name, region, verdict }: { readonly name: string; readonly region: NodeRegion; readonly verdict: Restricted | null }) {
  const landmarks = region.landmarks.map((l, i) => ({ key: l.id ?? `at-${i}`, label: l.name ?? l.id ?? `${l.lat}, ${l.lon}`, lat: l.lat, lon: l.lon }));
  const circles = region.landmarks.map((l, i) => ({ key: l.id ?? `at-${i}`, label: `${l.name ?? l.id ?? 'landmark'}: within ${l.boundKm.toLocaleString('en')} km (RTT ${l.minRttMs.toFixed(2)} ms)`, lat: l.lat, lon: l.lon, radiusKm: l.boundKm }));
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
              <th className="num">Least RTT (ms)</th>
              <th className="num">Bound (km)</th>
            </tr>
          </thead>
          <tbody>
            {[...region.landmarks]
              .sort((a, b) => a.boundKm - b.boundKm)
              .map((l, i) => (
                <tr key={l.id ?? i}>
                  <td>{l.name ? `${l.name} (${l.id})` : (l.id ?? `${l.lat}, ${l.lon}`)}</td>
                  <td className="num">{l.minRttMs.toFixed(2)}</td>
                  <td className="num">{l.boundKm.toLocaleString('en')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
