/** Finding free local TCP ports for services a test starts itself. */
import { createServer } from 'node:net';

/** Whether nothing listens on `port` on 127.0.0.1. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port from `from` to `to`, tried from a random start so that files starting at once rarely collide. */
export async function findFreePort(from: number, to: number): Promise<number> {
  const count = to - from + 1;
  const first = Math.floor(Math.random() * count);
  for (let i = 0; i < count; i += 1) {
    const port = from + ((first + i) % count);
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port from ${from} to ${to}`);
}
