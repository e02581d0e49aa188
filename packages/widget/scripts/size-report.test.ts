import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  LOADER_RAW_BUDGET,
  WIDGET_GZIP_BUDGET,
  budgetFailures,
  charsBySource,
  decodeSegment,
  formatBytes,
  formatReport,
  integrity,
  measure,
  sizeByGroup,
  sourceGroup,
} from './size-report.js';

describe('size report', () => {
  it('measures raw bytes and level-9 gzip bytes', () => {
    const text = Buffer.from('SyncTalk '.repeat(1000));
    const size = measure(text);
    expect(size.raw).toBe(9000);
    expect(size.gzip).toBe(gzipSync(text, { level: 9 }).byteLength);
    expect(size.gzip).toBeLessThan(200);
    expect(gunzipSync(gzipSync(text, { level: 9 })).equals(text)).toBe(true);
  });

  it('gives the SRI value browsers check: sha384- and the base64 digest', () => {
    const bytes = Buffer.from('alert(1)\n');
    const value = integrity(bytes);
    expect(value).toBe(`sha384-${createHash('sha384').update(bytes).digest('base64')}`);
    expect(value).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });

  it('passes sizes within the budgets and names each broken one', () => {
    const ok = { widget: { raw: 120_000, gzip: WIDGET_GZIP_BUDGET }, loader: { raw: 1023, gzip: 500 } };
    expect(budgetFailures(ok)).toEqual([]);

    const failures = budgetFailures({
      widget: { raw: 120_000, gzip: WIDGET_GZIP_BUDGET + 1 },
      loader: { raw: LOADER_RAW_BUDGET, gzip: 500 },
    });
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/widget\.js .* over the budget of 35\.0 KB .* by 1 B/);
    expect(failures[1]).toMatch(/loader\.js is 1,024 B minified; the loader must stay under 1,024 B/);
  });

  it('formats sizes in KB with the exact byte count and prints one line per file', () => {
    expect(formatBytes(35 * 1024)).toBe('35.0 KB (35,840 B)');
    const report = formatReport(
      '0.1.0',
      { widget: measure(randomBytes(2048)), loader: measure(Buffer.from('x')) },
      'sha384-abc',
    );
    expect(report.split('\n')).toEqual([
      '@synctalk/widget 0.1.0',
      expect.stringMatching(/^ {2}widget\.js +2\.0 KB \(2,048 B\) min .* min\+gzip {3}budget 35\.0 KB/),
      expect.stringMatching(/^ {2}loader\.js +0\.0 KB \(1 B\) min .* budget < 1,024 B min$/),
      '  integrity  sha384-abc',
    ]);
  });
});

describe('size breakdown from the source map', () => {
  it('decodes base64 VLQ segments, signs and continuation digits included', () => {
    expect(decodeSegment('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeSegment('GCAA')).toEqual([3, 1, 0, 0]);
    expect(decodeSegment('CDAA')).toEqual([1, -1, 0, 0]);
    expect(decodeSegment('2H')).toEqual([123]);
    expect(decodeSegment('3H')).toEqual([-123]);
    expect(() => decodeSegment('A!')).toThrow(/bad source map segment/);
  });

  it('counts the characters each source produced, and the unmapped ones', () => {
    // Line 0: a.ts from column 0, b.ts from column 3. Line 1: nothing at column 0, a.ts from column 1.
    const code = 'abcdef\nxy';
    const chars = charsBySource(code, { sources: ['a.ts', 'b.ts'], mappings: 'AAAA,GCAA;CDAA' });
    expect(Object.fromEntries(chars)).toEqual({ 'a.ts': 4, 'b.ts': 3, '(unmapped)': 1 });
    // A segment without a source (one field) ends the previous one.
    const partly = charsBySource('abcdef', { sources: ['a.ts'], mappings: 'AAAA,E' });
    expect(Object.fromEntries(partly)).toEqual({ 'a.ts': 2, '(unmapped)': 4 });
  });

  it("groups sources by package, the SDK, and the widget's source folders", () => {
    expect(sourceGroup('../../../node_modules/engine.io-client/build/esm/socket.js')).toBe(
      'engine.io-client',
    );
    expect(sourceGroup('../../../node_modules/@socket.io/component-emitter/lib/esm/index.js')).toBe(
      '@socket.io/component-emitter',
    );
    expect(sourceGroup('../../sdk/src/client/http.ts')).toBe('@synctalk/sdk');
    expect(sourceGroup('../src/ui/panel.ts')).toBe('widget src/ui');
    expect(sourceGroup('../src/styles/panel.css')).toBe('widget src/styles');
    expect(sourceGroup('../src/element.ts')).toBe('widget src/*.ts');
    expect(
      sizeByGroup(
        new Map([
          ['../src/ui/a.ts', 5],
          ['../node_modules/lit-html/lit-html.js', 7],
          ['../src/ui/b.ts', 4],
        ]),
      ),
    ).toEqual([
      ['widget src/ui', 9],
      ['lit-html', 7],
    ]);
  });
});
