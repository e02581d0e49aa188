/**
 * Every curl example in the READMEs (the root one, packages/*\/README.md and examples/*\/README.md) runs as
 * written against a real server: each shell block that calls curl is run by bash with the real `curl` (and
 * `jq`), in the order the README gives them, with the variables earlier blocks set (`TOKEN=$(curl … | jq -r .accessToken)`) carried to
 * later ones. The only change made to a block is the server's address: `http://localhost:3000`, what `npm start`
 * serves, becomes this test's server. Every request must answer 2xx (curl runs with `--fail` and reports each
 * status), every variable a block sets must get a value, and the examples must keep covering the basics: sign-up
 * or guest sign-in, creating a room, sending with a clientMsgId, history, marking read and listing my rooms.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The address the READMEs' examples are written against (`npm start`). */
const DOCUMENTED_URL = 'http://localhost:3000';
/** The admin the READMEs tell you to start the server with, for the admin examples. */
const DOCUMENTED_ADMIN = { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'a long admin password' };

interface Example {
  readme: string;
  line: number;
  script: string;
}

function readmes(): string[] {
  const packages = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name, 'README.md'))
    .filter((path) => existsSync(path))
    .sort();
  const examples = readdirSync(join(root, 'examples'))
    .map((name) => join(root, 'examples', name, 'README.md'))
    .filter((path) => existsSync(path))
    .sort();
  return [join(root, 'README.md'), ...packages, ...examples];
}

/** The shell code blocks of a README that run curl, with the line they start on. */
function curlExamples(path: string): Example[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const examples: Example[] = [];
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^\s*```(\S*)\s*$/.exec(text);
    if (fence && !open) open = { lang: fence[1]!, line: index + 1, body: [] };
    else if (fence && open) {
      const script = open.body.join('\n');
      if (['sh', 'bash', 'shell', ''].includes(open.lang) && /(^|[\s$(|])curl\s/m.test(script)) {
        examples.push({ readme: relative(root, path), line: open.line, script });
      }
      open = undefined;
    } else if (open) open.body.push(text.replace(/^ {0,4}/, ''));
  });
  return examples;
}

/** Names a block assigns at the start of a line (`NAME=…`). */
function assignedNames(script: string): string[] {
  return [...script.matchAll(/^\s*([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** Runs `script` with bash (never blocking this process's event loop: the server runs in it). */
function bash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const all = readmes().map((path) => ({ readme: relative(root, path), examples: curlExamples(path) }));

describe('the READMEs’ curl examples', () => {
  let server: TestServer;
  let work: string;

  beforeAll(async () => {
    for (const tool of ['bash', 'curl', 'jq']) {
      if (spawnSync('which', [tool]).status !== 0) {
        throw new Error(`${tool} is not installed: the README examples need it (apt-get install ${tool})`);
      }
    }
    // As `npm start` runs it (development: the demo Lobby, guests allowed on the default site), plus the admin
    // the admin examples sign in as.
    server = await startTestServer({ env: { NODE_ENV: 'development', ...DOCUMENTED_ADMIN } });
    work = mkdtempSync(join(tmpdir(), 'synctalk-readme-'));
  });
  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the examples cover sign-in, rooms, sending with a clientMsgId, history, reads and my rooms', () => {
    const scripts = all.flatMap((r) => r.examples.map((e) => e.script)).join('\n');
    expect(scripts).toMatch(/\/v1\/auth\/(signup|guest)/);
    expect(scripts).toMatch(/curl[^\n]*\/v1\/rooms -H[^\n]*\n\s*-d '\{"title"/);
    expect(scripts).toMatch(/\/v1\/rooms\/\$ROOM\/messages -H[^\n]*\n\s*-d '\{"clientMsgId":/);
    expect(scripts).toMatch(/curl -fsS "\$SYNCTALK\/v1\/rooms\/\$ROOM\/messages\?/);
    expect(scripts).toMatch(/\/v1\/rooms\/\$ROOM\/read -H[^\n]*\n\s*-d '\{"seq":"\d+"\}'/);
    expect(scripts).toMatch(/curl -fsS \$SYNCTALK\/v1\/me\/rooms/);
  });

  for (const { readme, examples } of all) {
    if (examples.length === 0) continue;
    it(`${readme}: every curl example runs, in order, and answers 2xx`, async () => {
      const state = join(work, `${readme.replace(/\W+/g, '-')}.state.sh`);
      writeFileSync(state, '');
      for (const example of examples) {
        const where = `${example.readme}:${example.line}`;
        // Each curl must fail on an error answer for a reader too.
        for (const call of example.script.match(/(?<![\w-])curl\s[^|\n]*/g) ?? []) {
          expect(call, `${where}: curl without -f (a failed request would pass unnoticed)`).toMatch(
            /\s-[a-zA-Z]*f[a-zA-Z]*\s|\s--fail\b/,
          );
        }
        const script = example.script.replaceAll(DOCUMENTED_URL, server.url);
        // Addresses outside single quotes are where requests go; quoted ones are data (e.g. allowed origins).
        const foreign = [...script.replace(/'[^']*'/g, "''").matchAll(/(?:localhost|127\.0\.0\.1):(\d+)/g)]
          .filter((m) => m[1] !== String(server.port))
          .map((m) => m[0]);
        expect(foreign, `${where}: write the server as ${DOCUMENTED_URL} or $SYNCTALK`).toEqual([]);
        const calls = (example.script.match(/(?<![\w-])curl\s/g) ?? []).length;
        const names = assignedNames(script);
        const result = await bash(
          [
            'set -euo pipefail',
            // Whatever an example does with the body, every request's status is reported on stderr, and an
            // error status fails it even if the example forgot -f.
            `curl() { command curl --fail --write-out '%{stderr}[http %{http_code}]\\n' "$@"; }`,
            `source ${JSON.stringify(state)}`,
            script,
            names.length > 0 ? `declare -p ${names.join(' ')} >> ${JSON.stringify(state)}` : '',
          ].join('\n'),
          work,
        );
        const output = `${where}:\n${script}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect(result.code, `failed: ${output}`).toBe(0);
        const answered = [...result.stderr.matchAll(/\[http (\d{3})\]/g)].map((m) => m[1]!);
        expect(answered, `one answer per curl: ${output}`).toHaveLength(calls);
        for (const status of answered) expect(status, `not 2xx: ${output}`).toMatch(/^2\d\d$/);
        for (const name of names) {
          // The last declaration wins, as when the state is sourced.
          const value = [...readFileSync(state, 'utf8').matchAll(/^declare -\S* ([A-Z_0-9]+)="(.*)"$/gm)]
            .filter((m) => m[1] === name)
            .at(-1)?.[2];
          expect(value, `${where}: ${name} got no value`).toBeTruthy();
          expect(value, `${where}: ${name} is null (a field the answer lacks)`).not.toBe('null');
        }
      }
    });
  }
});
