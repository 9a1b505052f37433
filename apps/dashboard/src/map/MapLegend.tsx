const ITEMS = [
  ['region-excluded', 'region: restricted excluded'],
  ['region-possible', 'region: restricted possible'],
  ['region-certain', 'region: restricted certain'],
  ['restricted-country', 'restricted country'],
  ['landmark', 'landmark'],
] as const;

/** What the map's colours and marks mean; region colours only when the map has regions, the other marks when it draws them. */
export function MapLegend({ regions, bounds, silentLandmarks = false }: { readonly regions: boolean; readonly bounds: boolean; readonly silentLandmarks?: boolean }) {
  return (
    <ul className="map-legend">
      {ITEMS.filter(([key]) => regions || !key.startsWith('region')).map(([key, label]) => (
        <li key={key}>
          <span className={`swatch swatch-${key}`} aria-hidden="true" /> {label}
        </li>
      ))}
      {silentLandmarks && (
        <li>
          <span className="swatch swatch-landmark-silent" aria-hidden="true" /> silent landmark (none of its measurements stored lately)
        </li>
      )}
      {bounds && (
        <li>
          <span className="swatch swatch-bound" aria-hidden="true" /> landmark bound (RTT × c / 2)
        </li>
      )}
    </ul>
  );
}
