/** @locus/proof — accept signed measurements, build proof bundles, verify them offline. */
export * from './record.js';
export * from './bounds.js';
export * from './gate.js';
export * from './build.js';
export * from './verify.js';
