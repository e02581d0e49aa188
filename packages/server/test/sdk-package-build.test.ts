/**
 * The built `@synctalk/sdk` as Node loads it through its `exports` (packages/sdk/dist), from CommonJS and
 * from ESM, against a real server: `@synctalk/sdk/protocol` loads neither socket.io-client nor zod; the root
 * entry loads socket.io-client only when `connect()` is first called (the realtime part is its own chunk), and
 * that connection sends and delivers; every entry shares one `SyncTalkError` and one `Connection` class.
 *
 * And the build of its `browser` condition (packages/sdk/dist/web) as a bundler for browsers resolves it
 * (esbuild, platform browser): WebSocket only (none of engine.io-client's polling or WebTransport, nor
 * socket.io-parser's binary support, in the bundle), the same classes across entries, the realtime part a
 * chunk of its own; run (in Node, with the ws package as the page's `WebSocket`) it connects and delivers, and
 * `connect({ transports: ['polling'] })` is refused with `validation_failed`.
 * Skipped, with the reason, while the SDK is not built.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { uniqueName } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

const run = promisify(execFile);
const serverDir = fileURLToPath(new URL('..', import.meta.url));
const built = [
  'index.js',
  'index.cjs',
  'protocol/index.js',
  'protocol/index.cjs',
  'realtime/index.cjs',
  'web/index.js',
  'web/realtime/index.js',
].map((file) => fileURLToPath(new URL(`../../sdk/dist/${file}`, import.meta.url)));
const sdkMissing = built.every((file) => existsSync(file))
  ? undefined
  : 'the SDK is not built (npm run build -w @synctalk/sdk)';

/** What a child process reports. */
interface Report {
  afterProtocol?: string[];
  afterRoot?: string[];
  afterConnect?: string[];
  sameError: boolean;
  sameConnection: boolean;
  delivered: string;
  notFound: { code: string; isSyncTalkError: boolean };
  refused?: { code: string; message: string };
}

type Format = 'cjs' | 'esm' | 'browser';

/**
 * A script that uses the built package as an app would: `load(name)` is `require` (CommonJS), `import()`
 * (ESM), or the entry's module namespace in the app's browser bundle (`SYNCTALK_BUNDLE`, see `browserBundle`).
 * Under CommonJS it also lists which of socket.io-client and zod are loaded after each step.
 */
function appScript(format: Format): string {
  const load = {
    cjs: 'async (name) => require(name)',
    esm: '(name) => import(name)',
    browser: `async (name) => {
      globalThis.WebSocket ??= (await import('ws')).WebSocket;
      return (await import(process.env.SYNCTALK_BUNDLE))[name];
    }`,
  }[format];
  const loaded =
    format === 'cjs'
      ? `() => [...new Set(Object.keys(require.cache).flatMap((f) => {
           const m = /node_modules[\\\\/](socket\\.io-client|zod)[\\\\/]/.exec(f);
           return m ? [m[1]] : [];
         }))].sort()`
      : '() => undefined';
  return `
    const load = ${load};
    const loaded = ${loaded};
    (async () => {
      const report = {};
      const protocol = await load('@synctalk/sdk/protocol');
      report.afterProtocol = loaded();
      const sdk = await load('@synctalk/sdk');
      report.afterRoot = loaded();
      const client = sdk.createClient({ baseUrl: process.env.SYNCTALK_URL });
      await client.auth.signup({ username: process.env.SYNCTALK_USER, password: 'correct horse battery' });
      const room = await client.rooms.create({ title: 'Package ${format}', visibility: 'public' });
      const chat = await client.connect();
      report.afterConnect = loaded();
      const { Connection } = await load('@synctalk/sdk/realtime');
      report.sameConnection = chat instanceof Connection;
      report.sameError = protocol.SyncTalkError === sdk.SyncTalkError;
      await chat.joinRoom(room.id);
      const delivered = new Promise((resolve) => chat.on('message:new', (m) => resolve(m.text)));
      await chat.send(room.id, 'hello from ${format}');
      report.delivered = await delivered;
      const error = await client.rooms.get('999999999').catch((e) => e);
      report.notFound = { code: error.code, isSyncTalkError: error instanceof protocol.SyncTalkError };
      chat.close();
      if (${JSON.stringify(format === 'browser')}) {
        const refusal = await client.connect({ transports: ['polling'] }).then(() => undefined, (e) => e);
        report.refused = refusal instanceof protocol.SyncTalkError
          ? { code: refusal.code, message: refusal.message }
          : { code: String(refusal), message: '' };
      }
      process.stdout.write(JSON.stringify(report));
    })().catch((error) => {
      console.error(error);
      process.exit(1);
    });
  `;
}

