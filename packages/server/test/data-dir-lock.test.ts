/**
 * The embedded data directory's lock, across real processes: one holder at a time, the holder named to the
 * others, stale locks of dead processes taken over by exactly one contender.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE } from '../src/platform/data-dir-lock.js';

const contenderScript = fileURLToPath(new URL('./helpers/lock-contender.ts', import.meta.url));

interface Contender {
  child: ChildProcessWithoutNullStreams;
  /** Sends a command and resolves with the next line the contender prints. */
  send(command: string): Promise<string>;
  exited: Promise<number | null>;
}

async function startContender(dir: string): Promise<Contender> {
  const child = spawn(process.execPath, ['--import', 'tsx', contenderScript, dir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`contender said nothing:\n${errors}`)), 90_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  expect(await nextLine()).toBe('ready');
  return {
    child,
    exited,
    send(command) {
      child.stdin.write(`${command}\n`);
      return nextLine();
    },
  };
}

/** A pid that surely belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(result.stdout);
}

function plantLock(dir: string, owner: { pid: number; hostname?: string; token?: string }): string {
  const content = JSON.stringify({
    pid: owner.pid,
    hostname: owner.hostname ?? hostname(),
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    token: owner.token ?? `stale-${owner.pid}`,
  });
  writeFileSync(join(dir, LOCK_FILE), content);
  return content;
}

const lockOwner = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));

describe('the data directory lock', () => {
  let root: string;
  const contenders: Contender[] = [];
  let n = 0;
  const freshDir = () => join(root, `d${++n}`);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'synctalk-lock-'));
  });
  afterEach(async () => {
    for (const c of contenders.splice(0)) {
      c.child.stdin.end();
      c.child.kill();
      await c.exited;
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const contender = async (dir: string) => {
    const c = await startContender(dir);
    contenders.push(c);
    return c;
  };

  it("refuses a second process while the first holds it, naming the holder's pid, and writes nothing", async () => {
    const dir = freshDir();
    const holder = await contender(dir);
    const other = await contender(dir);
    expect(await holder.send('acquire')).toBe(`won ${holder.child.pid}`);
    const before = readdirSync(dir).sort();
    const lockBefore = readFileSync(join(dir, LOCK_FILE), 'utf8');

    const refused = await other.send('acquire');
    expect(refused).toMatch(
      new RegExp(
        `^lost the data directory .*d\\d+ is in use by process ${holder.child.pid} \\(another synctalk server or command, since .*\\); stop it first$`,
      ),
    );
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(lockBefore);

    // In this process too, as a typed error.
    let thrown: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DataDirLockedError);
    expect((thrown as DataDirLockedError).owner?.pid).toBe(holder.child.pid);
  });

  it('is free again once released, and once its holder exits without releasing', async () => {
    const dir = freshDir();
    const first = await contender(dir);
    const second = await contender(dir);
    expect(await first.send('acquire')).toMatch(/^won /);
    expect(await first.send('release')).toBe('released');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(await second.send('acquire')).toBe(`won ${second.child.pid}`);

    second.child.stdin.write('exit\n');
    expect(await second.exited).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const lock = acquireDataDirLock(dir);
    expect(lockOwner(dir).pid).toBe(process.pid);
    lock.release();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second open within one process', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir);
    try {
      expect(() => acquireDataDirLock(dir)).toThrow(
        new RegExp(`is in use by this process \\(${process.pid}\\)`),
      );
    } finally {
      lock.release();
    }
  });

  it('takes over a lock left by a process that died', () => {
    const dir = freshDir();
    acquireDataDirLock(dir).release();
    const pid = deadPid();
    plantLock(dir, { pid });
    const lock = acquireDataDirLock(dir);
    try {
      expect(lockOwner(dir)).toMatchObject({
        pid: process.pid,
        hostname: hostname(),
        token: lock.owner.token,
      });
      expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    } finally {
      lock.release();
    }
  });

  it('takes over a lock left by an earlier process with this same pid (a restarted container)', () => {
    const dir = freshDir();
    acquireDataDirLock(dir).release();
    plantLock(dir, { pid: process.pid, token: 'earlier-life' });
    const lock = acquireDataDirLock(dir);
    expect(lockOwner(dir).token).toBe(lock.owner.token);
    lock.release();
  });

  it('never takes over a lock of another host, whose processes it cannot see, and says how to clear it', () => {
    const dir = freshDir();
    acquireDataDirLock(dir).release();
    const content = plantLock(dir, { pid: deadPid(), hostname: 'elsewhere.example' });
    expect(() => acquireDataDirLock(dir)).toThrow(
      /in use by process \d+ on host elsewhere\.example .*if that host no longer runs synctalk, delete .*synctalk\.lock/,
    );
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(content);
  });

  it('refuses a lock file it cannot read rather than guessing', () => {
    const dir = freshDir();
    acquireDataDirLock(dir).release();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    expect(() => acquireDataDirLock(dir)).toThrow(/is locked \(.*synctalk\.lock names no owner\)/);
  });

  it(
    'lets exactly one of several processes take over the same stale lock at once',
    { timeout: 240_000 },
    async () => {
      const rounds = 4;
      const size = 6;
      for (let round = 0; round < rounds; round++) {
        const dir = freshDir();
        acquireDataDirLock(dir).release();
        plantLock(dir, { pid: deadPid() });
        const group = await Promise.all(Array.from({ length: size }, () => contender(dir)));
        // All at once: each has already started and waits for its line.
        const answers = await Promise.all(group.map((c) => c.send('acquire')));
        const winners = answers.filter((a) => a.startsWith('won '));
        expect(winners, answers.join('\n')).toHaveLength(1);
        const winnerPid = Number(winners[0]!.slice(4));
        expect(lockOwner(dir).pid).toBe(winnerPid);
        for (const a of answers.filter((x) => !x.startsWith('won '))) {
          expect(a).toContain(`in use by process ${winnerPid}`);
        }
        // No claim or temporary files are left behind.
        expect(readdirSync(dir)).toEqual([LOCK_FILE]);
        for (const c of contenders.splice(0)) {
          c.child.stdin.end();
          c.child.kill();
          await c.exited;
        }
      }
    },
  );
});
