/**
 * Who sent a request, per TRUST_PROXY: the one rule every per-address limit, log and origin check uses.
 *
 * - `false`: the socket peer is the client; `X-Forwarded-*` headers are ignored.
 * - `{ hops: n }`: n reverse proxies stand in front of the server, each appending the address it was
 *   contacted from to `X-Forwarded-For`. The client is the n-th entry from the right; entries further left are
 *   whatever the client itself sent and are never read. `X-Forwarded-Proto`/`-Host` are believed.
 * - `{ cidrs }`: only a peer whose address is in the list is a proxy. From such a peer, `X-Forwarded-For` is
 *   walked right to left skipping listed addresses, and the first other entry is the client;
 *   `X-Forwarded-Proto`/`-Host` are believed only from such a peer.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../config.js';

/** What is read of a request: its headers and the socket peer's address. */
export interface PeerRequest {
  headers: IncomingHttpHeaders;
  socket?: { remoteAddress?: string | undefined } | null;
}

const lists = new WeakMap<readonly string[], BlockList>();

function blockList(cidrs: readonly string[]): BlockList {
  let list = lists.get(cidrs);
  if (!list) {
    list = new BlockList();
    for (const entry of cidrs) {
      const [address = '', bits] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(bits), type);
    }
    lists.set(cidrs, list);
  }
  return list;
}

/** Whether `address` is one of the `cidrs` (IPv4-mapped IPv6 addresses match their IPv4 form). */
export function isTrustedAddress(cidrs: readonly string[], address: string | undefined): boolean {
  const family = isIP(address ?? '');
  if (!address || family === 0) return false;
  return blockList(cidrs).check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Whether a request from `peer` may tell the public scheme and host (`X-Forwarded-Proto`/`-Host`). */
export function forwardedHeadersTrusted(trustProxy: TrustProxy, peer: string | undefined): boolean {
  if (trustProxy === false) return false;
  if ('hops' in trustProxy) return trustProxy.hops > 0;
  return isTrustedAddress(trustProxy.cidrs, peer);
}

/** The non-empty entries of `X-Forwarded-For`, left to right (repeated headers count as one list). */
export function forwardedFor(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The client's address for a request from `peer` carrying `X-Forwarded-For: header`; `''` when the peer is
 * unknown (a socket already closed) and no trusted proxy names the client.
 */
export function clientAddress(
  trustProxy: TrustProxy,
  peer: string | undefined,
  header: string | string[] | undefined,
): string {
  const fallback = peer ?? '';
  if (trustProxy === false) return fallback;
  const entries = forwardedFor(header);
  if ('hops' in trustProxy) {
    if (trustProxy.hops === 0 || entries.length === 0) return fallback;
    return entries[Math.max(0, entries.length - trustProxy.hops)]!;
  }
  if (!isTrustedAddress(trustProxy.cidrs, peer)) return fallback;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    if (!isTrustedAddress(trustProxy.cidrs, entries[i])) return entries[i]!;
  }
  // Every hop is a trusted proxy: the furthest one known is as close to the client as it gets.
  return entries[0] ?? fallback;
}

/** `clientAddress` of an incoming request (Node's `IncomingMessage`, a Socket.IO handshake's `request`). */
export function requestClientAddress(req: PeerRequest, trustProxy: TrustProxy): string {
  return clientAddress(trustProxy, req.socket?.remoteAddress, req.headers['x-forwarded-for']);
}
