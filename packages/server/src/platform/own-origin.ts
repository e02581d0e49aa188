/**
 * The server's own origin, as the browser that sent a request sees it. A page this server served (the demo
 * page) calls the API and opens sockets from that origin, so the per-site origin checks accept it whatever
 * PORT or host name the server runs on.
 *
 * The origin of a request is computed as Koa's `ctx.origin` computes it: `https` on a TLS socket, else the
 * first `X-Forwarded-Proto` when the request's peer is a trusted proxy (else `http`); the first
 * `X-Forwarded-Host` when the peer is a trusted proxy, else `Host`. Which peers are trusted is TRUST_PROXY's
 * rule in `client-address.ts`. When PUBLIC_URL is set, its origin is the only own origin: a Host header can
 * name anything (a DNS-rebinding page sends its own host), so a configured public URL is not second-guessed.
 */
import type { IncomingMessage } from 'node:http';
import type { TrustProxy } from '../config.js';
import { forwardedHeadersTrusted } from './client-address.js';

export interface OwnOriginOptions {
  /** TRUST_PROXY: from which peers to believe `X-Forwarded-Proto` and `X-Forwarded-Host`. */
  trustProxy: TrustProxy;
  /** PUBLIC_URL, when set. */
  publicUrl: string | undefined;
}

/** What is read of a request: its headers, whether it came over TLS and the socket peer's address. */
export type OriginRequest = Pick<IncomingMessage, 'headers' | 'socket'>;

function first(value: string | string[] | undefined): string {
  const one = Array.isArray(value) ? value[0] : value;
  return (one ?? '').split(',')[0]!.trim();
}

/** A bare host (`name`, `name:port`, `[v6]:port`): nothing a URL parser would read as path or credentials. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin the request was addressed to (`http://localhost:3000`), normalized as browsers serialize
 * origins (lower-case host, default port omitted); undefined when the headers do not make one.
 */
export function requestOrigin(req: OriginRequest, trustProxyOption: TrustProxy): string | undefined {
  const socket = req.socket as { encrypted?: boolean; remoteAddress?: string } | undefined;
  const trustProxy = forwardedHeadersTrusted(trustProxyOption, socket?.remoteAddress);
  const encrypted = socket?.encrypted === true;
  const forwardedProto = trustProxy ? first(req.headers['x-forwarded-proto']).toLowerCase() : '';
  const protocol = encrypted ? 'https' : forwardedProto || 'http';
  const host = (trustProxy && first(req.headers['x-forwarded-host'])) || first(req.headers.host);
  if ((protocol !== 'http' && protocol !== 'https') || !HOST.test(host)) return undefined;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/** PUBLIC_URL's origin, or undefined. */
export function publicOrigin(publicUrl: string | undefined): string | undefined {
  if (!publicUrl) return undefined;
  try {
    return new URL(publicUrl).origin;
  } catch {
    return undefined;
  }
}

/** Whether `origin` (a browser's Origin header) is this server's own origin for `req`. */
export function isOwnOrigin(origin: string, req: OriginRequest, options: OwnOriginOptions): boolean {
  const configured = publicOrigin(options.publicUrl);
  return origin === (configured ?? requestOrigin(req, options.trustProxy));
}

/**
 * The URL other sites reach this server at, without a trailing slash: PUBLIC_URL when set, else the
 * request's origin (undefined when neither makes one).
 */
export function serverBaseUrl(req: OriginRequest, options: OwnOriginOptions): string | undefined {
  return options.publicUrl?.replace(/\/+$/, '') ?? requestOrigin(req, options.trustProxy);
}
