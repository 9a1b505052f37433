import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context.js';
import { paths } from '../api/paths.js';
import type { FleetMapData } from '../api/types.js';
import { useCan } from '../app/me.js';
import { ActionError } from '../components/ActionError.js';
import { save } from '../components/download.js';
import { Async } from '../components/Status.js';
import { time } from '../components/format.js';
import { useAction } from '../hooks/useAction.js';
import { usePoll } from '../hooks/usePoll.js';

/** One entry of `GET /api/v1/reports`. */
interface ReportEntry {
  readonly id: string;
  readonly format: 'csv' | 'json';
  readonly zoneId: string | null;
  readonly createdAt: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly publicKey: string;
}

const baseName = (r: ReportEntry) => `locus-fleet-${r.createdAt.slice(0, 10)}-${r.id.slice(0, 8)}`;

function NewReport({ zones, onMade }: { readonly zones: FleetMapData['zones']; readonly onMade: () => void }) {
  const api = useApi();
  const action = useAction();
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [zoneId, setZoneId] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run(() => api.send('POST', paths.reports, { format, zoneId: zoneId || null }), onMade);
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="New report">
      <label>
        Format
        <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'json')}>
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
        </select>
      </label>
      <label>
        Of
        <select value={zoneId} onChange={(e) => setZoneId(e.target.value)}>
          <option value="">the whole fleet</option>
          {zones.map((z) => (
            <option key={z.id} value={z.id}>
              zone {z.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Signing…' : 'Make a signed report'}
      </button>
      <ActionError error={action.error} what="make the report" />
    </form>
  );
}

/** `/reports`: signed fleet inventory and health reports: make one, list them, download a file and its signature. */
export function ReportsPage() {
  const api = useApi();
  const can = useCan();
  const reports = usePoll('reports', async (signal) => (await api.get<{ reports: ReportEntry[] }>(paths.reports, { signal })).reports);
  const map = usePoll('fleet-map', (signal) => api.get<FleetMapData>(paths.fleetMap, { signal }));
  const download = useAction();
  const zoneName = new Map((map.data?.zones ?? []).map((z) => [z.id, z.name]));
  const get = (r: ReportEntry, what: 'file' | 'signature') =>
    download.run(async () => {
      const blob = await api.blob(what === 'file' ? paths.report(r.id) : paths.reportSignature(r.id));
      save(blob, what === 'file' ? `${baseName(r)}.${r.format}` : `${baseName(r)}.${r.format}.sig.json`);
    });
  return (
    <>
      <h1>Reports</h1>
      <p className="muted">
        Each report is signed by the server (Ed25519); check one offline with <code>locus report verify FILE SIGNATURE</code>.
      </p>
      {can('fleet:read') && <NewReport zones={map.data?.zones ?? []} onMade={reports.reload} />}
      <ActionError error={download.error} what="download" />
      <Async state={reports} what="reports" isEmpty={(r) => r.length === 0} empty="No reports yet.">
        {(list) => (
          <table aria-label="Reports">
            <thead>
              <tr>
                <th>Made</th>
                <th>Of</th>
                <th>Format</th>
                <th className="num">Size</th>
                <th>SHA-256</th>
                <th>Download</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>{time(r.createdAt)}</td>
                  <td>{r.zoneId ? `zone ${zoneName.get(r.zoneId) ?? r.zoneId}` : 'the whole fleet'}</td>
                  <td>{r.format.toUpperCase()}</td>
                  <td className="num">{r.bytes.toLocaleString()} B</td>
                  <td>
                    <code title={r.sha256}>{r.sha256.slice(0, 16)}…</code>
                  </td>
                  <td>
                    <span className="actions">
                      <button type="button" className="secondary" disabled={download.busy} onClick={() => get(r, 'file')}>
                        File
                      </button>
                      <button type="button" className="secondary" disabled={download.busy} onClick={() => get(r, 'signature')}>
                        Signature
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </>
  );
}
