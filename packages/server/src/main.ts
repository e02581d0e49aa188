#!/usr/bin/env node
/**
 * The process entry: `synctalk-server` runs the server, `synctalk-server migrate` applies migrations and exits,
 * `synctalk-server create-admin --username NAME --password-stdin` makes an administrator,
 * `synctalk-server site-secret [--site st_…]` rotates a site's signing secret and prints the new one.
 * Configuration errors print one line naming the variable and exit 1; so does an embedded data directory
 * another process holds.
 */
import { migrationSource } from './migrations/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDatabase, prepareDatabase } from './platform/database.js';
import { createLogger, resolveLogFormat, type Logger } from './platform/logger.js';
import type { SyncTalkServer } from './server.js';

/** The process's logger: LOG_FORMAT, where `auto` means pretty lines on a terminal and JSON otherwise. */
function processLogger(config: Config): Logger {
  return createLogger(config.log.level, undefined, resolveLogFormat(config.log.format, process.stdout.isTTY));
}

async function runServer(config: Config) {
  const logger = processLogger(config);
  if (config.auth.jwtSecretSource === 'process') {
    logger.warn('JWT_SECRET is not set: sessions are signed with a secret made for this process only');
  }
  // The database first, then the rest of the server: PGlite reads and compiles its engine while the server's
  // modules load, instead of after them.
  const database = createDatabase(config.database, logger);
  const server = await import('./server.js').then(
    ({ createServer }) => createServer(config, { logger, database }),
    async (error: unknown) => {
      await database.close().catch(() => undefined);
      throw error;
    },
  );
  const { url } = await server.listen();
  logger.info({ url }, `SyncTalk listening on ${config.http.publicUrl ?? url}`);
  await describeStart(config, server, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    server.close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * What someone starting the server needs next, on every start: the default site to embed, how to get its
 * signing secret, where the development JWT secret is kept, and settings that no longer take effect.
 */
async function describeStart(config: Config, server: SyncTalkServer, logger: Logger): Promise<void> {
  if (config.auth.jwtSecretSource === 'data-dir') {
    logger.info(
      `JWT_SECRET is not set: using the development secret kept in ${config.auth.jwtSecretFile} ` +
        '(set JWT_SECRET in production)',
    );
  }
  const site = await server.deps.sites.repo.findDefault();
  if (!site) return;
  logger.info(
    { siteId: site.publicId, allowedOrigins: site.allowedOrigins },
    `default site ${site.publicId} (allowed origins: ${site.allowedOrigins.join(', ') || 'none'}); ` +
      'its signing secret: npm run -s site-secret (rotates it)',
  );
  const wanted = config.sites.defaultOrigins;
  const same =
    wanted.length === site.allowedOrigins.length && wanted.every((o) => site.allowedOrigins.includes(o));
  if (config.sites.defaultOriginsSet && !same) {
    logger.warn(
      { siteId: site.publicId, corsOrigins: wanted, allowedOrigins: site.allowedOrigins },
      `CORS_ORIGINS (${wanted.join(', ')}) differs from the default site's allowed origins, which it set ` +
        'only when the site was created; change them with ' +
        `PATCH /v1/admin/sites/${site.publicId} { "allowedOrigins": [...] }`,
    );
  }
}

async function runMigrate(config: Config) {
  const logger = processLogger(config);
  const database = createDatabase(config.database, logger);
  try {
    const { applied } = await prepareDatabase(database, {
      retries: config.startup.retries,
      logger,
      migrations: migrationSource,
    });
    logger.info({ applied }, `${database.description}: ${applied.length} migrations applied`);
  } finally {
    await database.close();
  }
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`synctalk: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const command = process.argv[2] ?? 'serve';
  if (command === 'serve') await runServer(config);
  else if (command === 'migrate') await runMigrate(config);
  else if (command === 'create-admin') {
    const { runCreateAdmin } = await import('./auth/admin-bootstrap.js');
    await runCreateAdmin(config, process.argv.slice(3), process.stdin, (line) =>
      process.stdout.write(`${line}\n`),
    );
  } else if (command === 'site-secret') {
    const { runSiteSecret } = await import('./sites/site-secret-command.js');
    await runSiteSecret(config, process.argv.slice(3), {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } else {
    process.stderr.write(
      `synctalk: unknown command "${command}" (expected serve, migrate, create-admin or site-secret)\n`,
    );
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`synctalk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
