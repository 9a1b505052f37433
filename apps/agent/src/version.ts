/**
 * The agent's version, sent in its inventory (the server lists and filters nodes by it, to follow
 * a rolling upgrade). A constant rather than read from package.json: the standalone bundle has
 * none beside it. A test keeps the two equal.
 */
export const AGENT_VERSION = '0.1.0';
