/**
 * Without a `widgetDir`, the server finds the bundle through the installed `@synctalk/widget` package
 * (`@synctalk/widget/widget.js`, i.e. packages/widget/dist): from the sources (here, under vitest) and from
 * the bundled server in dist/ (a child process). Skipped, with the reason, while the widget or the server is
 * not built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from './helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, testConfigEnv, type TestServer } from './helpers/server.js';
import { sri, widgetVersion } from './helpers/widget-build.js';

const built = fileURLToPath(new URL('../../widget/dist/widget.js', import.meta.url));
const serverMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const widgetMissing = existsSync(built)
  ? undefined
  : 'the widget is not built (npm run build -w @synctalk/widget)';
const serverMissing = existsSync(serverMain)
  ? undefined
  : 'the server is not built (npm run build -w @synctalk/server)';
const reason = (why: string | undefined) => (why ? ` [skipped: ${why}]` : '');

describeWith(['postgres'], 'the installed @synctalk/widget build', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('widget_package');
  });
  afterAll(() => db?.drop());

  describe.skipIf(widgetMissing)(`served by the server from its sources${reason(widgetMissing)}`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ databaseUrl: db.url });
    });
    afterAll(() => t?.close());

    it('serves packages/widget/dist/widget.js at /widget.js and under its version', async () => {
      const file = readFileSync(built);
      for (const path of ['/widget.js', `/widget/${widgetVersion}/widget.js`]) {
        const res = await fetch(`${t.url}${path}`);
        expect(res.status, path).toBe(200);
        expect(sri(Buffer.from(await res.arrayBuffer())), path).toBe(sri(file));
      }
    });
  });

  const bundledMissing = widgetMissing ?? serverMissing;
  describe.skipIf(bundledMissing)(
    `served by the bundled server (dist/main.js)${reason(bundledMissing)}`,
    () => {
      it('serves the same file', async () => {
        const { env, cleanup } = testConfigEnv({ databaseUrl: db.url });
        const server = await startChild(env);
        try {
          const res = await fetch(`${server.url}/widget/${widgetVersion}/widget.js`);
          expect(res.status).toBe(200);
          expect(sri(Buffer.from(await res.arrayBuffer()))).toBe(sri(readFileSync(built)));
        } finally {
          await server.close();
          cleanup();
        }
      });
    },
  );
});
