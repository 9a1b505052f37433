import type { NodeVerdict } from '../../api/types.js';
import { ClaimBadge, RestrictedBadge } from '../../components/VerdictBadge.js';
import { time } from '../../components/format.js';
import { usePlaceNamer } from '../../map/places.js';
import { countryName } from '../../verdict/countries.js';
import { COUNTRIES_SHOWN, verdictWords } from '../../verdict/words.js';

/** The node's location verdict, in badges and in words. */
export function VerdictPanel({ verdict }: { readonly verdict: NodeVerdict }) {
  const v = verdict.verdict;
  const words = verdictWords(v, usePlaceNamer());
  return (
    <section className="panel" aria-label="Location verdict">
      <h2>Location verdict</h2>
      <p className="verdict-line">
        <RestrictedBadge value={v.restricted} /> <ClaimBadge value={v.claim} claimed={v.claimed} />
      </p>
      <p className="verdict-words" data-testid="verdict-words">
        {words.summary}.
      </p>
      <p>{words.claim}</p>
      <p className="muted">{words.countries}</p>
      {v.possibleCountries.length > COUNTRIES_SHOWN && (
        <details className="muted">
          <summary>All {v.possibleCountries.length} possible countries</summary>
          {v.possibleCountries.map((c) => `${countryName(c)} (${c})`).join(', ')}
        </details>
      )}
      <p className="muted">
        From {verdict.measurements} measurement(s) in the last 6 hours, vacuum speed of light; computed {time(verdict.computedAt)}.
        {v.areaKm2 > 0 && ` Region area ${Math.round(v.areaKm2).toLocaleString('en')} km².`}
      </p>
    </section>
  );
}
