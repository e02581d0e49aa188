/**
 * A Node app using the SDK with a file storage, for sdk-outbox-restart.test.ts. Run with
 * `fork(this file, [JSON config], { execArgv: ['--conditions=@synctalk/source', '--import', 'tsx'] })`.
 * It signs in and connects, says `connected`, then obeys the parent (IPC messages):
 *
 * - `queue`: once the connection is down (the parent stopped the server), queues `count` sends (texts
 *   `1`..`count`, ids `<prefix>-<n>`), waits until the storage file holds all of them, and says `queued` with
 *   the outgoing statuses. The parent then kills it.
 * - `drain`: says `restored` with the texts `outgoing()` lists right after `connect()`, sends one more
 *   (`count + 1`), waits until nothing is outgoing and the storage file holds none of the ids, says `drained`.
 */
import { createClient, type Connection } from '@synctalk/sdk';
import { fileStorage, fileStorageText } from './file-storage.js';

export interface OutboxChildConfig {
  url: string;
  username: string;
  password: string;
  roomId: string;
  storagePath: string;
  count: number;
  prefix: string;
}

export type OutboxChildMessage =
  | { type: 'connected' }
  | { type: 'queued'; statuses: string[] }
  | { type: 'restored'; texts: string[] }
  | { type: 'drained'; sent: string[] }
  | { type: 'error'; message: string };

const config = JSON.parse(process.argv[2]!) as OutboxChildConfig;
const say = (message: OutboxChildMessage) => process.send!(message);
const ids = Array.from({ length: config.count }, (_, i) => `${config.prefix}-${i + 1}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await pause(20);
}

async function storedIds(): Promise<string[]> {
  const text = await fileStorageText(config.storagePath);
  return ids.filter((id) => text.includes(`"${id}"`));
}

async function queue(chat: Connection): Promise<void> {
  await until(() => chat.status !== 'connected');
  ids.forEach((id, i) => void chat.send(config.roomId, String(i + 1), { clientMsgId: id }));
  await until(async () => (await storedIds()).length === ids.length);
  say({ type: 'queued', statuses: chat.outgoing().map((o) => o.status) });
}

async function drain(chat: Connection): Promise<void> {
  say({ type: 'restored', texts: chat.outgoing().map((o) => o.text) });
  const sent: string[] = [];
  chat.on('send:status', (o) => o.status === 'sent' && sent.push(o.text));
  void chat.send(config.roomId, String(config.count + 1));
  await until(() => chat.outgoing().length === 0);
  await until(async () => (await storedIds()).length === 0);
  say({ type: 'drained', sent });
  chat.close();
}

async function main(): Promise<void> {
  const client = createClient({ baseUrl: config.url, storage: fileStorage(config.storagePath) });
  await client.auth.login({ username: config.username, password: config.password });
  const chat = await client.connect({ reconnect: { initialMs: 100, maxMs: 500 } });
  say({ type: 'connected' });
  process.on('message', (command: string) => {
    const run = command === 'queue' ? queue(chat) : drain(chat);
    run.catch((error: unknown) => say({ type: 'error', message: String(error) }));
  });
}

main().catch((error: unknown) => say({ type: 'error', message: String(error) }));
