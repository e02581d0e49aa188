/**
 * Outgoing webhook requests, made safe to point at any URL a site admin types:
 *
 * - the host is resolved first (`dns.lookup`, every address) and refused when any address is loopback,
 *   private, shared (CGNAT), link-local, unique-local, unspecified, multicast, reserved or documentation
 *   space (also in IPv4-mapped, NAT64 and 6to4 forms), unless the operator allows it (WEBHOOK_ALLOW_PRIVATE);
 * - the connection goes to the address that was checked (the socket's `lookup` answers it), so a DNS answer
 *   that changes between the check and the connect (rebinding) cannot swap it;
 * - redirects are never followed (a 3xx is a failed attempt), proxies from the environment are ignored;
 * - one deadline covers connecting, the answer and reading its first bytes; only the first KiB of the body is
 *   read (for the error text), then the connection is dropped.
 *
 * Any 2xx answer means delivered.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';

/** What the response body may add to an attempt's error text. */
const KEPT_BODY_BYTES = 1024;

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address an IPv6 one embeds (IPv4-mapped, NAT64 well-known prefix, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const toV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const allZero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:a.b.c.d written in hex, and 64:ff9b::/96.
  if (allZero(0, 5) && groups[5] === 0xffff) return toV4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && allZero(2, 6)) return toV4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return toV4(groups[1]!, groups[2]!);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (without a zone), or undefined when it is not one. */
function expandIpv6(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  const groups = [...left, ...Array<number>(fill).fill(0), ...right];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Whether `address` (an IP) is anything but a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined && blocked.check(v4, 'ipv4')) return true;
  return blocked.check(address.split('%')[0]!, 'ipv6');
}

/** Why a request was not even attempted: the URL's host is not public (or does not resolve). */
export class RefusedDestinationError extends Error {
  override readonly name = 'RefusedDestinationError';
}

/** Resolves `url`'s host and picks the address to connect to, refusing non-public ones unless allowed. */
export async function resolveDestination(url: URL, allowPrivate: boolean): Promise<LookupAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true, verbatim: true }, (error, found) =>
        error ? reject(error) : resolve(found),
      ),
    );
  } catch (error) {
    throw new RefusedDestinationError(
      `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'lookup failed'}`,
    );
  }
  if (addresses.length === 0) throw new RefusedDestinationError(`cannot resolve ${host}: no address`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad) {
      const named = bad.address === host ? host : `${host} resolves to ${bad.address}, which`;
      throw new RefusedDestinationError(
        `refused: ${named} is a private, loopback, link-local or otherwise non-public address`,
      );
    }
  }
  return addresses[0]!;
}

/** A `lookup` for sockets that answers the already-checked address whatever the name. */
function pinnedLookup(pinned: LookupAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [pinned]);
    } else callback(null, pinned.address, pinned.family);
  };
}

export interface SafePostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the request early (the server is stopping). */
  signal?: AbortSignal;
}

export interface SafePostResult {
  ok: boolean;
  /** The receiver's status; null when no answer came. */
  status: number | null;
  /** Why the attempt failed (null when ok): short, without the request's body or headers. */
  error: string | null;
  durationMs: number;
}

/** Reads at most `KEPT_BODY_BYTES` of `stream` (within the deadline), then drops it. */
async function firstBytes(stream: Readable, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) break;
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= KEPT_BODY_BYTES) break;
    }
  } catch {
    // A reset or an abort mid-body: what arrived is enough for an error text.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, KEPT_BODY_BYTES).toString('utf8');
}

/** Rejects when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(Object.assign(new Error('aborted'), { name: 'CanceledError' }));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

const oneLine = (text: string, max = 300) => text.replace(/\s+/g, ' ').trim().slice(0, max);

/** POSTs `body` to `url` with `headers` under the rules above. Never throws. */
export async function safePost(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SafePostOptions,
): Promise<SafePostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, status: null, error: 'invalid URL', durationMs: elapsed() };
  }
  try {
    // The resolver has no deadline of its own: the attempt's covers it.
    const pinned = await Promise.race([resolveDestination(target, options.allowPrivate), aborted(signal)]);
    const lookup = pinnedLookup(pinned);
    const agentOptions = { keepAlive: false, lookup };
    const { default: axios } = await import('axios');
    const response = await axios.post<Readable>(url, body, {
      headers,
      timeout: options.timeoutMs,
      signal,
      maxRedirects: 0,
      proxy: false,
      responseType: 'stream',
      // Only the stream's first KiB is ever read; these bound the buffered paths too.
      maxContentLength: 64 * 1024,
      maxBodyLength: Buffer.byteLength(body) + 1,
      validateStatus: () => true,
      decompress: false,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      transformRequest: [(data: unknown) => data],
    });
    const status = response.status;
    const text = await firstBytes(response.data, signal);
    if (status >= 200 && status < 300) return { ok: true, status, error: null, durationMs: elapsed() };
    const what = status >= 300 && status < 400 ? `redirect not followed (HTTP ${status})` : `HTTP ${status}`;
    const detail = oneLine(text);
    return { ok: false, status, error: detail ? `${what}: ${detail}` : what, durationMs: elapsed() };
  } catch (error) {
    return { ok: false, status: null, error: describeFailure(error, options), durationMs: elapsed() };
  }
}

function describeFailure(error: unknown, options: SafePostOptions): string {
  if (error instanceof RefusedDestinationError) return error.message;
  if (options.signal?.aborted) return 'aborted: the server is shutting down';
  const e = error as { code?: string; message?: string; name?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError') {
    return `timed out after ${options.timeoutMs} ms`;
  }
  return oneLine(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`);
}
