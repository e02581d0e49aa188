/**
 * The built widget bundle (`@synctalk/widget`'s `dist/widget.js` and its source map), read from disk once
 * and kept in memory with its hashes. Each read checks the file's mtime and size and reads it again when they
 * changed (a rebuild while the server runs is picked up). The files are found through the package's own
 * exports (`@synctalk/widget/widget.js`), resolved from this module, which works from the bundled server in
 * `dist/` and from the sources alike; a directory can be given instead (tests).
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compressed, contentHashes, type Compressed, type ContentHashes } from './static-response.js';

export const WIDGET_FILES = ['widget.js', 'widget.js.map'] as const;
export type WidgetFile = (typeof WIDGET_FILES)[number];

export interface WidgetAsset extends ContentHashes {
  body: Buffer;
  /** Its Brotli and gzip forms (widget.js is about a third of its size gzipped). */
  compressed: Compressed;
}

export interface WidgetAssets {
  /** `@synctalk/widget`'s version, or undefined when the package is not installed. */
  version: string | undefined;
  /** Where `widget.js` is (or will be once built); undefined when the package cannot be found. */
  locate(file: WidgetFile): string | undefined;
  /** The file's content and hashes, or undefined when it is not built. */
  read(file: WidgetFile): Promise<WidgetAsset | undefined>;
}

export interface WidgetAssetsOptions {
  /** A directory holding `widget.js` and `widget.js.map`; default: the installed `@synctalk/widget`. */
  dir?: string;
}

export const WIDGET_PACKAGE = '@synctalk/widget';
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

const require = createRequire(import.meta.url);

function packageVersion(): string | undefined {
  try {
    const file = require.resolve(`${WIDGET_PACKAGE}/package.json`);
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof version === 'string' && VERSION.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

/** The directory of the built bundle, through the package exports; undefined while it is not built. */
function builtDir(): string | undefined {
  try {
    return dirname(require.resolve(`${WIDGET_PACKAGE}/widget.js`));
  } catch {
    return undefined;
  }
}

export function widgetAssets(options: WidgetAssetsOptions = {}): WidgetAssets {
  const cache = new Map<string, { mtimeMs: number; size: number; asset: WidgetAsset }>();

  function locate(file: WidgetFile): string | undefined {
    const dir = options.dir ?? builtDir();
    return dir === undefined ? undefined : join(dir, file);
  }

  return {
    version: packageVersion(),
    locate,
    async read(file) {
      const path = locate(file);
      if (path === undefined) return undefined;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) {
        cache.delete(path);
        return undefined;
      }
      const cached = cache.get(path);
      if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.asset;
      const body = await readFile(path).catch(() => undefined);
      if (body === undefined) return undefined;
      const asset = { body, ...contentHashes(body), compressed: compressed(body) };
      cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, asset });
      return asset;
    },
  };
}
