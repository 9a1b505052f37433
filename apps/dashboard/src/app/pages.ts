import type { Route } from '../router/routes.js';

/** What a role needs to see each page (the API refuses the rest anyway; this keeps the UI honest). */
export const PAGE_PERMISSION: Readonly<Record<Route['page'], string | null>> = {
  overview: 'verdicts:read',
  nodes: 'fleet:read',
  node: 'fleet:read',
  gpu: 'fleet:read',
  zone: 'verdicts:read',
  alerts: 'fleet:read',
  reports: 'reports:read',
  enrollment: 'fleet:write',
  settings: null,
  landmarks: 'landmarks:read',
  'not-found': null,
};

/** The main navigation: a link shows only to roles that may open its page. */
export const NAV: readonly { readonly href: string; readonly label: string; readonly pages: readonly Route['page'][] }[] = [
  { href: '/', label: 'Overview', pages: ['overview', 'zone'] },
  { href: '/nodes', label: 'Nodes', pages: ['nodes', 'node', 'gpu'] },
  { href: '/alerts', label: 'Alerts', pages: ['alerts'] },
  { href: '/reports', label: 'Reports', pages: ['reports'] },
  { href: '/landmarks', label: 'Landmarks', pages: ['landmarks'] },
  { href: '/enrollment', label: 'Enrollment', pages: ['enrollment'] },
  { href: '/settings', label: 'Settings', pages: ['settings'] },
];
