/**
 * safePost connects to the address it checked: the name is resolved once (here by a stubbed resolver that
 * knows `rebind.test`, a name real DNS never resolves), and the socket is given that address, so a second
 * lookup answering something else (DNS rebinding) cannot redirect the request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as Dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const answers: string[] = [];
vi.mock('node:dns', async (importOriginal) => {
  const dns = await importOriginal<typeof Dns>();
  return {
    ...dns,
    lookup: (
      host: string,
      options: unknown,
      callback: (e: Error | null, a?: { address: string; family: number }[]) => void,
    ) => {
      if (host !== 'rebind.test') return (dns.lookup as (...a: unknown[]) => void)(host, options, callback);
      // The first answer is checked; any later one would point elsewhere.
      const address = answers.length === 0 ? '127.0.0.1' : '10.255.255.1';
      answers.push(address);
      callback(null, [{ address, family: 4 }]);
    },
  };
});

const { safePost } = await import('./safe-request.js');

describe('safePost', () => {
  let server: Server;
  let port: number;
  const hosts: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects to the address it resolved and checked, keeping the name in the Host header', async () => {
    const result = await safePost(
      `http://rebind.test:${port}/hook`,
      '{}',
      {},
      {
        timeoutMs: 2000,
        allowPrivate: true,
      },
    );
    expect(result).toMatchObject({ ok: true, status: 204, error: null });
    expect(answers).toEqual(['127.0.0.1']);
    expect(hosts).toEqual([`rebind.test:${port}`]);
  });

  it('refuses the name when its address is not public and private ones are not allowed', async () => {
    answers.length = 0;
    const result = await safePost(
      `http://rebind.test:${port}/hook`,
      '{}',
      {},
      {
        timeoutMs: 2000,
        allowPrivate: false,
      },
    );
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/^refused: rebind\.test resolves to 127\.0\.0\.1/);
    expect(hosts).toHaveLength(1);
  });
});
