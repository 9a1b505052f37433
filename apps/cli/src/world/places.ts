import { degrees, type LatLon } from '@locus/geo';

const at = (lat: number, lon: number): LatLon => ({ lat: degrees(lat), lon: degrees(lon) });

/** Landmarks of the live demo, at large data-centre cities. */
export const WORLD_LANDMARKS: readonly { readonly id: string; readonly name: string; readonly country: string; readonly at: LatLon }[] = [
  { id: 'ash-1', name: 'Ashburn', country: 'US', at: at(39.0438, -77.4874) },
  { id: 'fra-1', name: 'Frankfurt', country: 'DE', at: at(50.1109, 8.6821) },
  { id: 'lon-1', name: 'London', country: 'GB', at: at(51.5074, -0.1278) },
  { id: 'tyo-1', name: 'Tokyo', country: 'JP', at: at(35.6762, 139.6503) },
  { id: 'sin-1', name: 'Singapore', country: 'SG', at: at(1.3521, 103.8198) },
  { id: 'bom-1', name: 'Mumbai', country: 'IN', at: at(19.076, 72.8777) },
  { id: 'gru-1', name: 'Sao Paulo', country: 'BR', at: at(-23.5505, -46.6333) },
  { id: 'syd-1', name: 'Sydney', country: 'AU', at: at(-33.8688, 151.2093) },
];

export interface WorldHost {
  /** Also the name the node is enrolled under. */
  readonly name: string;
  readonly zone: string;
  readonly claims: string;
  /** Where it really is: the demo's ground truth, which only the latency emulator knows. */
  readonly truth: { readonly place: string; readonly country: string; readonly at: LatLon };
  readonly gpus: string;
  /** Delay the host adds on purpose to each landmark, in ms (a smuggler hiding). */
  readonly padMs?: (landmarkId: string) => number;
  /** Faults injected into its simulated GPUs on first start. */
  readonly faults?: readonly string[];
  /** A second machine elsewhere that holds a copy of this host's agent key and answers the landmarks too. */
  readonly copiedTo?: { readonly place: string; readonly country: string; readonly at: LatLon };
  readonly story: string;
}

export const WORLD_HOSTS: readonly WorldHost[] = [
  { name: 'va-h100-01', zone: 'us-east (Virginia)', claims: 'US', truth: { place: 'Sterling, VA', country: 'US', at: at(39.0062, -77.4286) }, gpus: '8xH100', story: 'honest' },
  { name: 'va-h200-02', zone: 'us-east (Virginia)', claims: 'US', truth: { place: 'Manassas, VA', country: 'US', at: at(38.7509, -77.4753) }, gpus: '8xH200', faults: ['xid=79 gpu=3', 'remap=pending gpu=5'], story: 'honest; GPU 3 fell off the bus, GPU 5 waits for a reset' },
  { name: 'fra-h100-01', zone: 'eu-central (Frankfurt)', claims: 'DE', truth: { place: 'Offenbach', country: 'DE', at: at(50.0956, 8.7761) }, gpus: '8xH100', faults: ['thermal gpu=2'], story: 'honest; GPU 2 runs hot' },
  { name: 'fra-b200-02', zone: 'eu-central (Frankfurt)', claims: 'DE', truth: { place: 'Frankfurt', country: 'DE', at: at(50.12, 8.73) }, gpus: '8xB200', story: 'honest' },
  { name: 'sin-h100-01', zone: 'ap-southeast (Singapore)', claims: 'SG', truth: { place: 'Jurong', country: 'SG', at: at(1.3329, 103.7436) }, gpus: '8xH100', story: 'honest' },
  {
    name: 'sin-h100-07',
    zone: 'ap-southeast (Singapore)',
    claims: 'SG',
    truth: { place: 'Shenzhen', country: 'CN', at: at(22.5431, 114.0579) },
    gpus: '8xH100',
    padMs: (id) => (id === 'tyo-1' || id === 'sin-1' ? 25 : 5),
    story: 'smuggled to Shenzhen; claims Singapore and pads its delays',
  },
  {
    name: 'lon-h100-01',
    zone: 'eu-west (London)',
    claims: 'GB',
    truth: { place: 'Slough', country: 'GB', at: at(51.5105, -0.595) },
    gpus: '8xH100',
    copiedTo: { place: 'Guangzhou', country: 'CN', at: at(23.1291, 113.2644) },
    story: 'honest, but its agent identity was copied to a machine in Guangzhou that answers the landmarks too',
  },
];
