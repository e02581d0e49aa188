/**
 * `synctalk-server site-secret [--site st_…]`: the one way to see the default site's signing secret outside
 * the admin API. It rotates the secret (the old one stops working at once) and prints the new one alone on
 * standard output, so `SECRET=$(synctalk-server site-secret)` captures it; which site it was goes to standard
 * error. Nothing else it writes contains a secret.
 */
import { migrationSource } from '../migrations/index.js';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { createDatabase, prepareDatabase } from '../platform/database.js';
import { createLogger } from '../platform/logger.js';
import { createSharedStore } from '../platform/redis.js';
import type { Site } from './sites.repository.js';
import { PUBLIC_ID } from './sites.schemas.js';
import { sitesService } from './sites.service.js';

const USAGE = 'usage: synctalk-server site-secret [--site st_…]   (default: the default site)';

/** Where the command writes: the secret to `out`, everything else to `err`. */
export interface CommandOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Rotates the signing secret of site `--site` (default: the default site, created if the server never ran)
 * and prints the new one. Throws with a one-line message for misuse or an unknown site, writing nothing.
 */
export async function runSiteSecret(config: Config, argv: string[], output: CommandOutput): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { site: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Error(`site-secret: ${(error as Error).message}\n${USAGE}`);
  }
  const wanted = args.site;
  if (wanted !== undefined && !PUBLIC_ID.test(wanted)) {
    throw new Error(`site-secret: no site "${wanted.slice(0, 80)}" (site ids look like st_…)`);
  }

  // Warnings go to standard error: standard output carries the secret only.
  const logger = createLogger(
    config.log.level === 'silent' ? 'silent' : 'warn',
    pino.destination({ fd: 2, sync: true }),
  );
  const database = createDatabase(config.database, logger);
  try {
    await prepareDatabase(database, { retries: config.startup.retries, logger, migrations: migrationSource });
    // Sites only need the database; a memory store satisfies the rest of the interface.
    const store = await createSharedStore({ kind: 'memory' }, { retries: 0, logger });
    const sites = sitesService({ config, db: database.db, store, logger });
    try {
      let site: Site;
      if (wanted !== undefined) {
        const found = await sites.repo.findByPublicId(wanted);
        if (!found) throw new Error(`site-secret: no site "${wanted}"`);
        site = found;
      } else {
        const { site: d, created } = await sites.ensureDefault();
        if (created) output.err(`default site created: public id ${d.publicId}`);
        site = d;
      }
      const secret = await sites.rotateSecret(site.id);
      if (!secret) throw new Error(`site-secret: no site "${site.publicId}"`);
      output.err(
        `new signing secret of site ${site.publicId} ("${site.name}"); the previous one no longer works:`,
      );
      output.out(secret);
    } finally {
      await store.close();
    }
  } finally {
    await database.close();
  }
}
