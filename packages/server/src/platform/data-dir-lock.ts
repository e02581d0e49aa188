/**
 * An exclusive lock on the embedded data directory, so two processes (a server and `create-admin`, or two
 * servers) never open the same embedded database: the second one refuses before writing anything.
 *
 * The lock is the file `synctalk.lock` in the directory, holding its owner's pid, host name, start time and a
 * random token. It is created exclusively and complete (written to a private file first, then hard-linked
 * into place: `link` fails with EEXIST like `open(O_EXCL)`, and nobody ever reads a half-written lock).
 * It is removed by `release()` and, failing that, when the process exits. A lock left by a process that
 * died (same host, pid gone; or this very pid, not held by this process: a restarted container) is stale
 * and taken over. Several processes taking over the same stale lock at once are serialised by a claim file
 * named after that lock's token, created exclusively: exactly one of them replaces the lock.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  type PathLike,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'synctalk.lock';

/** What a lock file records about its owner. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  token: string;
}

/** Thrown when another live process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

/** A held lock; `release()` removes it (idempotent). */
export interface DataDirLock {
  readonly dir: string;
  readonly owner: LockOwner;
  release(): void;
}

// Locks this process holds, by lock file path: tells "held by me" from "left by an earlier process with my pid".
const held = new Map<string, string>();

function readOwner(file: PathLike): LockOwner | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (
      Number.isInteger(o.pid) &&
      (o.pid as number) > 0 &&
      typeof o.hostname === 'string' &&
      typeof o.startedAt === 'string' &&
      typeof o.token === 'string'
    ) {
      return o as LockOwner;
    }
  } catch {
    // falls through
  }
  return 'unreadable';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether `owner`'s lock on `file` was left by a process that no longer runs. */
function isStale(owner: LockOwner, file: string): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return held.get(file) !== owner.token;
  return !isAlive(owner.pid);
}

/** Creates `file` exclusively with `content`, complete; false when it already exists. */
function createExclusive(file: string, content: string, suffix: string): boolean {
  const temporary = `${file}.${suffix}`;
  writeFileSync(temporary, content, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Replaces the stale lock `stale` on `file` with `content`. Only the process that creates the claim file for
 * that stale token may, and it checks under the claim that the lock still is that stale one: a contender
 * arriving after the take-over finds another token and backs off. Returns whether this process took it.
 */
function takeOver(file: string, stale: LockOwner, content: string, token: string): boolean {
  const claim = `${file}.claim-${stale.token.replace(/[^A-Za-z0-9_-]/g, '')}`;
  if (!createExclusive(claim, content, `${token}.tmp`)) {
    // Someone else is taking this one over; a claimer that died mid-way leaves a stale claim.
    const claimer = readOwner(claim);
    if (typeof claimer === 'object' && isStale(claimer, claim)) unlinkIfPresent(claim);
    return false;
  }
  try {
    const current = readOwner(file);
    if (typeof current !== 'object' || current.token !== stale.token) return false;
    const temporary = `${file}.${token}.new`;
    writeFileSync(temporary, content, { flag: 'wx', mode: 0o600 });
    renameSync(temporary, file);
    return true;
  } finally {
    unlinkIfPresent(claim);
  }
}

function lockedMessage(dir: string, file: string, owner: LockOwner | 'unreadable'): string {
  if (owner === 'unreadable') {
    return `the data directory ${dir} is locked (${file} names no owner); if no synctalk server or command uses it, delete that file`;
  }
  const who = owner.pid === process.pid ? `this process (${owner.pid})` : `process ${owner.pid}`;
  const where = owner.hostname === hostname() ? '' : ` on host ${owner.hostname}`;
  const remedy =
    where === '' ? 'stop it first' : `stop it first (if that host no longer runs synctalk, delete ${file})`;
  return `the data directory ${dir} is in use by ${who}${where} (another synctalk server or command, since ${owner.startedAt}); ${remedy}`;
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function releaseAllAtExit(): void {
  for (const [file, token] of held) {
    const current = readOwner(file);
    if (typeof current === 'object' && current.token === token) unlinkIfPresent(file);
  }
  held.clear();
}

/**
 * Takes the lock on data directory `dir` (created if missing) or throws `DataDirLockedError` naming the
 * holder's pid. Nothing but the lock file is written, and nothing at all when refused.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  const file = join(resolve(dir), LOCK_FILE);
  const token = randomBytes(16).toString('hex');
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token,
  };
  const content = `${JSON.stringify(owner)}\n`;

  let acquired = false;
  // Retries only cover races: a lock released, or a stale one being taken over by someone else, meanwhile.
  for (let attempt = 0; attempt < 50 && !acquired; attempt++) {
    if (attempt > 0) pause(20);
    const current = readOwner(file);
    if (current === undefined) {
      mkdirSync(dir, { recursive: true });
      acquired = createExclusive(file, content, `${token}.tmp`);
    } else if (current === 'unreadable' || !isStale(current, file)) {
      throw new DataDirLockedError(
        dir,
        current === 'unreadable' ? undefined : current,
        lockedMessage(dir, file, current),
      );
    } else {
      acquired = takeOver(file, current, content, token);
    }
  }
  if (!acquired) {
    throw new DataDirLockedError(
      dir,
      undefined,
      `the data directory ${dir} could not be locked (other processes keep taking it over); try again`,
    );
  }

  if (held.size === 0) process.on('exit', releaseAllAtExit);
  held.set(file, token);
  return {
    dir,
    owner,
    release() {
      if (held.get(file) !== token) return;
      held.delete(file);
      if (held.size === 0) process.off('exit', releaseAllAtExit);
      const current = readOwner(file);
      if (typeof current === 'object' && current.token === token) unlinkIfPresent(file);
    },
  };
}
