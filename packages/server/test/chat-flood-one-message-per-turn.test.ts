import { expect, it } from 'vitest';
import { connectChat, nextEvent } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const EVENTS = 2000;

describeWith(['postgres', 'redisCluster'], 'chat: a flood is read one message per turn', () => {
  const [a] = useServer({ label: 'chat_flood_turns', nodes: 1 }).nodes;

  it(`reads ${EVENTS} events sent at once one per turn of the event loop, never a whole TCP read`, async () => {
    const mallory = await newUser(a);
    const room = await newRoom(a, mallory);
    const flooder = await connectChat(a.url, { token: mallory.token });
    const conn = a.server.io.of('/chat').sockets.get(flooder.id!)!.conn;
    const serverEnd = conn.request.socket;

    // Turns of the server's event loop, counted by an immediate that queues itself again: one per turn.
    let turn = 0;
    let counting = true;
    const tick = () => {
      turn += 1;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const perTurn = new Map<number, number>();
    let reads = 0;
    const countRead = () => (reads += 1);
    serverEnd.on('data', countRead);
    conn.on('packet', (packet: { type: string }) => {
      if (packet.type === 'message') perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    });

    const cutOff = nextEvent(flooder as never, 'disconnect' as never, () => true, 30_000) as Promise<unknown>;
    const raw = flooder as unknown as { emit(e: string, p: unknown, ack: () => void): void };
    for (let i = 0; i < EVENTS; i += 1) raw.emit('typing:start', { roomId: room.id }, () => undefined);
    await cutOff;
    counting = false;
    serverEnd.off('data', countRead);

    const read = [...perTurn.values()].reduce((s, n) => s + n, 0);
    // The server read a few hundred events before it cut the flood off, in far fewer TCP reads: many
    // messages per read, yet never more than one handled per turn.
    expect(read).toBeGreaterThan(200);
    expect(reads).toBeLessThan(read / 4);
    expect(Math.max(...perTurn.values())).toBe(1);
  });
});
