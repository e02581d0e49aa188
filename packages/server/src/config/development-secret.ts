import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Without JWT_SECRET outside production: in development a random secret kept in the data directory (so
 * sign-ins survive a restart), in tests a fresh one per process. Production refuses to start instead.
 */
export function developmentSecret(nodeEnv: string, dataDir: string): string {
  if (nodeEnv !== 'development') return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'dev-secret');
  const read = (): string | undefined => {
    try {
      const existing = readFileSync(file, 'utf8').trim();
      return existing.length >= 32 ? existing : undefined;
    } catch {
      return undefined; // not created yet
    }
  };
  const existing = read();
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  // Written whole to a private file, then linked into place: of two first starts at once, one links and
  // the other reads the complete secret it wrote.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const written = read();
  if (written) return written;
  // An unreadable or truncated file left by a crash: replace it.
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
