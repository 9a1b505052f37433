export * from './rtt-model.js';
export * from './planner.js';
export * from './reasons.js';
export * from './coverage.js';
