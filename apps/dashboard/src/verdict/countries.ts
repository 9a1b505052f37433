/**
 * The server's default restricted list (DESIGN.md). The API does not publish the list it
 * uses yet, so the dashboard assumes the default when it names restricted countries.
 */
export const DEFAULT_RESTRICTED = ['CN', 'HK', 'MO', 'RU', 'IR', 'KP', 'SY', 'CU', 'BY'] as const;

/** ISO 3166-1 numeric codes of the default restricted list: world-atlas names its countries by them. */
export const RESTRICTED_NUMERIC: ReadonlySet<string> = new Set(['156', '344', '446', '643', '364', '408', '760', '192', '112']);

let names: Intl.DisplayNames | undefined;

/** Short names where ICU's differ between versions ("Hong Kong SAR China", "Myanmar (Burma)"). */
const SHORT: Readonly<Record<string, string>> = { HK: 'Hong Kong', MO: 'Macao', MM: 'Myanmar', PS: 'Palestine' };

/** "SG" → "Singapore"; an unknown code is returned as it is. */
export function countryName(code: string): string {
  const short = SHORT[code];
  if (short) return short;
  names ??= new Intl.DisplayNames(['en'], { type: 'region' });
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

export const isRestricted = (code: string): boolean => (DEFAULT_RESTRICTED as readonly string[]).includes(code);
