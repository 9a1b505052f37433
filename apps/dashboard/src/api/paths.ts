const enc = encodeURIComponent;

/** The API's paths, in one place. */
export const paths = {
  summary: '/api/v1/fleet/summary',
  landmarks: '/api/v1/landmarks',
  nodes: '/api/v1/nodes',
  node: (id: string) => `/api/v1/nodes/${enc(id)}`,
  inventory: (id: string) => `/api/v1/nodes/${enc(id)}/inventory`,
  verdict: (id: string) => `/api/v1/nodes/${enc(id)}/verdict`,
  region: (id: string) => `/api/v1/nodes/${enc(id)}/region`,
  events: (id: string) => `/api/v1/nodes/${enc(id)}/events`,
  samples: (id: string) => `/api/v1/nodes/${enc(id)}/samples`,
  proof: (id: string) => `/api/v1/nodes/${enc(id)}/proof`,
  zones: '/api/v1/zones',
  zone: (id: string) => `/api/v1/zones/${enc(id)}`,
  zoneRegions: (id: string) => `/api/v1/zones/${enc(id)}/regions`,
} as const;
