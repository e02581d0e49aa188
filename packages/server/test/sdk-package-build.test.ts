/**
 * The built `@synctalk/sdk` as Node loads it through its `exports` (packages/sdk/dist), from CommonJS and
 * from ESM, against a real server: `@synctalk/sdk/protocol` loads neither socket.io-client nor zod; the root
 * entry loads socket.io-client only when `connect()` is first called (the realtime part is its own chunk), and
 * that connection sends and delivers; every entry shares one `SyncTalkError` and one `Connection` class.
 * Skipped, with the reason, while the SDK is not built.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { uniqueName } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

const run = promisify(execFile);
const serverDir = fileURLToPath(new URL('..', import.meta.url));
const built = ['index.js', 'index.cjs', 'protocol/index.js', 'protocol/index.cjs', 'realtime/index.cjs'].map(
  (file) => fileURLToPath(new URL(`../../sdk/dist/${file}`, import.meta.url)),
);
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
}

/**
 * A script that uses the built package as an app would: `load(name)` is `require` (CommonJS) or `import()`
 * (ESM). Under CommonJS it also lists which of socket.io-client and zod are loaded after each step.
 */
function appScript(format: 'cjs' | 'esm'): string {
  const load = format === 'cjs' ? 'async (name) => require(name)' : '(name) => import(name)';
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

  const start = async (format: 'cjs' | 'esm'): Promise<Report> => {
    // The package resolves through its `exports` with Node's own conditions (not the sources').
    const env: NodeJS.ProcessEnv = { ...process.env, SYNCTALK_URL: t.url, SYNCTALK_USER: uniqueName(format) };
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
    },
  );
});
