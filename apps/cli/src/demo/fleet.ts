import { degrees, ms, syntheticRtt, type CountryCode, type Ms } from '@locus/geo';
import type { Landmark, Target } from '../geo/inputs.js';

/** Landmarks at well-known data-centre cities. */
const LANDMARKS: readonly [string, string, CountryCode, number, number][] = [
  ['fra', 'Frankfurt', 'DE', 50.1109, 8.6821],
  ['ams', 'Amsterdam', 'NL', 52.3676, 4.9041],
  ['lon', 'London', 'GB', 51.5074, -0.1278],
  ['waw', 'Warsaw', 'PL', 52.2297, 21.0122],
  ['hel', 'Helsinki', 'FI', 60.1699, 24.9384],
  ['ash', 'Ashburn', 'US', 39.0438, -77.4874],
  ['dal', 'Dallas', 'US', 32.7767, -96.797],
  ['sjc', 'San Jose', 'US', 37.3382, -121.8863],
  ['gru', 'Sao Paulo', 'BR', -23.5505, -46.6333],
  ['dxb', 'Dubai', 'AE', 25.2048, 55.2708],
  ['bom', 'Mumbai', 'IN', 19.076, 72.8777],
  ['sin', 'Singapore', 'SG', 1.3521, 103.8198],
  ['tpe', 'Taipei', 'TW', 25.033, 121.5654],
  ['tyo', 'Tokyo', 'JP', 35.6762, 139.6503],
  ['syd', 'Sydney', 'AU', -33.8688, 151.2093],
];

export interface DemoHost {
  readonly id: string;
  readonly claims: CountryCode;
  /** Where the host really is, which the verdict must never contradict. */
  readonly truth: { readonly place: string; readonly country: CountryCode; readonly lat: number; readonly lon: number };
  /** Delay the host adds on purpose to each landmark it names (a host can only add delay). */
  readonly addsMs?: Readonly<Record<string, number>>;
  /** RTTs that replace the physics: a broken clock or a forged measurement. */
  readonly forgedMs?: Readonly<Record<string, number>>;
  readonly story: string;
}

export const DEMO_HOSTS: readonly DemoHost[] = [
  { id: 'fra-h100-01', claims: 'DE', truth: { place: 'Offenbach', country: 'DE', lat: 50.0956, lon: 8.7761 }, story: 'honest host next to a landmark' },
  { id: 'waw-h100-02', claims: 'PL', truth: { place: 'Warsaw', country: 'PL', lat: 52.2, lon: 20.95 }, story: 'honest host 200 km from Belarus' },
  { id: 'ash-h200-01', claims: 'US', truth: { place: 'Sterling, VA', country: 'US', lat: 39.0062, lon: -77.4286 }, story: 'honest host' },
  { id: 'sin-h100-03', claims: 'SG', truth: { place: 'Jurong', country: 'SG', lat: 1.3329, lon: 103.7436 }, story: 'honest host 1 ms from a landmark' },
  { id: 'tyo-b200-01', claims: 'JP', truth: { place: 'Inzai', country: 'JP', lat: 35.8322, lon: 140.146 }, story: 'honest host' },
  {
    id: 'sin-h100-07',
    claims: 'SG',
    truth: { place: 'Shenzhen', country: 'CN', lat: 22.5431, lon: 114.0579 },
    addsMs: { tpe: 20, tyo: 15 },
    story: 'smuggled to Shenzhen; claims Singapore and slows its nearest landmarks',
  },
  {
    id: 'dxb-h200-02',
    claims: 'AE',
    truth: { place: 'Tehran', country: 'IR', lat: 35.6892, lon: 51.389 },
    addsMs: Object.fromEntries(LANDMARKS.map(([id]) => [id, 8])),
    story: 'smuggled to Tehran; claims Dubai and adds 8 ms everywhere',
  },
  { id: 'hel-h100-04', claims: 'FI', truth: { place: 'St Petersburg', country: 'RU', lat: 59.9311, lon: 30.3609 }, story: 'smuggled to St Petersburg; claims Finland' },
  {
    id: 'fra-h100-09',
    claims: 'DE',
    truth: { place: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68 },
    forgedMs: { fra: 0.4, tyo: 0.4 },
    story: 'measurements no single place can satisfy (1 ms from Frankfurt and Tokyo)',
  },
];

export function demoLandmarks(): Map<string, Landmark> {
  return new Map(LANDMARKS.map(([id, name, country, lat, lon]) => [id, { id, name, country, lat: degrees(lat), lon: degrees(lon) }]));
}

/** RTTs from each landmark: fibre along a stretched route, plus what each host adds or forges. */
export function demoTargets(landmarks: ReadonlyMap<string, Landmark>): Target[] {
  return DEMO_HOSTS.map((host) => {
    const truth = { lat: degrees(host.truth.lat), lon: degrees(host.truth.lon) };
    const rtts = new Map<string, Ms>();
    for (const [id, l] of landmarks) {
      const physical = syntheticRtt(l, truth);
      rtts.set(id, ms(host.forgedMs?.[id] ?? physical + (host.addsMs?.[id] ?? 0)));
    }
    return { id: host.id, rtts };
  });
}
