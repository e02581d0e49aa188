import type { Socket as NetSocket } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import { connectChat, type ChatClient } from './helpers/cluster.js';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const BURST = 5;
const FLOOD = 600;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

/** Counts the system-call-level writes (`_write` and `_writev` calls) on the server's side of `client`. */
function countServerWrites(server: ReturnType<typeof useServer>['nodes'][number], client: ChatClient) {
  const socket = server.server.io.of('/chat').sockets.get(client.id!);
  const transport = socket?.conn.transport as unknown as { name: string; socket: { _socket: NetSocket } };
  expect(transport.name).toBe('websocket');
  const tcp = transport.socket._socket as NetSocket & {
    _write(...args: unknown[]): void;
    _writev(...args: unknown[]): void;
  };
  const counts = { writes: 0 };
  const write = tcp._write.bind(tcp);
  const writev = tcp._writev.bind(tcp);
  tcp._write = (...args) => {
    counts.writes += 1;
    write(...args);
  };
  tcp._writev = (...args) => {
    counts.writes += 1;
    writev(...args);
  };
  return counts;
}

describeWith(['postgres'], 'chat: frames answered in one tick leave in one TCP write', () => {
  const [a] = useServer({
    label: 'chat_write_coalescing',
    nodes: 1,
    redis: 'memory',
    env: {
      // Refusals, not handlers: every answer beyond the burst is written in the tick its event arrived.
      SOCKET_EVENT_RATE: '1',
      SOCKET_EVENT_BURST: String(BURST),
      SOCKET_QUEUE_MAX: '10000',
      SOCKET_FLOOD_DISCONNECT: '1000000',
    },
  }).nodes;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    alice = await newUser(a);
    roomId = (await newRoom(a, alice)).id;
  });

  it(`answers ${FLOOD} events sent at once in far fewer writes than frames, every answer intact`, async () => {
    const client = await connectChat(a.url, { token: alice.token, transports: ['websocket'] });
    try {
      const counts = countServerWrites(a, client);
      const raw = client as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
      const acks = await Promise.all(
        Array.from(
          { length: FLOOD },
          () => new Promise<Ack>((resolve) => raw.emit('typing:start', { roomId }, resolve)),
        ),
      );
      const refused = acks.filter((r) => r?.error?.code === 'rate_limited');
      expect(refused.length).toBeGreaterThanOrEqual(FLOOD - BURST - 5);
      // Within the budget: handled (this connection joined no room, so typing there is forbidden).
      const handled = acks.filter((r) => r?.error?.code === 'forbidden');
      expect(handled.length + refused.length).toBe(FLOOD);
      // One frame per answer; without coalescing, one write each.
      expect(counts.writes).toBeGreaterThan(0);
      expect(counts.writes).toBeLessThan(refused.length / 10);
    } finally {
      client.close();
    }
  });
});
