/**
 * The default site's signing secret never reaches the logs, in production as anywhere: the first start says
 * the site was created, its public id and how to get the secret. `site-secret` then shows one (rotating it),
 * which signs site tokens, while the secret made at creation no longer does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import { runCommand, startServerProcess } from './helpers/cli.js';
import { defaultSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';

const production = { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET };

function expectNoSecret(text: string, secret: string) {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(secret.slice('sts_'.length));
  expect(text).not.toMatch(/sts_[A-Za-z0-9_-]{20}/);
}

describeWith(['postgres'], 'the default site secret on first start (production)', () => {
  const { t, db } = useServer({
    label: 'default-site-secret',
    logs: true,
    env: { ...production, LOG_LEVEL: 'debug' },
  });

  const exchange = (sitePublicId: string, siteSecret: string) =>
    client(t.url).post('/v1/auth/site-token', {
      headers: { 'x-synctalk-site': sitePublicId },
      body: {
        token: createUserToken({ siteId: sitePublicId, siteSecret, userId: 'shop-1', expiresIn: 300 }),
      },
    });

  it('logs that the site was created and how to get its secret, never the secret', async () => {
    expect(t.server.config.env).toBe('production');
    const site = await defaultSite(t);
    const created = (await t.server.deps.sites.secretOf(site.id))!;
    expect(created).toMatch(/^sts_/);

    const line = t.logs.lines().find((l) => /default site created/.test(l.msg));
    expect(line).toMatchObject({ siteId: site.publicId });
    expect(line.msg).toContain(`public id ${site.publicId}`);
    expect(line.msg).toContain('synctalk-server site-secret');
    expect(line.msg).toContain(`/v1/admin/sites/${site.publicId}/rotate-secret`);
    expectNoSecret(t.logs.text(), created);
  });

  it('site-secret shows a secret that signs site tokens; the one made at creation stops working', async () => {
    const site = await defaultSite(t);
    const created = (await t.server.deps.sites.secretOf(site.id))!;
    const result = await runCommand(['site-secret'], { ...production, DATABASE_URL: db.url });
    expect(result.code, result.stderr).toBe(0);
    const secret = result.stdout.trim();
    expect(secret).toMatch(/^sts_[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(created);
    expect((await exchange(site.publicId, secret)).status).toBe(200);
    expect((await exchange(site.publicId, created)).status).toBe(401);
    expectNoSecret(t.logs.text(), secret);
  });
});

describe('the default site secret on first start of the process (embedded, production)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'synctalk-secret-log-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'prints no secret on stdout or stderr; site-secret prints one afterwards',
    { timeout: 180_000 },
    async () => {
      const env = { ...production, SYNCTALK_DATA_DIR: dataDir };
      const server = startServerProcess(env);
      await server.url;
      expect(await server.stop()).toBe(0);
      const output = server.output();
      expect(output).toMatch(/default site created: public id st_\w{16}; get its signing secret with/);
      expect(output).not.toMatch(/sts_/);

      const result = await runCommand(['site-secret'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^sts_[A-Za-z0-9_-]{43}\n$/);
    },
  );
});
