/**
 * Error codes of the Locus protocol: what a landmark tells a host, what a server answers a
 * landmark, and why a measurement or proof is refused. A code keeps its meaning forever and
 * is never reused; docs/errors.md lists every one (a test keeps the two in step).
 */
export const PROTOCOL_ERRORS = {
  LOCUS_ERR_PROTO_MALFORMED: 'A message is not JSON or does not match its schema.',
  LOCUS_ERR_PROTO_VERSION: 'A message carries a protocol version the peer does not speak.',
  LOCUS_ERR_PROTO_SEQUENCE: 'A message came out of order: an answer before the hello, or to a challenge not asked.',
  LOCUS_ERR_PROTO_SIGNATURE: "A challenge answer is not signed by the host key the host presented.",
  LOCUS_ERR_PROTO_TIMEOUT: 'The peer did not answer in time.',
  LOCUS_ERR_PROTO_BUSY: 'The landmark is at its connection limit; retry later.',
  LOCUS_ERR_MEASUREMENT_SIGNATURE: "A measurement's signature does not verify under its landmark's key.",
  LOCUS_ERR_MEASUREMENT_UNKNOWN_LANDMARK: 'A measurement names a landmark that is not registered, or was revoked.',
  LOCUS_ERR_MEASUREMENT_UNKNOWN_HOST: 'A measurement is of a host key that no node on the server has.',
  LOCUS_ERR_MEASUREMENT_STALE: 'A measurement is older than the accepted window, or dated in the future.',
  LOCUS_ERR_MEASUREMENT_REPLAYED: 'A measurement, or one of its nonces, was seen before.',
  LOCUS_ERR_PROOF_MALFORMED: 'A proof bundle is not JSON or does not match its schema.',
  LOCUS_ERR_PROOF_MISMATCH: 'A proof bundle does not hold together: a bad signature, a foreign measurement, or a verdict its measurements do not give.',
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;
