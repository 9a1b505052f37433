const enc = encodeURIComponent;

/** The API's paths, in one place. */
export const paths = {
  summary: '/api/v1/fleet/summary',
  me: '/api/v1/me',
  changes: '/api/v1/changes',
  landmarks: '/api/v1/landmarks',
  /** The operator's organization only. */
  landmarkStatus: '/api/v1/landmarks/status',
  nodes: '/api/v1/nodes',
  node: (id: string) => `/api/v1/nodes/${enc(id)}`,
  inventory: (id: string) => `/api/v1/nodes/${enc(id)}/inventory`,
  verdict: (id: string) => `/api/v1/nodes/${enc(id)}/verdict`,
  verdicts: (id: string) => `/api/v1/nodes/${enc(id)}/verdicts`,
  region: (id: string) => `/api/v1/nodes/${enc(id)}/region`,
  events: (id: string) => `/api/v1/nodes/${enc(id)}/events`,
  samples: (id: string) => `/api/v1/nodes/${enc(id)}/samples`,
  /** `at`: the proof at that past time (a stored verdict's computedAt gives that verdict). */
  proof: (id: string, at?: string) => `/api/v1/nodes/${enc(id)}/proof${at === undefined ? '' : `?at=${enc(at)}`}`,
  telemetry: (id: string) => `/api/v1/nodes/${enc(id)}/telemetry`,
  fleetMap: '/api/v1/fleet/map',
  alerts: '/api/v1/alerts',
  resolveAlert: (id: string) => `/api/v1/alerts/${enc(id)}/resolve`,
  muteRules: '/api/v1/mute-rules',
  muteRule: (id: string) => `/api/v1/mute-rules/${enc(id)}`,
  webhooks: '/api/v1/webhooks',
  webhook: (id: string) => `/api/v1/webhooks/${enc(id)}`,
  /** A webhook's delivery log, newest first: of one status or all, before the `next` of an earlier page. */
  deliveries: (id: string, query: { readonly status?: string | undefined; readonly before?: string | undefined } = {}) => {
    const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
    return `/api/v1/webhooks/${enc(id)}/deliveries${q.size === 0 ? '' : `?${q}`}`;
  },
  webhookTest: (id: string) => `/api/v1/webhooks/${enc(id)}/test`,
  redeliver: (id: string, deliveryId: string) => `/api/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`,
  reports: '/api/v1/reports',
  report: (id: string) => `/api/v1/reports/${enc(id)}`,
  reportSignature: (id: string) => `/api/v1/reports/${enc(id)}/signature`,
  tokens: '/api/v1/tokens',
  token: (id: string) => `/api/v1/tokens/${enc(id)}`,
  enrollmentTokens: '/api/v1/enrollment-tokens',
  zones: '/api/v1/zones',
  zone: (id: string) => `/api/v1/zones/${enc(id)}`,
  zoneRegions: (id: string) => `/api/v1/zones/${enc(id)}/regions`,
} as const;
