/**
 * Webhook signatures. Every delivery carries `SyncTalk-Signature: t=<unix seconds>,v1=<hex>`, where the hex
 * is HMAC-SHA256, keyed with the endpoint's secret, over `<t>.<raw body>`. While a rotated secret overlaps
 * the new one, the header carries one `v1=` per secret. A receiver recomputes it over the exact bytes it
 * received and refuses a timestamp older (or newer) than its tolerance, so a captured delivery cannot be
 * replayed later. Made with node:crypto alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookEvent } from '../protocol/webhooks.js';

/**
 * The header carrying the signature.
 *
 * @example
 * ```ts
 * const signature = req.headers[WEBHOOK_SIGNATURE_HEADER]; // 't=1733430000,v1=5f2b…'
 * ```
 */
export const WEBHOOK_SIGNATURE_HEADER = 'synctalk-signature';

/**
 * The header carrying the event's id (also in the body): the same on every retry of that event.
 *
 * @example
 * ```ts
 * if (seen.has(req.headers[WEBHOOK_EVENT_ID_HEADER])) return res.end();
 * ```
 */
export const WEBHOOK_EVENT_ID_HEADER = 'synctalk-event-id';

/**
 * How old (or how far ahead) a signature's timestamp may be by default: 5 minutes.
 *
 * @example
 * ```ts
 * verifyWebhook(body, headers, secret, { toleranceSeconds: DEFAULT_WEBHOOK_TOLERANCE * 2 });
 * ```
 */
export const DEFAULT_WEBHOOK_TOLERANCE = 300;

/**
 * Why `verifyWebhook` refused a request.
 *
 * @example
 * ```ts
 * const reason: WebhookVerificationReason = 'stale';
 * ```
 */
export type WebhookVerificationReason =
  'missing_signature' | 'malformed_signature' | 'stale' | 'mismatch' | 'invalid_body';

/**
 * Thrown by `verifyWebhook`: answer the request with 400 (or 401) and do nothing else.
 *
 * @example
 * ```ts
 * try {
 *   verifyWebhook(body, req.headers, secret);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return res.writeHead(400).end(error.reason);
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Options of `verifyWebhook`.
 *
 * @example
 * ```ts
 * const options: VerifyWebhookOptions = { toleranceSeconds: 60 };
 * ```
 */
export interface VerifyWebhookOptions {
  /** How far the signature's timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in ms since the epoch (default `Date.now()`); for tests. */
  now?: number;
}

/** The headers of a request: Node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain record. */
type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(',') : value;
}

function hmac(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/**
 * The `SyncTalk-Signature` header value for `body` at `timestamp` (unix seconds), one `v1=` per secret.
 * The server signs with it; use it to test your receiver.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(event);
 * const signature = signWebhook(body, 'whsec_…', Math.floor(Date.now() / 1000));
 * await fetch(receiverUrl, { method: 'POST', body, headers: { 'synctalk-signature': signature } });
 * ```
 */
export function signWebhook(
  body: string | Uint8Array,
  secret: string | readonly string[],
  timestamp: number,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('signWebhook needs at least one secret');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, body).toString('hex')}`)].join(
    ',',
  );
}

/**
 * Checks a webhook request and returns its event: the signature must match `secret` (or one of several,
 * while you rotate) over the raw body, and its timestamp must be within the tolerance. Pass the body
 * exactly as received (a string or bytes), before any JSON parsing.
 *
 * @throws {WebhookVerificationError} when the signature is missing, malformed, stale or wrong, or the body
 *   is not an event.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from '@synctalk/sdk/server';
 *
 * const event = verifyWebhook(rawBody, req.headers, process.env.SYNCTALK_WEBHOOK_SECRET!);
 * if (event.type === 'message.created') await notifyOfflineMembers(event.data.message);
 * ```
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: HeaderSource,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): WebhookEvent {
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE;
  const value = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!value) throw new WebhookVerificationError('missing_signature', 'No SyncTalk-Signature header');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const [key, v] = part.trim().split('=', 2);
    if (key === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (key === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) signatures.push(Buffer.from(v, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookVerificationError('malformed_signature', 'SyncTalk-Signature has no t= or no v1=');
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale',
      `The signature's timestamp is ${now - timestamp} s from now (tolerance ${tolerance} s)`,
    );
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const matches = secrets.some((s) => {
    const expected = hmac(s, timestamp, body);
    return signatures.some((given) => timingSafeEqual(given, expected));
  });
  if (!matches) throw new WebhookVerificationError('mismatch', 'The signature does not match the body');
  let event: unknown;
  try {
    event = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The body is not JSON');
  }
  const e = event as Partial<WebhookEvent> | null;
  if (!e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.type !== 'string' || !e.data) {
    throw new WebhookVerificationError('invalid_body', 'The body is not a SyncTalk webhook event');
  }
  return event as WebhookEvent;
}
