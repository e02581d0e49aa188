/**
 * The widget's size budget, as pure functions: gzip size (level 9, as a CDN would serve it), the SRI hash
 * hosts put in `integrity=`, and the check against the budgets. `size.ts` runs them on the build output.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** widget.js, minified and gzipped, must stay within this. */
export const WIDGET_GZIP_BUDGET = 35 * 1024;
/** The loader stub hosts paste into their pages: its minified bytes must stay under this. */
export const LOADER_RAW_BUDGET = 1024;

export interface FileSize {
  /** Minified bytes as built. */
  raw: number;
  /** The same bytes gzipped at level 9. */
  gzip: number;
}

export function measure(bytes: Uint8Array): FileSize {
  return { raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}

/** Subresource Integrity value for `<script integrity="…">`: `sha384-` + base64 of the digest. */
export function integrity(bytes: Uint8Array): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** `34.2 KB (35,021 B)`: kilobytes of 1024 bytes, and the exact count. */
export function formatBytes(n: number): string {
  return `${(n / 1024).toFixed(1)} KB (${n.toLocaleString('en')} B)`;
}

/** One line per broken budget; empty when both hold. */
export function budgetFailures(sizes: { widget: FileSize; loader: FileSize }): string[] {
  const failures: string[] = [];
  if (sizes.widget.gzip > WIDGET_GZIP_BUDGET) {
    failures.push(
      `dist/widget.js is ${formatBytes(sizes.widget.gzip)} min+gzip, over the budget of ` +
        `${formatBytes(WIDGET_GZIP_BUDGET)} by ${(sizes.widget.gzip - WIDGET_GZIP_BUDGET).toLocaleString('en')} B`,
    );
  }
  if (sizes.loader.raw >= LOADER_RAW_BUDGET) {
    failures.push(
      `dist/loader.js is ${sizes.loader.raw.toLocaleString('en')} B minified; the loader must stay under ` +
        `${LOADER_RAW_BUDGET.toLocaleString('en')} B`,
    );
  }
  return failures;
}

/** The report `size.ts` prints, one file per line, then the SRI hash of widget.js. */
export function formatReport(
  version: string,
  sizes: { widget: FileSize; loader: FileSize },
  widgetIntegrity: string,
): string {
  const row = (name: string, s: FileSize, budget: string) =>
    `  ${name.padEnd(10)} ${formatBytes(s.raw).padStart(20)} min   ${formatBytes(s.gzip).padStart(18)} min+gzip   ${budget}`;
  return [
    `@synctalk/widget ${version}`,
    row('widget.js', sizes.widget, `budget ${formatBytes(WIDGET_GZIP_BUDGET)} min+gzip`),
    row('loader.js', sizes.loader, `budget < ${LOADER_RAW_BUDGET.toLocaleString('en')} B min`),
    `  integrity  ${widgetIntegrity}`,
  ].join('\n');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one source-map segment (base64 VLQ) into its signed fields. */
export function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`bad source map segment "${segment}"`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value % 2 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return fields;
}

/**
 * Where a bundle's bytes come from: how many characters of `code` each source of its source map produced
 * (`(unmapped)` for code no source claims). Characters, not bytes, but a minified bundle is nearly all ASCII.
 */
export function charsBySource(
  code: string,
  map: { sources: string[]; mappings: string },
): Map<string, number> {
  const out = new Map<string, number>();
  const add = (source: string, n: number) => out.set(source, (out.get(source) ?? 0) + n);
  const mappings = map.mappings.split(';');
  let source = 0;
  code.split('\n').forEach((text, i) => {
    const segments = (mappings[i] ?? '').split(',').filter(Boolean);
    let column = 0;
    let previous: { column: number; source: string } | undefined;
    for (const segment of segments) {
      const [dColumn = 0, dSource] = decodeSegment(segment);
      column += dColumn;
      // Code before a line's first mapping belongs to no source.
      if (previous) add(previous.source, column - previous.column);
      else if (column > 0) add('(unmapped)', Math.min(column, text.length));
      if (dSource !== undefined) source += dSource;
      previous = {
        column,
        source: dSource === undefined ? '(unmapped)' : (map.sources[source] ?? '(unmapped)'),
      };
    }
    if (previous) add(previous.source, text.length - previous.column);
    else if (text.length > 0) add('(unmapped)', text.length);
  });
  return out;
}

/** The package (or widget source folder) a source-map path belongs to, for the size breakdown. */
export function sourceGroup(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = source.slice(modules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (/(^|\/)sdk\/src\//.test(source)) return '@synctalk/sdk';
  const own = /(?:^|\/)src\/([^/]+)\//.exec(source);
  if (own) return `widget src/${own[1]}`;
  if (/(?:^|\/)src\/[^/]+$/.test(source)) return 'widget src/*.ts';
  return source;
}

/** `charsBySource` summed per `sourceGroup`, largest first. */
export function sizeByGroup(bySource: Map<string, number>): [group: string, chars: number][] {
  const groups = new Map<string, number>();
  for (const [source, n] of bySource) {
    const group = sourceGroup(source);
    groups.set(group, (groups.get(group) ?? 0) + n);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}
