import { existsSync } from 'node:fs';
import bcrypt from 'bcrypt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { newSite, newUser, uniqueName } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { builtMain, runCommand, type CommandResult } from './helpers/cli.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './helpers/server.js';

const main = builtMain;

describeWith(['postgres'], 'synctalk-server create-admin', () => {
  let db: TestDatabase;
  let t: TestServer | undefined;
  beforeAll(async () => {
    if (!existsSync(main)) throw new Error(`${main} is missing: build the server first (npm run build)`);
    db = await createTestDatabase('auth-create-admin');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** Runs the command with `stdin` piped in; resolves with its exit code and output. */
  const run = (args: string[], stdin?: string, databaseUrl = db.url): Promise<CommandResult> =>
    runCommand(
      ['create-admin', ...args],
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: databaseUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        BCRYPT_COST: '4',
      },
      stdin ?? '',
      20_000,
      { built: true },
    );

  const server = async () => (t ??= await startTestServer({ databaseUrl: db.url }));
  const login = async (username: string, password: string, site?: string) =>
    client((await server()).url).post('/v1/auth/login', {
      body: { username, password },
      headers: site ? { 'x-synctalk-site': site } : {},
    });

  it('creates the default site if needed and the admin, with the password from stdin', async () => {
    const username = uniqueName('Admin');
    const result = await run(['--username', username, '--password-stdin'], 'stdin-password-1\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^default site created: public id st_\w+; get its signing secret with `synctalk-server site-secret`/,
    );
    expect(result.stdout).not.toMatch(/sts_/);
    expect(lines[1]).toMatch(new RegExp(`^created admin "${username}" \\(id \\d+\\) on site st_\\w+$`));

    // The trailing newline `echo` adds is not part of the password.
    const res = await login(username, 'stdin-password-1');
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('keeps a password with inner and leading spaces exactly', async () => {
    const username = uniqueName();
    expect((await run(['--username', username, '--password-stdin'], '  two words  ')).code).toBe(0);
    expect((await login(username, '  two words  ')).status).toBe(200);
  });

  it('takes a display name', async () => {
    const username = uniqueName();
    const result = await run(
      ['--username', username, '--password-stdin', '--display-name', 'Site Owner'],
      'password-123',
    );
    expect(result.code).toBe(0);
    expect((await login(username, 'password-123')).body.user.displayName).toBe('Site Owner');
  });

  it('promotes an existing user without touching the password when none is given', async () => {
    const existing = await newUser(await server());
    const result = await run(['--username', existing.user.username!.toUpperCase()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^promoted "\S+" \(id \d+\) on site st_\w+ to admin\n$/);
    const res = await login(existing.user.username!, existing.password);
    expect(res.body.user.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);

    const again = await run(['--username', existing.user.username!]);
    expect(again.stdout).toMatch(/is already an admin\n$/);
  });

  it('resets the password of an existing user when one is given, ending their sessions', async () => {
    const existing = await newUser(await server());
    const result = await run(
      ['--username', existing.user.username!, '--password-stdin'],
      'brand-new-password',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/to admin; password changed\n$/);
    expect((await login(existing.user.username!, existing.password)).status).toBe(401);
    expect((await login(existing.user.username!, 'brand-new-password')).status).toBe(200);
    const refresh = await client((await server()).url).post('/v1/auth/refresh', {
      body: { refreshToken: existing.auth.refreshToken },
    });
    expect(refresh.status).toBe(401);
  });

  it('creates the admin on another site with --site', async () => {
    const { site } = await newSite(await server());
    const username = uniqueName();
    const result = await run(
      ['--username', username, '--password-stdin', '--site', site.publicId],
      'password-123',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`on site ${site.publicId}`);
    expect((await login(username, 'password-123', site.publicId)).status).toBe(200);
    expect((await login(username, 'password-123')).status).toBe(401);
  });

  it('never takes the password as an argument', async () => {
    const username = uniqueName();
    const result = await run(['--username', username, '--password', 'visible-in-ps']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^synctalk: create-admin: Unknown option '--password'/);
    expect(
      (await (await server()).server.db('users').where({ username_lower: username.toLowerCase() })).length,
    ).toBe(0);
  });

  it('explains misuse in one message and exits 1, writing nothing', async () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [[], undefined, /--username is required/],
      [['--username', uniqueName()], undefined, /no user "\S+" on site st_\w+; give a password to create it/],
      [
        ['--username', "x'; DROP TABLE users;--", '--password-stdin'],
        'password-123',
        /username may contain only/,
      ],
      [['--username', uniqueName(), '--password-stdin'], 'short', /password must be at least 8 characters/],
      [['--username', uniqueName(), '--password-stdin'], 'x'.repeat(73), /password must be at most 72 bytes/],
      [['--username', uniqueName(), '--password-stdin'], '', /password must be at least 8/],
      [
        ['--username', uniqueName(), '--site', 'st_nope', '--password-stdin'],
        'password-123',
        /no site "st_nope"/,
      ],
      [['--username', uniqueName(), 'extra'], undefined, /Unexpected argument 'extra'/],
    ];
    const before = await (await server()).server.db('users').count<{ n: string }[]>({ n: '*' });
    for (const [args, stdin, message] of cases) {
      const result = await run(args, stdin);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/^synctalk: /);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const after = await (await server()).server.db('users').count<{ n: string }[]>({ n: '*' });
    expect(after).toEqual(before);
  });

  it('reports a newly created default site, never its secret, even when the command then fails', async () => {
    const fresh = await createTestDatabase('auth-create-admin-fresh');
    try {
      const result = await run(['--username', uniqueName()], undefined, fresh.url);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^default site created: public id st_\w+; get its signing secret with/);
      expect(result.stdout + result.stderr).not.toMatch(/sts_/);
      expect(result.stderr).toMatch(/give a password to create it/);
    } finally {
      await fresh.drop();
    }
  });

  it('stores a bcrypt hash at BCRYPT_COST', async () => {
    const username = uniqueName();
    await run(['--username', username, '--password-stdin'], 'password-123');
    const row = await (
      await server()
    ).server
      .db('users')
      .where({ username_lower: username.toLowerCase() })
      .first();
    expect(bcrypt.getRounds(row.password_hash)).toBe(4);
  });
});
