/**
 * A throw-away PostgreSQL 15 instance of one's own (initdb into a temporary directory, its own port), for
 * tests that stop or restart the database on purpose: the shared one is used by every other test file and
 * must never be restarted.
 *
 * ```ts
 * const pg = await startPrivatePostgres();
 * const db = await createTestDatabase('x', pg.adminUrl);
 * await pg.restart();   // fast shutdown, then start
 * await pg.stop();      // always, in afterAll
 * ```
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './ports.js';

const BIN = '/usr/lib/postgresql/15/bin';
/** The instance runs as this system user when the tests run as root (PostgreSQL refuses root). */
const RUN_AS = 'postgres';

export interface PrivatePostgres {
  port: number;
  /** The `postgres` database of the instance, as its superuser (trust auth on 127.0.0.1). */
  adminUrl: string;
  /** `pg_ctl stop -m fast` (connections cut, no clean-up wait). */
  stopServer(): void;
  /** `pg_ctl start`; returns once it accepts connections. */
  startServer(): void;
  /** Stops the instance and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Why a private instance cannot be started here, or undefined. */
export function privatePostgresUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `PostgreSQL 15 binaries are not installed in ${BIN}`;
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', RUN_AS]).status !== 0) {
    return `running as root and there is no "${RUN_AS}" user to run PostgreSQL as`;
  }
  return undefined;
}

function asOwner(bin: string, args: string[]): void {
  const command = [join(BIN, bin), ...args];
  if (process.getuid?.() === 0)
    execFileSync('su', [RUN_AS, '-c', command.map(quote).join(' ')], { stdio: 'pipe' });
  else execFileSync(command[0]!, command.slice(1), { stdio: 'pipe' });
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'synctalk-pg-'));
  chmodSync(root, 0o777);
  const data = join(root, 'data');
  const port = await findFreePort(5442, 5449);
  if (process.getuid?.() === 0) execFileSync('chown', [RUN_AS, root]);
  asOwner('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const startServer = () =>
    asOwner('pg_ctl', ['start', '-w', '-D', data, '-o', options, '-l', join(root, 'log')]);
  const stopServer = () => asOwner('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopNow);
    try {
      stopServer();
    } catch {
      // not running
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  try {
    startServer();
  } catch (error) {
    stopNow();
    throw error;
  }
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stopServer,
    startServer,
    stop: async () => stopNow(),
  };
}
