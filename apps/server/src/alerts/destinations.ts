import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { DEFAULT_ORG } from '../config.js';

/**
 * Addresses that are not the public internet's: this machine, private and shared networks,
 * link-local (a cloud's metadata service, 169.254.169.254), and the unspecified, multicast and
 * reserved ranges. A webhook of an organization other than the operator's reaches none of them
 * unless the operator allows it (--webhook-allow): otherwise any tenant's admin could have the
 * server POST into the operator's own network, and read each attempt's status in the delivery log.
 */
const NOT_PUBLIC: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** An IPv4 address an IPv6 one carries (::ffff:10.0.0.1, or its hex form), else the address as given. */
function unmapped(address: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return address;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** A URL's host as an address or name, without the brackets of an IPv6 address. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** An address or CIDR range as --trust-proxy and --webhook-allow take them; undefined if it is neither. */
export function parseCidr(entry: string): { readonly address: string; readonly bits: number; readonly family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 6 ? 128 : 32;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max)) return undefined;
  return { address, bits: bits === undefined ? max : Number(bits), family: version === 6 ? 'ipv6' : 'ipv4' };
}

/** Where an organization's webhooks may be delivered: public addresses, and the ranges the operator allows. */
export class WebhookDestinations {
  readonly #notPublic = new BlockList();
  readonly #allowed = new BlockList();
  readonly #allow: readonly string[];
  /**
   * Connections of checked deliveries, kept apart: a connection made for the operator's
   * organization (unchecked) is never reused for another's.
   */
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent };

  /** `allow`: addresses or CIDR ranges (checked before: parseCidr) that webhooks may reach although not public. */
  constructor(allow: readonly string[]) {
    for (const [address, bits, family] of NOT_PUBLIC) this.#notPublic.addSubnet(address, bits, family);
    for (const entry of allow) {
      const range = parseCidr(entry);
      if (!range) throw new Error(`webhook destinations: "${entry}" is not an IP address or CIDR range`);
      this.#allowed.addSubnet(range.address, range.bits, range.family);
    }
    this.#allow = allow;
    this.agents = { http: new HttpAgent({ keepAlive: true, lookup: this.lookup() }), https: new HttpsAgent({ keepAlive: true, lookup: this.lookup() }) };
  }

  /** Closes the connections kept for deliveries. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The checks for an organization's webhooks: none for the operator's, which reaches any address. */
  checkFor(orgId: string): WebhookDestinations | undefined {
    return orgId === DEFAULT_ORG ? undefined : this;
  }

  /** Whether a webhook may be delivered to this IP address. */
  permits(address: string): boolean {
    const plain = unmapped(address);
    const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return this.#allowed.check(plain, family) || !this.#notPublic.check(plain, family);
  }

  /** Why a host's addresses are refused, for the delivery log and the API's answer. */
  refusal(host: string, addresses: readonly string[]): string {
    const allowed = this.#allow.length > 0 ? `, or in the ranges the operator allows (${this.#allow.join(', ')})` : '';
    const what = addresses.length === 1 && addresses[0] === host ? host : `${host} (${addresses.join(', ')})`;
    return `${what} is not a public address: an organization's webhooks reach public addresses only${allowed}; the operator's organization reaches any, and the operator may allow more with --webhook-allow`;
  }

  /** Why a URL's host is refused when it is an IP address webhooks may not reach; undefined for a name or a permitted address. */
  refusedAddress(host: string): string | undefined {
    return isIP(host) !== 0 && !this.permits(host) ? this.refusal(host, [host]) : undefined;
  }

  /**
   * Why a webhook's URL is refused, when its host is an address that is refused or a name that
   * resolves to such addresses alone; undefined otherwise (a name that does not resolve now is
   * taken: its deliveries' log will say what it resolves to then). Deliveries are checked again as
   * they connect (lookup).
   */
  async refused(url: string): Promise<string | undefined> {
    const host = hostOf(new URL(url));
    if (isIP(host) !== 0) return this.refusedAddress(host);
    const found = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (error, addresses) => resolve(error ? [] : addresses)));
    return found.length > 0 && !found.some((a) => this.permits(a.address)) ? this.refusal(host, found.map((a) => a.address)) : undefined;
  }

  /**
   * A DNS lookup for the delivery's connection that answers only the addresses the webhook may
   * reach, so the address checked is the address connected to (a name that resolves to a public
   * address when the webhook is added and to a private one when it is sent gains nothing).
   */
  lookup(): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const permitted = found.filter((a) => this.permits(a.address));
        if (permitted.length === 0) return callback(Object.assign(new Error(this.refusal(hostname, found.map((a) => a.address))), { code: 'LOCUS_WEBHOOK_DESTINATION' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, addresses: LookupAddress[]) => void)(null, permitted);
        callback(null, permitted[0]!.address, permitted[0]!.family);
      });
    };
  }
}

/** How a delivery is sent, answering the receiver's status: fetch's shape, so that tests may hand the engine a fetch of their own. */
export type WebhookSend = (url: string, init: { readonly method: string; readonly headers: Record<string, string>; readonly body: string; readonly signal: AbortSignal }) => Promise<{ readonly status: number }>;

/** Connections of unchecked deliveries (the operator's organization's). */
const OPEN_AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Sends a delivery with Node's HTTP client, its connection's address checked by `destinations`
 * (none for the operator's organization: WebhookDestinations.checkFor). A redirect is an answer like any other (not followed:
 * it would lead past the check, and a receiver that moved should be edited).
 */
export function sendWebhook(destinations: WebhookDestinations | undefined): WebhookSend {
  const agents = destinations?.agents ?? OPEN_AGENTS;
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const refused = destinations?.refusedAddress(hostOf(target));
      if (refused) return reject(new Error(refused));
      const https = target.protocol === 'https:';
      const send = https ? httpsRequest : httpRequest;
      const req = send(target, { method: init.method, headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }, signal: init.signal, agent: https ? agents.https : agents.http }, (res) => {
        // The status is the answer; the body is read and dropped (or cut short with the attempt).
        res.on('error', () => undefined);
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      req.on('error', reject);
      req.end(init.body);
    });
}
