/** Answers for static content (the widget bundle, the demo stylesheet): hashes, ETag revalidation. */
import { createHash } from 'node:crypto';
import type Koa from 'koa';

export interface ContentHashes {
  /** A strong ETag: the content's hash, quoted. */
  etag: string;
  /** Subresource Integrity value, `sha384-…`. */
  integrity: string;
}

export function contentHashes(body: Buffer | string): ContentHashes {
  const digest = createHash('sha384').update(body).digest();
  return { etag: `"${digest.toString('base64url')}"`, integrity: `sha384-${digest.toString('base64')}` };
}

/**
 * Sends `content` with its ETag and `cacheControl`, or `304 Not Modified` when the request's If-None-Match
 * names that ETag. HEAD gets the same headers without the body (Koa drops it).
 */
export function sendCached(
  ctx: Koa.Context,
  content: { body: Buffer | string; etag: string },
  options: { type: string; cacheControl: string },
): void {
  ctx.set('ETag', content.etag);
  ctx.set('Cache-Control', options.cacheControl);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = options.type;
  ctx.body = content.body;
}
