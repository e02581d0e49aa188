/**
 * `synctalk-server site-secret [--site st_…]`: rotates a site's signing secret and prints the new one alone on
 * standard output; the old one stops working. Unknown sites and misuse exit 1 and change nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import { runCommand } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { defaultSite, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './helpers/server.js';

const SECRET_LINE = /^sts_[A-Za-z0-9_-]{43}\n$/;

describeWith(['postgres'], 'synctalk-server site-secret', () => {
  let db: TestDatabase;
  let t: TestServer | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase('site-secret-command');
    env = { NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET };
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const server = async () => (t ??= await startTestServer({ databaseUrl: db.url }));
  const exchange = async (sitePublicId: string, siteSecret: string) =>
    client((await server()).url).post('/v1/auth/site-token', {
      headers: { 'x-synctalk-site': sitePublicId },
      body: {
        token: createUserToken({ siteId: sitePublicId, siteSecret, userId: 'cli-user', expiresIn: 300 }),
      },
    });

  it('on a database no server has used yet, creates the default site and prints its secret alone', async () => {
    const result = await runCommand(['site-secret'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(SECRET_LINE);
    const errLines = result.stderr.trim().split('\n');
    expect(errLines[0]).toMatch(/^default site created: public id st_\w{16}$/);
    expect(errLines[1]).toMatch(
      /^new signing secret of site st_\w{16} \("Default site"\); the previous one no longer works:$/,
    );
    expect(errLines).toHaveLength(2);
    const site = await defaultSite(await server());
    expect(result.stderr).toContain(site.publicId);
    expect(await t!.server.deps.sites.secretOf(site.id)).toBe(result.stdout.trim());
  });

  it('rotates the default site: the new secret signs site tokens, the old one no longer does', async () => {
    const site = await defaultSite(await server());
    const old = (await t!.server.deps.sites.secretOf(site.id))!;
    expect((await exchange(site.publicId, old)).status).toBe(200);

    const result = await runCommand(['site-secret'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(SECRET_LINE);
    expect(result.stderr).toBe(
      `new signing secret of site ${site.publicId} ("${site.name}"); the previous one no longer works:\n`,
    );
    const secret = result.stdout.trim();
    expect(secret).not.toBe(old);
    expect((await exchange(site.publicId, secret)).status).toBe(200);
    const refused = await exchange(site.publicId, old);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
  });

  it('rotates another site with --site, leaving the default one alone', async () => {
    const t = await server();
    const { site, secret: old } = await newSite(t);
    const before = await t.server.deps.sites.secretOf((await defaultSite(t)).id);
    const result = await runCommand(['site-secret', '--site', site.publicId], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(SECRET_LINE);
    expect(result.stderr).toContain(`site ${site.publicId} ("${site.name}")`);
    expect(await t.server.deps.sites.secretOf(site.id)).toBe(result.stdout.trim());
    expect((await exchange(site.publicId, old)).status).toBe(401);
    expect((await exchange(site.publicId, result.stdout.trim())).status).toBe(200);
    expect(await t.server.deps.sites.secretOf((await defaultSite(t)).id)).toBe(before);
  });

  it(
    'refuses an unknown site and misuse with a clear message and exit 1, changing nothing',
    { timeout: 120_000 },
    async () => {
      const t = await server();
      const secrets = async () =>
        (await t.server.db('sites').select('public_id', 'secret_enc').orderBy('id')).map(
          (r: { public_id: string; secret_enc: string }) => `${r.public_id}:${r.secret_enc}`,
        );
      const before = await secrets();
      const cases: [string[], RegExp][] = [
        [['--site', 'st_nope0000000000'], /^synctalk: site-secret: no site "st_nope0000000000"\n$/],
        [['--site', "x'; DROP TABLE sites;--"], /^synctalk: site-secret: no site "x'; DROP TABLE sites;--"/],
        [['--site'], /^synctalk: site-secret: Option '--site <value>' argument missing/],
        [
          ['--secret', 'x'],
          /^synctalk: site-secret: Unknown option '--secret'.*\nusage: synctalk-server site-secret/,
        ],
        [['extra'], /^synctalk: site-secret: Unexpected argument 'extra'/],
      ];
      const results = await Promise.all(cases.map(([args]) => runCommand(['site-secret', ...args], env)));
      for (const [i, [args, message]] of cases.entries()) {
        const result = results[i]!;
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stdout).toBe('');
      }
      expect(await secrets()).toEqual(before);
    },
  );
});
