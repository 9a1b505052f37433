export * from './app.js';
export * from './auth.js';
export * from './clock.js';
export * from './config.js';
export * from './errors.js';
export { parseCidr } from './alerts/destinations.js';
export { TOKEN_MAX_LIFETIME_S, TOKEN_NAME_MAX_CHARS } from './routes/tokens.js';
export * from './start.js';
export { Verification, type IngestOutcome, type NodeVerdict } from './verification.js';
