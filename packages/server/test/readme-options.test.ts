/**
 * The server README's Options section documents every environment variable that `config.ts` reads (the
 * variables of the `envSchema` it validates with, in config/env-schema.ts), so a new setting cannot ship
 * undocumented.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The variable names declared in the envSchema config.ts validates with (config/env-schema.ts), in order. */
function configVariables(): string[] {
  const source = read('../src/config/env-schema.ts');
  const start = source.indexOf('export const envSchema = z.object({');
  const end = source.indexOf('\n});', start);
  if (start < 0 || end < 0)
    throw new Error('config/env-schema.ts no longer declares `export const envSchema = z.object({ … });`');
  return [...source.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

describe('the server README', () => {
  it('documents every variable config.ts reads, in its Options section', () => {
    const names = configVariables();
    // The parse finds the real list: a variable it names is one config.ts validates.
    expect(names.length).toBeGreaterThan(40);
    expect(names).toContain('LOG_FORMAT');
    expect(() => loadConfig({ NODE_ENV: 'test', PORT: 'x' })).toThrow('Invalid PORT');
    const readme = read('../README.md');
    const options = readme.slice(readme.indexOf('\n## Options\n'), readme.indexOf('\n## Errors\n'));
    expect(options.length).toBeGreaterThan(1000);
    expect(names.filter((name) => !options.includes(`\`${name}\``))).toEqual([]);
  });
});
