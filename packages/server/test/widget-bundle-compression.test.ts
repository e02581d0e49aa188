/**
 * The widget bundle goes out compressed to clients that accept it: Brotli first, else gzip, each decoding to
 * the exact file, under its own ETag (revalidated like the plain one), with `Vary: Accept-Encoding`; clients
 * that accept neither get the file as it is.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { widgetVersion } from './helpers/widget-build.js';

/** A raw GET (fetch would decode the body and hide the encoding). */
function raw(url: string, headers: Record<string, string>) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describeWith(['postgres'], 'widget bundle compression: Brotli, gzip, identity', () => {
  const f = useWidgetFixture('widget_compression');
  let t: TestServer;

  beforeAll(async () => {
    t = await f.start();
  });

  const hash = (body: Buffer) => createHash('sha384').update(body).digest('base64url');

  for (const path of ['/widget.js', `/widget/${widgetVersion}/widget.js`]) {
    it(`${path}: Brotli when accepted, decoding to the exact file`, async () => {
      const res = await raw(`${t.url}${path}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(res.headers.etag).toBe(`"${hash(f.build.js)}-br"`);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(brotliDecompressSync(res.body)).toEqual(f.build.js);
    });

    it(`${path}: gzip when Brotli is not accepted`, async () => {
      const res = await raw(`${t.url}${path}`, { 'accept-encoding': 'gzip' });
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers.etag).toBe(`"${hash(f.build.js)}-gzip"`);
      expect(gunzipSync(res.body)).toEqual(f.build.js);
    });

    it(`${path}: the file as it is when no encoding is accepted`, async () => {
      const variants: Record<string, string>[] = [
        {},
        { 'accept-encoding': 'identity' },
        { 'accept-encoding': 'br;q=0, gzip;q=0' },
      ];
      for (const headers of variants) {
        const res = await raw(`${t.url}${path}`, headers);
        expect(res.headers['content-encoding']).toBeUndefined();
        expect(res.headers.vary).toMatch(/accept-encoding/i);
        expect(res.body).toEqual(f.build.js);
      }
    });
  }

  it('revalidates each encoding by its own ETag', async () => {
    const br = await raw(`${t.url}/widget.js`, { 'accept-encoding': 'br' });
    const again = await raw(`${t.url}/widget.js`, {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag as string,
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // The Brotli ETag does not validate the gzip representation.
    const other = await raw(`${t.url}/widget.js`, {
      'accept-encoding': 'gzip',
      'if-none-match': br.headers.etag as string,
    });
    expect(other.status).toBe(200);
    expect(gunzipSync(other.body)).toEqual(f.build.js);
  });
});
