import { ALERT_KINDS } from '../api/types.js';

/** An option for each alert kind, in the server's order. */
export function KindOptions() {
  return (
    <>
      {ALERT_KINDS.map((k) => (
        <option key={k} value={k}>
          {k}
        </option>
      ))}
    </>
  );
}
