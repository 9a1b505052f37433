/**
 * The kinds of alert a server raises (docs/server.md, Alerts), as the alerts API answers them and
 * its filters and mute rules name them. Apart from the rest of the package (no dependency), so that
 * the dashboard's bundle takes this list, not a copy of it.
 */
export const ALERT_KINDS = ['restricted', 'claim-contradicted', 'empty-region', 'impossible-travel', 'landmark-inconsistent', 'landmark-silent', 'gpu-health', 'gpu-missing', 'duplicate-gpu', 'node-silent'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
