/**
 * @locus/netem — userspace network-latency emulation, for where `tc netem` is unavailable:
 * a TCP proxy that delays each direction of every connection as a link of given length would.
 */
export { startDelayProxy, type DelayProxy, type DelayProxyOptions } from './delay-proxy.js';
export type { Endpoint } from './proxied-connection.js';
export type { LinkDelay } from './link.js';
export { linkDelayBetween } from './geography.js';
