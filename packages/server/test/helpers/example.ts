/**
 * Runs one of the repository's examples (`examples/<name>/<file>`) as a child process, the way its README
 * does, and waits for the URL it prints. The SDK is loaded from source (tsx and the `@synctalk/source`
 * condition), so the examples run without building `@synctalk/sdk` first.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface RunningExample {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startExample(file: string, env: Record<string, string>): Promise<RunningExample> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@synctalk/source', `examples/${file}`],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`examples/${file} did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = / on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`examples/${file} exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
