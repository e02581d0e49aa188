/**
 * The "customer's website": a static server on 127.0.0.1 (ephemeral port) serving pages and scripts held in
 * memory, each with the response headers a test chooses (e.g. a Content-Security-Policy).
 *
 * ```ts
 * const host = await startHostServer();
 * host.serve('/chat.html', { body: html, headers: { 'content-security-policy': "default-src 'none'" } });
 * await page.goto(host.url('/chat.html'));
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostFile {
  body: string;
  /** Content-Type (default: HTML). */
  type?: string;
  headers?: Record<string, string>;
}

export interface HostServer {
  /** e.g. `http://127.0.0.1:41234`: the origin chat sites must allow. */
  origin: string;
  url(path: string): string;
  /** Serves `file` at `path` from now on (replacing what was there). */
  serve(path: string, file: HostFile): void;
  close(): Promise<void>;
}

export async function startHostServer(
  options: {
    /**
     * The name pages are visited at (default `127.0.0.1`). `localhost` makes the host another site than chat
     * servers on `127.0.0.1` (cookies and storage are then third-party to them); it listens on 127.0.0.1 either
     * way.
     */
    hostname?: string;
  } = {},
): Promise<HostServer> {
  const files = new Map<string, HostFile>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const file = files.get(path);
    if (path === '/favicon.ico' && !file) {
      res.writeHead(204).end(); // no icon, and no 404 in the page's console
      return;
    }
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type ?? 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...file.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://${options.hostname ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    serve: (path, file) => void files.set(path, file),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
