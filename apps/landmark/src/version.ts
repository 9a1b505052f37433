/**
 * The landmark's version, named in the User-Agent of its deliveries (the server shows it on each
 * landmark, to follow a rolling upgrade). A constant rather than read from package.json: a bundle
 * has none beside it. A test keeps the two equal.
 */
export const LANDMARK_VERSION = '0.1.0';
