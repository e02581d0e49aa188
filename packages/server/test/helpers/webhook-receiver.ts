/**
 * Webhook delivery test kit: a receiver (a node:http server on an ephemeral port of 127.0.0.1 that logs what it gets
 * and answers as the test says), endpoints made through the admin API, and events queued with the outbox's
 * own `recordEvents` (as a domain write would, in a transaction).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { recordEvents, type OutboxEvent } from '../../src/webhooks/outbox.js';
import type { Site } from '../../src/sites/sites.repository.js';
import { client } from './http.js';
import type { TestUser } from './factories.js';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The answer it got (`hang`: none). */
  answer: number | 'hang';
}

/** What the receiver answers: a status (and body), or `hang` (never answers). */
export type ReceiverAnswer =
  number | { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order (including the ones it refused or left hanging). */
  received: ReceivedWebhook[];
  /** The requests it answered 2xx. */
  accepted(): ReceivedWebhook[];
  /** Sets how it answers from now on (a function sees each request). */
  answer(
    how: ReceiverAnswer | ((req: { headers: IncomingHttpHeaders; body: string }) => ReceiverAnswer),
  ): void;
  /** Resolves once `done()` holds, checked after every request and every 50 ms; rejects after `timeoutMs`. */
  until(done: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(initial: ReceiverAnswer = 200): Promise<WebhookReceiver> {
  let how: ReceiverAnswer | ((req: { headers: IncomingHttpHeaders; body: string }) => ReceiverAnswer) =
    initial;
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const a = typeof how === 'function' ? how({ headers: req.headers, body }) : how;
      received.push({
        headers: req.headers,
        body,
        answer: a === 'hang' ? 'hang' : typeof a === 'number' ? a : a.status,
      });
      if (a === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const spec = typeof a === 'number' ? { status: a } : a;
      res.writeHead(spec.status, { 'content-type': 'text/plain', ...spec.headers });
      res.end(spec.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    accepted: () => received.filter((r) => typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300),
    answer(next) {
      how = next;
    },
    async until(done, timeoutMs = 20_000, what = 'the receiver') {
      const started = Date.now();
      while (!done()) {
        if (Date.now() - started > timeoutMs) {
          throw new Error(`${what}: condition not met after ${timeoutMs} ms (${received.length} requests)`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates an endpoint through the admin API as `admin`; resolves with its id and secret. */
export async function createEndpoint(
  baseUrl: string,
  admin: TestUser,
  body: { url: string; events?: string[]; description?: string; enabled?: boolean },
): Promise<{ id: string; secret: string }> {
  const res = await client(baseUrl).post('/v1/site/webhooks', { headers: admin.headers, body });
  if (res.status !== 201) throw new Error(`creating the endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.endpoint.id as string, secret: res.body.secret as string };
}

/** A `message.created` event of `roomId` with sequence `seq` (the data a send would record). */
export function messageCreated(site: Site, roomId: string, seq: number, text = `m${seq}`): OutboxEvent {
  const now = new Date().toISOString();
  return {
    site: { id: site.id, publicId: site.publicId },
    type: 'message.created',
    roomId,
    data: {
      roomId,
      message: {
        id: `${roomId}${String(seq).padStart(6, '0')}`,
        roomId,
        seq: String(seq),
        author: { id: '1', displayName: 'Tester', avatarUrl: null },
        clientMsgId: `c-${roomId}-${seq}`,
        text,
        replyTo: null,
        createdAt: now,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
  };
}

/** Records `events` in one transaction, as a domain write would; resolves with the deliveries queued. */
export function queueEvents(db: Knex, events: OutboxEvent[]): Promise<number> {
  return db.transaction((trx) => recordEvents(trx, events));
}

/** The event a received request carries. */
export function eventOf(r: ReceivedWebhook): { id: string; type: string; data: Record<string, unknown> } {
  return JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> };
}
