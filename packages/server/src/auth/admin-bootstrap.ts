/**
 * The first administrator. Two ways in:
 *
 * - `ADMIN_USERNAME` / `ADMIN_PASSWORD`: at every start-up the server makes sure that user exists on the
 *   default site and has `ROLE_ADMIN` (creating it, or promoting an existing account; the password is only
 *   used when creating). Idempotent, and safe when several nodes start at once: the unique username index
 *   settles who creates it, and roles are added atomically.
 * - `synctalk-server create-admin --username NAME --password-stdin`: the same from a shell, reading the
 *   password from standard input so it never appears in `ps` or the shell history. For an existing user it
 *   promotes, and sets the password when one is given (a way back in for a locked-out admin).
 *
 * Admins always have `ROLE_USER` too.
 */
import { migrationSource } from '../migrations/index.js';
import { parseArgs } from 'node:util';
import type { SiteRole } from '@synctalk/sdk';
import { ConfigError, type Config } from '../config.js';
import { createDatabase, prepareDatabase, type Database } from '../platform/database.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { createSharedStore } from '../platform/redis.js';
import type { Site } from '../sites/sites.repository.js';
import { PUBLIC_ID } from '../sites/sites.schemas.js';
import { defaultSiteCreatedMessage, sitesService } from '../sites/sites.service.js';
import {
  displayName as displayNameSchema,
  newPassword,
  username as usernameSchema,
} from '@synctalk/sdk/schemas';
import { passwords } from './passwords.js';
import { refreshTokensRepository } from './refresh-tokens.repository.js';
import { usersRepository, type UserRecord } from './users.repository.js';

const ADMIN_ROLES: SiteRole[] = ['ROLE_USER', 'ROLE_ADMIN'];

export interface EnsureAdminInput {
  username: string;
  /** Used to create the account; with `resetPassword`, also replaces an existing account's password. */
  password?: string;
  displayName?: string;
  resetPassword?: boolean;
}

export interface EnsureAdminResult {
  user: UserRecord;
  /** `created`: a new account; `promoted`: an existing one gained ROLE_ADMIN; `unchanged`: already admin. */
  outcome: 'created' | 'promoted' | 'unchanged';
  passwordSet: boolean;
}

const isAdmin = (user: UserRecord) => ADMIN_ROLES.every((r) => user.roles.includes(r));

/**
 * Makes `input.username` an administrator of `site`: creates the password account (needs `password`) or
 * promotes the existing one. Input must already be valid (see `parseAdminInput`).
 */
export async function ensureAdmin(
  deps: { db: Database; config: Config },
  site: Site,
  input: EnsureAdminInput,
): Promise<EnsureAdminResult> {
  const users = usersRepository(deps.db);
  const hasher = passwords({ cost: deps.config.auth.bcryptCost });

  let existing = await users.findByUsername(site.id, input.username);
  if (!existing) {
    if (input.password === undefined) {
      throw new Error(`no user "${input.username}" on site ${site.publicId}; give a password to create it`);
    }
    const created = await users.createPasswordUser({
      siteId: site.id,
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await hasher.hash(input.password),
      roles: ADMIN_ROLES,
    });
    if (created) return { user: created, outcome: 'created', passwordSet: true };
    // Another node (or another run) created it meanwhile: promote that one.
    existing = await users.findByUsername(site.id, input.username);
    if (!existing) throw new Error(`user "${input.username}" vanished while being created`);
  }

  let user = existing;
  let outcome: EnsureAdminResult['outcome'] = 'unchanged';
  if (!isAdmin(user)) {
    user = (await users.addRoles(site.id, user.id, ADMIN_ROLES)) ?? user;
    outcome = 'promoted';
  }
  let passwordSet = false;
  if (input.resetPassword && input.password !== undefined) {
    if (user.kind !== 'password') {
      throw new Error(`"${input.username}" is a ${user.kind} account and has no password; omit the password`);
    }
    passwordSet = await users.setPasswordHash(site.id, user.id, await hasher.hash(input.password));
    // A new password ends the sessions signed in with the old one.
    if (passwordSet) await refreshTokensRepository(deps.db).revokeAllForUser(user.id);
  }
  return { user, outcome, passwordSet };
}

