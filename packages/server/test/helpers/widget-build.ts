/**
 * A stand-in for `packages/widget/dist`: a temporary directory with a small `widget.js` and its map, so the
 * serving tests do not depend on the real widget being built. Pass `dir` to `startTestServer({ widgetDir })`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestServer, type TestServer } from './server.js';

/** The version in packages/widget/package.json: what the versioned URLs must use. */
export const widgetVersion = (
  JSON.parse(readFileSync(new URL('../../../widget/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface FakeWidgetBuild {
  dir: string;
  /** The current contents of widget.js and widget.js.map. */
  js: Buffer;
  map: Buffer;
  /** Writes a new widget.js (a "rebuild"); its mtime moves forward so the change is visible at once. */
  rebuild(): Buffer;
  cleanup(): void;
}

/** The Subresource Integrity value browsers compute for `body`. */
export function sri(body: Buffer): string {
  return `sha384-${createHash('sha384').update(body).digest('base64')}`;
}

function script(): Buffer {
  const stamp = randomBytes(8).toString('hex');
  return Buffer.from(
    `(()=>{window.SyncTalkTest=${JSON.stringify(stamp)};})();\n//# sourceMappingURL=widget.js.map\n`,
  );
}

/** A build directory; `empty` leaves it without files (a widget that is not built). */
export function fakeWidgetBuild(options: { empty?: boolean } = {}): FakeWidgetBuild {
  const dir = mkdtempSync(join(tmpdir(), 'synctalk-widget-'));
  let mtime = Date.now() / 1000;
  const build: FakeWidgetBuild = {
    dir,
    js: Buffer.alloc(0),
    map: Buffer.from(JSON.stringify({ version: 3, sources: ['src/global.ts'], names: [], mappings: 'AAAA' })),
    rebuild() {
      build.js = script();
      const file = join(dir, 'widget.js');
      writeFileSync(file, build.js);
      mtime += 10;
      utimesSync(file, mtime, mtime);
      return build.js;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (!options.empty) {
    build.rebuild();
    writeFileSync(join(dir, 'widget.js.map'), build.map);
  }
  return build;
}

/** A test database and a fake widget build, and the servers started on them (closed together). */
export interface WidgetFixture {
  db: TestDatabase;
  build: FakeWidgetBuild;
  /** A server on the fixture's database serving the fake build. */
  start(env?: Env): Promise<TestServer>;
  /** Stops every server started, drops the database and removes the build. */
  close(): Promise<void>;
}

export async function widgetFixture(
  label: string,
  options: { empty?: boolean } = {},
): Promise<WidgetFixture> {
  const db = await createTestDatabase(label);
  const build = fakeWidgetBuild(options);
  const servers: TestServer[] = [];
  return {
    db,
    build,
    async start(env) {
      const t = await startTestServer({ databaseUrl: db.url, widgetDir: build.dir, env });
      servers.push(t);
      return t;
    },
    async close() {
      await Promise.all(servers.map((t) => t.close()));
      await db.drop();
      build.cleanup();
    },
  };
}
