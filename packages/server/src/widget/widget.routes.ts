/**
 * The widget bundle, served for any website to load:
 *
 * - `GET /widget.js` (and `/widget.js.map`): the current build, cached briefly (5 minutes);
 * - `GET /widget/<version>/widget.js` (and `.map`): the same file under the package version, cached for a
 *   year as immutable; any other version is a 404;
 * - `GET /widget/<version>/integrity.json`: `{ version, url, integrity }` for `<script integrity=…>`.
 *
 * Clients that accept Brotli or gzip get it (each encoding with its own ETag, `Vary: Accept-Encoding`).
 * Every answer may be read from any origin (`Access-Control-Allow-Origin: *`, no credentials, so hosts can
 * use `crossorigin` and Subresource Integrity) and embedded cross-origin (`Cross-Origin-Resource-Policy`).
 * Files carry a strong ETag and answer `304` to a matching If-None-Match. An unbuilt bundle is a 404 saying
 * how to build it, never a 5xx.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { AppError } from '../platform/errors.js';
import { serverBaseUrl, type OwnOriginOptions } from '../platform/own-origin.js';
import { sendCached } from './static-response.js';
import { WIDGET_FILES, WIDGET_PACKAGE, type WidgetAssets, type WidgetFile } from './widget-assets.js';

export const LATEST_CACHE_CONTROL = 'public, max-age=300';
export const VERSIONED_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const TYPES: Record<WidgetFile, string> = {
  'widget.js': 'text/javascript; charset=utf-8',
  'widget.js.map': 'application/json; charset=utf-8',
};

export interface WidgetRoutesOptions {
  assets: WidgetAssets;
  /** For the absolute URL in integrity.json. */
  self: OwnOriginOptions;
}

/** The versioned URL path of the bundle. */
export function versionedPath(version: string): string {
  return `/widget/${version}/widget.js`;
}

function crossOrigin(ctx: Koa.Context): void {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
  ctx.set('X-Content-Type-Options', 'nosniff');
}

export function widgetRoutes(options: WidgetRoutesOptions): Router {
  const { assets } = options;
  const router = new Router();

  function assertVersion(version: string): string {
    if (assets.version === undefined || version !== assets.version) {
      throw new AppError(
        'not_found',
        assets.version === undefined
          ? `${WIDGET_PACKAGE} is not installed on this server`
          : `No widget version "${version.slice(0, 40)}" here; this server has ${assets.version}`,
      );
    }
    return version;
  }

  async function load(ctx: Koa.Context, file: WidgetFile) {
    const asset = await assets.read(file);
    if (!asset) {
      // Not cached: the next request after a build finds the file.
      ctx.set('Cache-Control', 'no-store');
      throw new AppError('not_found', `The widget is not built: run npm run build -w ${WIDGET_PACKAGE}`);
    }
    return asset;
  }

  for (const file of WIDGET_FILES) {
    router.get(`/${file}`, async (ctx) => {
      crossOrigin(ctx);
      const asset = await load(ctx, file);
      await sendCached(ctx, asset, { type: TYPES[file], cacheControl: LATEST_CACHE_CONTROL });
    });
    router.get(`/widget/:version/${file}`, async (ctx) => {
      crossOrigin(ctx);
      assertVersion(ctx.params.version!);
      const asset = await load(ctx, file);
      await sendCached(ctx, asset, { type: TYPES[file], cacheControl: VERSIONED_CACHE_CONTROL });
    });
  }

  router.get('/widget/:version/integrity.json', async (ctx) => {
    crossOrigin(ctx);
    const version = assertVersion(ctx.params.version!);
    const asset = await load(ctx, 'widget.js');
    // Revalidated every time: a rebuild under the same version changes the hash.
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = {
      version,
      url: `${serverBaseUrl(ctx.req, options.self) ?? ''}${versionedPath(version)}`,
      integrity: asset.integrity,
    };
  });

  return router;
}
