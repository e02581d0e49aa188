/**
 * Runs `synctalk-server` as a child process with a clean environment: one-shot commands, and servers that are
 * stopped later. From src/main.ts through tsx with the `@synctalk/source` condition (no build needed), or,
 * with `{ built: true }`, the bundle users run (`builtMain`, made by `npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** The built server (`npm run build`). */
export const builtMain = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface EntryOptions {
  /** Run `builtMain` instead of the sources. */
  built?: boolean;
}

const args = (command: string[], { built = false }: EntryOptions = {}) =>
  built ? [builtMain, ...command] : ['--import', 'tsx', '--conditions=@synctalk/source', main, ...command];

/** Only what the process needs to run, plus the test's variables. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `synctalk-server ...command` to completion with `stdin` piped in. */
export function runCommand(
  command: string[],
  env: Record<string, string>,
  stdin = '',
  timeoutMs = 30_000,
  entry: EntryOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(command, entry), {
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`synctalk-server ${command.join(' ')} did not finish:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

export interface ServerProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** Resolves with the URL once the server listens. */
  url: Promise<string>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `synctalk-server` (serve) with `env`. */
export function startServerProcess(env: Record<string, string>, entry: EntryOptions = {}): ServerProcess {
  const child = spawn(process.execPath, args([], entry), {
    env: cleanEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /SyncTalk listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  url.catch(() => undefined);
  return {
    pid: child.pid!,
    child,
    exited,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
