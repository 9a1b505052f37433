import { Async } from '../components/Status.js';
import { shortKey } from '../components/format.js';
import { landmarkPoints, useLandmarks } from '../hooks/useLandmarks.js';
import { WorldMap } from '../map/WorldMap.js';
import { countryName } from '../verdict/countries.js';

/** `/landmarks`: the registered landmarks and their audited places. */
export function LandmarksPage() {
  const landmarks = useLandmarks();
  return (
    <>
      <h1>Landmarks</h1>
      <Async state={landmarks} what="landmarks" isEmpty={(l) => l.length === 0} empty="No landmarks are registered yet (POST /api/v1/landmarks, or `locus landmark serve --server …`).">
        {(list) => (
          <>
            <WorldMap title="World map of the landmarks" regions={[]} landmarks={landmarkPoints(list)} />
            <table>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Name</th>
                  <th>Country</th>
                  <th className="num">Latitude</th>
                  <th className="num">Longitude</th>
                  <th>Public key</th>
                </tr>
              </thead>
              <tbody>
                {list.map((l) => (
                  <tr key={l.id}>
                    <td>
                      <code>{l.id}</code>
                    </td>
                    <td>{l.name}</td>
                    <td>
                      {countryName(l.country)} ({l.country})
                    </td>
                    <td className="num">{l.lat.toFixed(4)}</td>
                    <td className="num">{l.lon.toFixed(4)}</td>
                    <td>
                      <code title={l.publicKey}>{shortKey(l.publicKey)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Async>
    </>
  );
}