describeWith(['postgres'], 'the built @synctalk/sdk package in Node', () => {
  let db: TestDatabase;
  let t: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('sdk_package');
    t = await startTestServer({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const start = async (format: Format, bundle?: string): Promise<Report> => {
    // The package resolves through its `exports` with Node's own conditions (not the sources').
    const env: NodeJS.ProcessEnv = { ...process.env, SYNCTALK_URL: t.url, SYNCTALK_USER: uniqueName(format) };
    if (bundle) env.SYNCTALK_BUNDLE = pathToFileURL(bundle).href;
    delete env.NODE_OPTIONS;
    const inputType = format === 'cjs' ? 'commonjs' : 'module';
    const { stdout } = await run(process.execPath, [`--input-type=${inputType}`, '-e', appScript(format)], {
      cwd: serverDir,
      env,
    });
    return JSON.parse(stdout) as Report;
  };

  describe.skipIf(sdkMissing)(
    `from packages/sdk/dist${sdkMissing ? ` [skipped: ${sdkMissing}]` : ''}`,
    () => {
      it('CommonJS: require() of each entry; socket.io-client loads on connect(), never zod', async () => {
        const report = await start('cjs');
        expect(report).toEqual({
          afterProtocol: [],
          afterRoot: [],
          afterConnect: ['socket.io-client'],
          sameError: true,
          sameConnection: true,
          delivered: 'hello from cjs',
          notFound: { code: 'not_found', isSyncTalkError: true },
        });
      });

      it('ESM: import() of each entry; the realtime chunk connects and delivers', async () => {
        const report = await start('esm');
        expect(report).toEqual({
          sameError: true,
          sameConnection: true,
          delivered: 'hello from esm',
          notFound: { code: 'not_found', isSyncTalkError: true },
        });
      });

      it('browser condition: WebSocket only, one class per entry, connects and delivers, refuses polling', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'synctalk-sdk-browser-'));
        try {
          const app = await browserBundle(dir);
          // Everything of the SDK comes from its browser build, socket.io-client included (bundled there).
          expect(app.sdkInputs.length).toBeGreaterThan(0);
          expect(app.sdkInputs.every((input) => input.startsWith('web/'))).toBe(true);
          expect(app.packages).not.toContain('engine.io-client');
          expect(app.packages).not.toContain('socket.io-parser');
          expect(app.packages).not.toContain('socket.io-client');
          // The marks of long-polling and WebTransport (which socket.io-client's own browser bundle has).
          expect(app.code).not.toMatch(/XMLHttpRequest|WebTransport\(/);
          expect(await socketIoClientCode(dir)).toMatch(/XMLHttpRequest[\s\S]*WebTransport\(/);
          // connect() still loads the realtime part: a chunk of its own.
          expect(app.lazyChunks).toBeGreaterThan(0);

          const report = await start('browser', app.entry);
          expect(report).toEqual({
            sameError: true,
            sameConnection: true,
            delivered: 'hello from browser',
            notFound: { code: 'not_found', isSyncTalkError: true },
            refused: {
              code: 'validation_failed',
              message: expect.stringContaining('WebSocket only') as string,
            },
          });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    },
  );
});

/**
 * An app's bundle for browsers of the three entries that share classes, as esbuild resolves them (platform
 * browser: the `browser` condition), split, written to `dir`: its entry file, the whole code, the SDK files it
 * took (relative to packages/sdk/dist), the packages it took from node_modules, and how many chunks it loads
 * with `import()`.
 */
async function browserBundle(dir: string) {
  const result = await build({
    stdin: {
      contents: `
        export * as '@synctalk/sdk' from '@synctalk/sdk';
        export * as '@synctalk/sdk/protocol' from '@synctalk/sdk/protocol';
        export * as '@synctalk/sdk/realtime' from '@synctalk/sdk/realtime';
      `,
      resolveDir: serverDir,
      sourcefile: 'app.js',
      loader: 'js',
    },
    absWorkingDir: serverDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir: dir,
    entryNames: 'app',
    metafile: true,
    logLevel: 'silent',
  });
  const sdkDist = fileURLToPath(new URL('../../sdk/dist/', import.meta.url));
  const inputs = Object.keys(result.metafile.inputs).map((input) => join(serverDir, input));
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const code = (await Promise.all(outputs.map(([file]) => readFile(join(serverDir, file), 'utf8')))).join(
    '\n',
  );
  return {
    entry: join(dir, 'app.js'),
    code,
    sdkInputs: inputs.filter((input) => input.startsWith(sdkDist)).map((input) => relative(sdkDist, input)),
    packages: inputs.flatMap(
      (input) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(input)?.[1] ?? [],
    ),
    lazyChunks: outputs.flatMap(([, output]) => output.imports.filter((i) => i.kind === 'dynamic-import'))
      .length,
  };
}

/** socket.io-client bundled for browsers on its own (engine.io-client and socket.io-parser with it). */
async function socketIoClientCode(dir: string): Promise<string> {
  const result = await build({
    stdin: { contents: "export { io } from 'socket.io-client';", resolveDir: serverDir, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outdir: join(dir, 'socket.io-client'),
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => file.text).join('\n');
}
