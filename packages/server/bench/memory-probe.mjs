/* global process -- a Node.js global (this preload is plain JavaScript) */
/**
 * Preloaded into the soak's server nodes (`node --expose-gc --import <this file> dist/main.js`, with an IPC
 * channel): on every `{ type: 'memory', id }` message it runs a full garbage collection and answers with
 * `process.memoryUsage()` and the bytes of compiled code in the heap, so heap samples are what is still
 * reachable, not where the collector happened to be. A benchmark harness only: production servers run
 * neither --expose-gc nor this file.
 */
import { getHeapSpaceStatistics } from 'node:v8';

process.on('message', (request) => {
  if (request?.type !== 'memory') return;
  const collected = typeof globalThis.gc === 'function';
  if (collected) globalThis.gc();
  const code = getHeapSpaceStatistics()
    .filter((space) => space.space_name.includes('code'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
  process.send?.({ type: 'memory', id: request.id, collected, usage: process.memoryUsage(), code });
});
// The channel must not keep a stopping server alive.
process.channel?.unref();
