import { useMemo } from 'react';
import type { LandmarkInfo, LandmarkStatus, LandmarkStatusList } from '../api/types.js';
import { useMe } from '../app/me.js';
import { Async } from '../components/Status.js';
import { ago, shortKey, time } from '../components/format.js';
import { landmarkPoints, silenceTime, useLandmarkStatus, useLandmarks } from '../hooks/useLandmarks.js';
import type { PollState } from '../hooks/usePoll.js';
import { WorldMap } from '../map/WorldMap.js';
import { countryName } from '../verdict/countries.js';

/**
 * `/landmarks`: the registered landmarks and their audited places; for the operator's
 * organization, also when each last measured, the silent ones flagged.
 */
export function LandmarksPage() {
  return useMe()?.operator ? <OperatorLandmarks /> : <Landmarks status={undefined} />;
}

function OperatorLandmarks() {
  return <Landmarks status={useLandmarkStatus()} />;
}

function Landmarks({ status }: { readonly status: PollState<LandmarkStatusList> | undefined }) {
  const landmarks = useLandmarks();
  // Ages as of when the status was read, so that a page left open does not age what it shows.
  const now = status?.updatedAt;
  const silent = useMemo(() => new Set(status?.data?.landmarks.filter((l) => l.silent).map((l) => l.id)), [status?.data]);
  const byId = useMemo(() => new Map(status?.data?.landmarks.map((l) => [l.id, l])), [status?.data]);
  return (
    <>
      <h1>Landmarks</h1>
      <Async state={landmarks} what="landmarks" isEmpty={(l) => l.length === 0} empty="No landmarks are registered yet (POST /api/v1/landmarks, or `locus landmark serve --server …`).">
        {(list) => (
          <>
            {status && <StatusLine status={status} count={list.length} silent={silent.size} />}
            <WorldMap title="World map of the landmarks" regions={[]} landmarks={landmarkPoints(list, silent)} />
            <table aria-label="Landmarks">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Name</th>
                  <th>Country</th>
                  <th className="num">Latitude</th>
                  <th className="num">Longitude</th>
                  <th>Public key</th>
                  {status && <th>Version</th>}
                  {status && <th>Last measurement</th>}
                </tr>
              </thead>
              <tbody>
                {list.map((l) => (
                  <LandmarkRow key={l.id} landmark={l} status={status ? { of: now ? (byId.get(l.id) ?? null) : undefined, silent: silent.has(l.id), now: now ?? new Date() } : undefined} />
                ))}
              </tbody>
            </table>
          </>
        )}
      </Async>
    </>
  );
}

function StatusLine({ status, count, silent }: { readonly status: PollState<LandmarkStatusList>; readonly count: number; readonly silent: number }) {
  if (status.error && !status.data) return <p className="status stale">When the landmarks last measured could not load ({status.error.message}).</p>;
  if (!status.data) return null;
  const after = silenceTime(status.data.silentAfterS);
  if (silent === 0) return <p className="muted">No landmark is silent: each one's newest stored measurement is under {after} old, or none has measured yet.</p>;
  return (
    <p className="status stale" role="status" data-testid="landmarks-silent">
      {silent} of {count} landmark(s) silent: the server has stored no measurement of theirs for {after} (or none ever, while other landmarks deliver), and raises landmark-silent. They are down, cut off from the server or their hosts, or refused (another place than registered, a clock off, hosts no node has, a protocol version the server does not read: the last column says what the server refused); the verdicts that rest on them lose their bounds and grow wider.
    </p>
  );
}

function LandmarkRow({ landmark: l, status }: { readonly landmark: LandmarkInfo; readonly status: { readonly of: LandmarkStatus | null | undefined; readonly silent: boolean; readonly now: Date } | undefined }) {
  const last = status?.of?.lastMeasurementAt ?? null;
  const refusal = status?.of?.lastRefusal ?? null;
  // A refusal since its newest stored measurement (the server's judgement) says why it delivers nothing.
  const refused = status?.of?.refused === true && refusal !== null;
  return (
    <tr className={status?.silent ? 'silent' : undefined} data-landmark={l.id}>
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
      {status && <td>{status.of === undefined ? '…' : (status.of?.version ?? '—')}</td>}
      {status && (
        <td title={last ? time(last) : undefined}>
          {status.of === undefined ? '…' : last === null ? 'none stored' : ago(last, status.now)}
          {status.silent && <strong> · silent</strong>}
          {refused && (
            <div className="muted" title={`${refusal.code} at ${time(refusal.at)}`}>
              refused {ago(refusal.at, status.now)}: {refusal.message}
            </div>
          )}
        </td>
      )}
    </tr>
  );
}
