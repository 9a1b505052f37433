export * from './config.js';
export * from './host-session.js';
export * from './server.js';
export * from './keyfile.js';
export * from './delivery.js';
export * from './spool.js';
export * from './calibration.js';
export * from './file-limit.js';
