/**
 * A client process of the scale benchmark (started by scale-workers.ts, requests over IPC). For the idle
 * measurement it holds plain socket.io-client connections, each joined to its room and otherwise silent; for
 * the reconnect storm, real `@synctalk/sdk` clients, whose own reconnect, rejoin and catch-up are what is
 * measured: each records when it came back, when its room was rejoined, and every message delivered.
 */
import { createClient, memoryTokenStore, type Connection, type SyncTalkClient } from '@synctalk/sdk';
import { connect, pool, type ChatSocket } from './bench-client.js';
import { DroppableAgent } from './soak-clients.js';
import type { IdleOpened, StormRecord, StormStatus, StormUser, WorkerRequest } from './scale-workers.js';

const ACK_TIMEOUT_MS = 20_000;

let idle: ChatSocket[] = [];

interface StormClient {
  client: SyncTalkClient;
  agent: DroppableAgent;
  chat?: Connection;
  record: StormRecord;
}

let storm: StormClient[] = [];

function text(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e?.code ?? ''} ${e?.message ?? String(error)}`.trim().slice(0, 300);
}

async function idleOpen(url: string, users: { token: string; roomId: string }[]): Promise<IdleOpened> {
  let failed = 0;
  let firstError: string | undefined;
  await pool(users.length, 50, async (i) => {
    try {
      const socket = await connect(url, users[i]!.token);
      idle.push(socket);
      const joined = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('room:join', { roomId: users[i]!.roomId });
      if ('error' in joined) throw new Error(`room:join: ${joined.error.code} ${joined.error.message}`);
    } catch (error) {
      failed += 1;
      firstError ??= text(error);
    }
  });
  return { connected: idle.filter((s) => s.connected).length, failed, firstError };
}

function idleClose(): null {
  for (const socket of idle) socket.close();
  idle = [];
  return null;
}

/** A storm client: connected to the first of `urls`, in its room, recording what happens to it. */
async function stormClient(urls: string[], { tokens, roomId }: StormUser): Promise<void> {
  const record: StormRecord = { roomId, delivered: [], attempts: 0, errors: 0 };
  const client = createClient({ baseUrl: urls, tokens: memoryTokenStore(tokens) });
  // Counts the connections the SDK opens (its TCP connections go through this agent).
  const agent = new DroppableAgent();
  const entry: StormClient = { client, agent, record };
  storm.push(entry);
  // socket.io-client hands `agent` to the WebSocket in Node.
  const chat = await client.connect({ socketOptions: { agent: agent as unknown as string } });
  entry.chat = chat;
  let lost = false;
  let openedBefore = 0;
  chat.on('status', (status) => {
    if (status !== 'connected') {
      if (!lost) openedBefore = agent.opened;
      lost = true;
    } else if (lost && record.reconnectedAt === undefined) {
      record.attempts = agent.opened - openedBefore;
      record.reconnectedAt = Date.now();
      record.reconnectedTo = client.baseUrl;
    }
  });
  chat.on('room:joined', (joined, { rejoin }) => {
    if (rejoin && record.rejoinedAt === undefined) {
      record.rejoinedAt = Date.now();
      record.seqAtRejoin = record.delivered.at(-1)?.seq ?? 0;
    }
  });
  chat.on('message:new', (message) => {
    if (message.roomId !== roomId) return;
    record.delivered.push({ seq: Number(message.seq), id: message.id });
  });
  chat.on('error', (error) => {
    record.errors += 1;
    record.firstError ??= text(error);
  });
  await chat.joinRoom(roomId);
}

async function stormConnect(request: WorkerRequest & { type: 'storm-connect' }): Promise<IdleOpened> {
  let failed = 0;
  let firstError: string | undefined;
  await pool(request.users.length, 25, async (i) => {
    try {
      await stormClient(request.urls, request.users[i]!);
    } catch (error) {
      failed += 1;
      firstError ??= text(error);
    }
  });
  return { connected: storm.filter((c) => c.chat?.status === 'connected').length, failed, firstError };
}

function stormStatus(heads: Record<string, number> | undefined): StormStatus {
  let reconnected = 0;
  let rejoined = 0;
  let behind = 0;
  for (const { record } of storm) {
    if (record.reconnectedAt !== undefined) reconnected += 1;
    if (record.rejoinedAt !== undefined) rejoined += 1;
    if (heads && (record.delivered.at(-1)?.seq ?? 0) < (heads[record.roomId] ?? 0)) behind += 1;
  }
  return { clients: storm.length, reconnected, rejoined, behind };
}

function stormClose(): null {
  for (const c of storm) {
    c.chat?.close();
    c.agent.destroy();
  }
  storm = [];
  return null;
}

function handle(request: WorkerRequest): unknown {
  switch (request.type) {
    case 'idle-open':
      return idleOpen(request.url, request.users);
    case 'idle-close':
      return idleClose();
    case 'storm-connect':
      return stormConnect(request);
    case 'storm-status':
      return stormStatus(request.heads);
    case 'storm-records':
      return storm.map((c) => c.record);
    case 'storm-close':
      return stormClose();
  }
}

process.on('message', (message: { id: number; request: WorkerRequest }) => {
  void Promise.resolve()
    .then(() => handle(message.request))
    .then(
      (result) => process.send!({ id: message.id, result }),
      (error: unknown) => process.send!({ id: message.id, error: text(error) }),
    );
});
process.on('SIGTERM', () => {
  idleClose();
  stormClose();
  process.exit(0);
});
process.send!({ ready: true });
