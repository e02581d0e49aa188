/**
 * Answers for static content (the widget bundle, the demo stylesheet): hashes, ETag revalidation, and
 * Brotli or gzip for clients that accept them.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type Koa from 'koa';

export type Encoding = 'br' | 'gzip';

/** Compressed forms of a body, made on first use (off the event loop) and then kept. */
export interface Compressed {
  get(encoding: Encoding): Promise<Buffer>;
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

export function compressed(body: Buffer): Compressed {
  const made = new Map<Encoding, Promise<Buffer>>();
  return {
    get(encoding) {
      let out = made.get(encoding);
      if (!out) {
        out =
          encoding === 'br'
            ? brotli(body, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                  [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
                },
              })
            : gz(body, { level: 9 });
        made.set(encoding, out);
      }
      return out;
    },
  };
}

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
 * names that ETag. HEAD gets the same headers without the body (Koa drops it). With `compressed`, a client
 * that accepts Brotli or gzip gets that encoding, under its own ETag (`"<hash>-br"`, `"<hash>-gzip"`): each
 * encoding is a representation of its own.
 */
export async function sendCached(
  ctx: Koa.Context,
  content: { body: Buffer | string; etag: string; compressed?: Compressed },
  options: { type: string; cacheControl: string },
): Promise<void> {
  let encoding: Encoding | undefined;
  if (content.compressed) {
    ctx.vary('Accept-Encoding');
    // Brotli whenever it is accepted (browsers list it after gzip), else gzip, else the plain file.
    encoding = ctx.acceptsEncodings('br') ? 'br' : ctx.acceptsEncodings('gzip') ? 'gzip' : undefined;
  }
  ctx.set('ETag', encoding ? `${content.etag.slice(0, -1)}-${encoding}"` : content.etag);
  ctx.set('Cache-Control', options.cacheControl);
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (encoding) ctx.set('Content-Encoding', encoding);
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = options.type;
  ctx.body = encoding ? await content.compressed!.get(encoding) : content.body;
}
