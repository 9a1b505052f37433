/**
 * @locus/protocol — the wire: versioned schemas (zod), canonical JSON, Ed25519 signatures
 * with purpose tags, and the protocol's error codes. Depends on nothing of ours; so it also holds
 * the one file-system helper every app and package needs alike (makeDirectory).
 */
export * from './canonical.js';
export * from './base64url.js';
export * from './keys.js';
export * from './weak-keys.js';
export * from './messages.js';
export * from './countries.js';
export * from './versions.js';
export * from './challenge.js';
export * from './errors.js';
export * from './proof.js';
export * from './keyfile.js';
export * from './agent.js';
export * from './report.js';
export * from './sample-columns.js';
export * from './batch-scan.js';
export * from './alert-kinds.js';
export * from './directory.js';
