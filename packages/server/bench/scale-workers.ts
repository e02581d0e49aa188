/**
 * The scale benchmark's client processes, seen from the benchmark: a few child processes (scale-worker.ts)
 * that hold the client sockets, so that thousands of connections cost the clients' event loops and memory,
 * not the server's nor the benchmark's. Each takes its share of the users and answers requests over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Tokens } from '@synctalk/sdk';
import type { BenchUser } from './chat-load.js';

const WORKER = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A user of the storm: an SDK client signed in with `tokens`, a member of `roomId`. */
export interface StormUser {
  tokens: Tokens;
  roomId: string;
}

/** What one storm client went through, times in epoch milliseconds. */
export interface StormRecord {
  roomId: string;
  /** Every message of its room delivered (`message:new`), in delivery order. */
  delivered: { seq: number; id: string }[];
  /** Connected again after its connection was lost, and to which URL. */
  reconnectedAt?: number;
  reconnectedTo?: string;
  /** Its room rejoined and caught up after the loss (the SDK's `room:joined` with `rejoin`). */
  rejoinedAt?: number;
  /** The last seq its room had delivered at `rejoinedAt`. */
  seqAtRejoin?: number;
  /** Connections it opened after the loss (each attempt opens one, refused or not). */
  attempts: number;
  /** `error` events of its connection (the first one's text kept). */
  errors: number;
  firstError?: string;
}

export type WorkerRequest =
  /** Opens a plain socket.io-client connection per user to `url` and joins its room. */
  | { type: 'idle-open'; url: string; users: BenchUser[] }
  | { type: 'idle-close' }
  /** Makes an SDK client per user, given `urls`, connects it (to the first URL) and joins its room. */
  | { type: 'storm-connect'; urls: string[]; users: StormUser[] }
  /** Counts, and how many clients have delivered less than `heads` (room id → last seq) in their room. */
  | { type: 'storm-status'; heads?: Record<string, number> }
  | { type: 'storm-records' }
  | { type: 'storm-close' };

export interface IdleOpened {
  connected: number;
  failed: number;
  firstError?: string;
}

export interface StormStatus {
  clients: number;
  /** Connected again after the loss, and rejoined (caught up). */
  reconnected: number;
  rejoined: number;
  /** Clients behind `heads`. */
  behind: number;
}

export interface ClientWorker {
  process: ChildProcess;
  ask<T>(request: WorkerRequest): Promise<T>;
  stop(): Promise<void>;
}

/** Starts a client process (through tsx, from source); resolves once it is ready for requests. */
export async function startWorker(): Promise<ClientWorker> {
  const child = spawn(process.execPath, ['--conditions=@synctalk/source', '--import', 'tsx', WORKER], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then(() => reject(new Error('a client process exited while starting')));
  });
  let nextId = 0;
  return {
    process: child,
    ask<T>(request: WorkerRequest): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const onMessage = (message: { id: number; result?: T; error?: string }) => {
          if (message?.id !== id) return;
          child.off('message', onMessage);
          if (message.error !== undefined) reject(new Error(`client process: ${message.error}`));
          else resolve(message.result as T);
        };
        child.on('message', onMessage);
        void exited.then(() => reject(new Error('a client process exited')));
        child.send({ id, request });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `items` dealt round-robin into `parts` shares (so each share holds members of many rooms). */
export function deal<T>(items: T[], parts: number): T[][] {
  const shares: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => shares[i % parts]!.push(item));
  return shares;
}

/** Asks every worker its share of the same request; their answers in order. */
export function askAll<T>(workers: ClientWorker[], request: (share: number) => WorkerRequest): Promise<T[]> {
  return Promise.all(workers.map((w, i) => w.ask<T>(request(i))));
}
