/**
 * LOG_FORMAT: JSON lines for machines, human-readable lines for a person at a terminal. `auto` (the default)
 * decides by whether standard output is a terminal; the decision is a pure function, and real runs of the
 * built server show the outcome: pretty start-up lines (with the start banner) on a terminal or when asked
 * for, JSON when asked for even on a terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger, resolveLogFormat } from '../src/platform/logger.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the log format decision', () => {
  it.each([
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['auto', undefined, 'json'],
    ['json', true, 'json'],
    ['json', false, 'json'],
    ['pretty', true, 'pretty'],
    ['pretty', false, 'pretty'],
  ] as const)('LOG_FORMAT=%s with a terminal: %s → %s', (setting, isTTY, expected) => {
    expect(resolveLogFormat(setting, isTTY)).toBe(expected);
  });

  it('reads LOG_FORMAT in config.ts: auto by default, json or pretty, anything else stops the start', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).log.format).toBe('auto');
    expect(loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'json' }).log.format).toBe('json');
    expect(loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'pretty' }).log.format).toBe('pretty');
    expect(() => loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'colour' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'colour' })).toThrow(
      'Invalid LOG_FORMAT: must be auto, json or pretty',
    );
  });
});

function memoryLogger(format: 'json' | 'pretty') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', stream, format), text: () => chunks.join('') };
}

describe('the pretty logger', () => {
  it('writes readable lines, not JSON, with the fields below the message and secrets still redacted', () => {
    const { logger, text } = memoryLogger('pretty');
    logger.info({ roomId: '42', password: 'plain-password-1' }, 'room ready');
    logger.warn('careful');
    const out = text();
    const lines = out.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: room ready$/);
    expect(out).toContain('roomId: "42"');
    expect(out).toContain('password: "[redacted]"');
    expect(out).not.toContain('plain-password-1');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: careful$/m);
    for (const line of lines) expect(line.startsWith('{')).toBe(false);
    // Not a terminal: no colour codes.
    expect(out).not.toContain('\u001b[');
  });

  it('the JSON logger writes one JSON object per line', () => {
    const { logger, text } = memoryLogger('json');
    logger.info({ roomId: '42' }, 'room ready');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'room ready', roomId: '42', service: 'synctalk' });
  });
});

/** Runs the built server, optionally on a pseudo-terminal (script(1)), until it has printed its start banner. */
function runServer(env: Record<string, string>, onTerminal: boolean) {
  const full = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  const child = onTerminal
    ? spawn(
        'script',
        ['-qefc', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)}`, '/dev/null'],
        {
          env: full,
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      )
    : spawn(process.execPath, [main], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const banner = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start banner:\n${out}`)), 45_000);
    child.stdout.on('data', () => {
      // The last start line: the default site and how to get its secret.
      if (/its signing secret: npm run -s site-secret/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { child, banner };
}

// eslint-disable-next-line no-control-regex
const stripColour = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');

describe('the server process', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function start(env: Record<string, string>, onTerminal: boolean) {
    if (!existsSync(main)) throw new Error(`${main} is missing: build the server first (npm run build)`);
    const dataDir = mkdtempSync(join(tmpdir(), 'synctalk-logfmt-'));
    const run = runServer(
      { PORT: '0', NODE_ENV: 'development', SYNCTALK_DATA_DIR: dataDir, ...env },
      onTerminal,
    );
    cleanups.push(() => {
      run.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    return run;
  }

  function expectPrettyBanner(raw: string) {
    const out = stripColour(raw);
    const lines = out.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.trimStart().startsWith('{"'))).toEqual([]);
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: SyncTalk listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(
      /^\[[\d:.]+\] INFO: default site st_\w+ \(allowed origins: http:\/\/localhost:3000, http:\/\/127\.0\.0\.1:3000\); its signing secret: npm run -s site-secret \(rotates it\)$/m,
    );
  }

  it('LOG_FORMAT=pretty prints readable lines and the start banner even to a pipe', async () => {
    const { banner } = start({ LOG_FORMAT: 'pretty' }, false);
    const out = await banner;
    expectPrettyBanner(out);
    expect(out).not.toContain('\u001b['); // a pipe gets no colour codes
  }, 60_000);

  it('on a terminal, with LOG_FORMAT unset, prints readable, coloured lines and the start banner', async () => {
    const { banner } = start({}, true);
    const out = await banner;
    expectPrettyBanner(out);
    expect(out).toContain('\u001b[');
  }, 60_000);

  it('LOG_FORMAT=json keeps JSON lines even on a terminal', async () => {
    const { banner } = start({ LOG_FORMAT: 'json' }, true);
    const out = stripColour(await banner);
    const lines = out.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(parsed.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^SyncTalk listening on http:/));
    expect(parsed.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^default site st_\w+ /));
  }, 60_000);
});
