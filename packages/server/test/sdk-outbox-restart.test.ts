/**
 * The SDK's durable outbox, end to end: a Node app (a child process running the SDK with a file storage) is
 * connected when the server stops; it queues 20 sends, which stay pending and are written to its storage, and
 * is SIGKILLed. The server starts again on the same database and port; a new process with the same storage
 * file signs in, connects, and the 20 are stored exactly once and in order — before a send it makes after
 * connecting — while the server's per-user rate limit keeps refusing some of them for a while.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@synctalk/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from './helpers/factories.js';
import type { OutboxChildConfig, OutboxChildMessage } from './helpers/outbox-child.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const CHILD = fileURLToPath(new URL('./helpers/outbox-child.ts', import.meta.url));
const COUNT = 20;
// 8 sends a second per user: the 21 sends are refused `rate_limited` now and then, and must still keep order.
const ENV = { MESSAGE_RATE_LIMIT: '8', MESSAGE_RATE_WINDOW: '1s' };

type Of<T extends OutboxChildMessage['type']> = Extract<OutboxChildMessage, { type: T }>;

/** The app in a child process: `next(type)` waits for its next message of that type. */
function startApp(config: OutboxChildConfig) {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(config)], {
    execArgv: ['--conditions=@synctalk/source', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const received: OutboxChildMessage[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  child.on('message', (message: OutboxChildMessage) => {
    received.push(message);
    wake?.();
  });
  child.on('exit', () => {
    exited = true;
    wake?.();
  });
  return {
    child,
    async next<T extends OutboxChildMessage['type']>(type: T): Promise<Of<T>> {
      for (;;) {
        const failure = received.find((m) => m.type === 'error');
        if (failure) throw new Error(`the app failed: ${JSON.stringify(failure)}\n${stderr}`);
        const i = received.findIndex((m) => m.type === type);
        if (i >= 0) return received.splice(i, 1)[0] as Of<T>;
        if (exited) throw new Error(`the app exited before "${type}"\n${stderr}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    command(command: 'queue' | 'drain') {
      child.send(command);
    },
    async kill() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

describeWith(['postgres'], 'sdk: the outbox across a crash of the app and a restart of the server', () => {
  const { t, db } = useServer({ label: 'sdk_outbox_restart', env: ENV });
  const apps: ReturnType<typeof startApp>[] = [];
  let restarted: TestServer | undefined;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synctalk-outbox-'));
  });
  afterAll(async () => {
    for (const app of apps) await app.kill();
    await restarted?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores 20 sends queued while the server was down exactly once, in order, once the app connects again', async () => {
    const owner = createClient({ baseUrl: t.url });
    await owner.auth.signup({ username: uniqueName('own'), password: 'correct horse battery' });
    const room = await owner.rooms.create({ title: 'Outbox', visibility: 'public' });
    const username = uniqueName('app');
    const member = createClient({ baseUrl: t.url });
    await member.auth.signup({ username, password: 'correct horse battery' });
    await member.rooms.join(room.id);

    const config: OutboxChildConfig = {
      url: t.url,
      username,
      password: 'correct horse battery',
      roomId: room.id,
      storagePath: join(dir, 'storage.json'),
      count: COUNT,
      prefix: 'restart',
    };
    const first = startApp(config);
    apps.push(first);
    await first.next('connected');
    const port = t.port;
    await t.close();
    first.command('queue');
    const queued = await first.next('queued');
    expect(queued.statuses).toEqual(Array.from({ length: COUNT }, () => 'pending'));
    await first.kill();

    restarted = await startTestServer({ databaseUrl: db.url, port, env: ENV });
    expect((await owner.messages.history(room.id)).messages).toEqual([]);
    const second = startApp(config);
    apps.push(second);
    await second.next('connected');
    second.command('drain');
    const texts = Array.from({ length: COUNT }, (_, i) => String(i + 1));
    expect((await second.next('restored')).texts).toEqual(texts);
    const drained = await second.next('drained');
    expect(drained.sent).toEqual([...texts, String(COUNT + 1)]);

    const history = await owner.messages.history(room.id, { after: '0', limit: 100 });
    expect(history.hasMore).toBe(false);
    expect(history.messages.map((m) => m.text)).toEqual([...texts, String(COUNT + 1)]);
    expect(history.messages.map((m) => m.seq)).toEqual([...texts, String(COUNT + 1)]);
    expect(history.messages.slice(0, COUNT).map((m) => m.clientMsgId)).toEqual(
      texts.map((n) => `restart-${n}`),
    );
  }, 90_000);
});
