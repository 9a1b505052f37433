/**
 * @locus/geo — pure location math: round-trip-time bounds, feasible regions on the sphere,
 * and sound country verdicts. No I/O; country borders come in as data.
 */
export * from './units.js';
export * from './constants.js';
export * from './vec3.js';
export * from './speed.js';
export * from './bound.js';
export * from './cap.js';
export * from './region.js';
export * from './measure.js';
export * from './countries.js';
export * from './verdict.js';
export * from './synthetic.js';
export * from './outline.js';
export * from './travel.js';
export * from './contradiction.js';
export * from './plan/index.js';
export type { World, Borders, CountryUnit } from './world/world.js';
export type { OverlayArea, LonLat } from './world/overlay.js';
// The review date only: the outlines themselves stay out of bundles that import helpers from here.
export * from './world/overlay-reviewed.js';
export { worldFromTopology, WorldDataError } from './world/from-topology.js';
export { unitsContaining } from './world/pip.js';
export { probeCoast, type CoastProbeOptions, type CoastProbeHit } from './world/coast-probe.js';
export { arcsMeetingRegion } from './world/query.js';

/** Bumped whenever a change to this package can change a verdict. */
export const GEO_ENGINE_VERSION = '1.9.0';