/** Validates an admin's username, password and display name with the sign-up rules. */
export function parseAdminInput(raw: {
  username: string;
  password?: string;
  displayName?: string;
}): { ok: true; value: EnsureAdminInput } | { ok: false; field: keyof typeof raw; message: string } {
  const u = usernameSchema.safeParse(raw.username);
  if (!u.success) return { ok: false, field: 'username', message: `username ${u.error.issues[0]!.message}` };
  let password: string | undefined;
  if (raw.password !== undefined) {
    const p = newPassword.safeParse(raw.password);
    if (!p.success)
      return { ok: false, field: 'password', message: `password ${p.error.issues[0]!.message}` };
    password = p.data;
  }
  let displayName: string | undefined;
  if (raw.displayName !== undefined) {
    const d = displayNameSchema.safeParse(raw.displayName);
    if (!d.success) {
      return { ok: false, field: 'displayName', message: `display name ${d.error.issues[0]!.message}` };
    }
    displayName = d.data;
  }
  return { ok: true, value: { username: u.data, password, displayName } };
}

/**
 * Start-up step: with `ADMIN_USERNAME` / `ADMIN_PASSWORD` set, makes that user an admin of the default site.
 * An invalid name or password stops the start with a `ConfigError` naming the variable.
 */
export async function bootstrapAdmin(
  deps: { db: Database; config: Config; logger: Logger },
  defaultSite: Site,
): Promise<EnsureAdminResult | undefined> {
  const admin = deps.config.admin;
  if (!admin) return undefined;
  const parsed = parseAdminInput({ username: admin.username, password: admin.password });
  if (!parsed.ok) {
    const variable = parsed.field === 'username' ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD';
    throw new ConfigError(variable, parsed.message);
  }
  const result = await ensureAdmin(deps, defaultSite, parsed.value);
  const name = parsed.value.username;
  if (result.outcome === 'created') deps.logger.info(`admin "${name}" created on the default site`);
  else if (result.outcome === 'promoted') deps.logger.info(`existing user "${name}" promoted to admin`);
  else deps.logger.debug(`admin "${name}" already exists (ADMIN_PASSWORD is only used to create it)`);
  return result;
}

/** Reads all of `stdin` as the password: one trailing newline (as `echo` adds) is removed, nothing else. */
async function readPassword(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) {
    // Typing it would show it on screen; a pipe keeps it out of sight, `ps` and the history.
    throw new Error(
      `--password-stdin reads the password from a pipe, e.g. printf '%s' "$PASSWORD" | synctalk-server create-admin --username NAME --password-stdin`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const USAGE =
  'usage: synctalk-server create-admin --username NAME [--password-stdin] [--display-name NAME] [--site st_…]';

/**
 * The `create-admin` command: makes a user an administrator of the default site (or `--site`), creating it
 * when needed with the password read from standard input. Reports through `print` as it goes (a default site
 * it creates is reported with how to get its secret, never the secret); throws with a one-line message on
 * misuse, and when another process holds the embedded data directory.
 */
export async function runCreateAdmin(
  config: Config,
  argv: string[],
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  print: (line: string) => void,
): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        username: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        'display-name': { type: 'string' },
        site: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Error(`create-admin: ${(error as Error).message}\n${USAGE}`);
  }
  if (args.username === undefined) throw new Error(`create-admin: --username is required\n${USAGE}`);
  const password = args['password-stdin'] ? await readPassword(stdin) : undefined;
  const parsed = parseAdminInput({
    username: args.username,
    password,
    displayName: args['display-name'],
  });
  if (!parsed.ok) throw new Error(`create-admin: ${parsed.message}`);

  const logger = createLogger(config.log.level === 'silent' ? 'silent' : 'warn');
  const database = createDatabase(config.database, logger);
  try {
    await prepareDatabase(database, { retries: config.startup.retries, logger, migrations: migrationSource });
    // Sites only need the database; a memory store satisfies the rest of the interface.
    const store = await createSharedStore({ kind: 'memory' }, { retries: 0, logger });
    const sites = sitesService({ config, db: database.db, store, logger });
    let site: Site;
    try {
      if (args.site !== undefined) {
        const found = PUBLIC_ID.test(args.site) ? await sites.repo.findByPublicId(args.site) : undefined;
        if (!found) throw new Error(`create-admin: no site "${args.site.slice(0, 80)}"`);
        site = found;
      } else {
        const { site: d, created } = await sites.ensureDefault();
        if (created) print(defaultSiteCreatedMessage(d.publicId));
        site = d;
      }
    } finally {
      await store.close();
    }
    const result = await ensureAdmin({ db: database.db, config }, site, {
      ...parsed.value,
      resetPassword: password !== undefined,
    });
    const who = `"${result.user.username ?? parsed.value.username}" (id ${result.user.id}) on site ${site.publicId}`;
    const what = {
      created: `created admin ${who}`,
      promoted: `promoted ${who} to admin`,
      unchanged: `${who} is already an admin`,
    }[result.outcome];
    print(result.outcome !== 'created' && result.passwordSet ? `${what}; password changed` : what);
  } finally {
    await database.close();
  }
}
