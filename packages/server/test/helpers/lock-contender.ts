/**
 * A process that takes the data directory lock on command, for tests of `data-dir-lock.ts` across processes.
 * Run as `node --import tsx lock-contender.ts DIR`; it prints `ready`, then obeys lines on standard input:
 * `acquire` (prints `won PID` or `lost MESSAGE`), `release` (prints `released`), `exit` (exits at once,
 * leaving release to the exit handler).
 */
import { createInterface } from 'node:readline';
import { acquireDataDirLock, type DataDirLock } from '../../src/platform/data-dir-lock.js';

const dir = process.argv[2]!;
let lock: DataDirLock | undefined;
const say = (line: string) => process.stdout.write(`${line.replace(/\n/g, ' ')}\n`);

createInterface({ input: process.stdin }).on('line', (command) => {
  if (command === 'acquire') {
    try {
      lock = acquireDataDirLock(dir);
      say(`won ${process.pid}`);
    } catch (error) {
      say(`lost ${(error as Error).message}`);
    }
  } else if (command === 'release') {
    lock?.release();
    say('released');
  } else if (command === 'exit') {
    process.exit(0);
  }
});
say('ready');
