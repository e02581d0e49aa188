/**
 * SyncTalk is MIT-licensed: the repository and each published package (sdk, server, widget) carry the same
 * LICENSE file, their package.json says `"license": "MIT"`, and `npm pack` puts the LICENSE in each tarball.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packages = ['sdk', 'server', 'widget'] as const;
const dirs = ['', ...packages.map((name) => `packages/${name}/`)];

const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

describe('license files', () => {
  it('the root LICENSE is the MIT license of the SyncTalk authors', () => {
    const text = read('LICENSE');
    expect(text.split('\n')[0]).toBe('MIT License');
    expect(text).toContain('Copyright (c) 2026 The SyncTalk authors');
    expect(text).toContain('Permission is hereby granted, free of charge, to any person obtaining a copy');
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it.each(dirs)('%spackage.json says MIT and %sLICENSE is the root one', (dir) => {
    expect((JSON.parse(read(`${dir}package.json`)) as { license?: string }).license).toBe('MIT');
    expect(read(`${dir}LICENSE`)).toBe(read('LICENSE'));
  });

  it('npm pack puts LICENSE in every package', () => {
    const out = execFileSync(
      'npm',
      [
        'pack',
        '--dry-run',
        '--json',
        '--ignore-scripts',
        ...packages.flatMap((p) => ['-w', `packages/${p}`]),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const packed = JSON.parse(out) as { name: string; files: { path: string }[] }[];
    expect(packed.map((p) => [p.name, p.files.some((f) => f.path === 'LICENSE')])).toEqual(
      packages.map((name) => [`@synctalk/${name}`, true]),
    );
  });
});
