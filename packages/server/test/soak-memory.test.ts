/**
 * The soak's memory record (bench/soak-memory.ts): the preloaded probe answers with the heap after a full
 * collection, so garbage does not count and what is kept does; the fitted slope ignores the warm-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBE_NODE_OPTIONS, sampleMemory, slope, trend } from '../bench/soak-memory.js';

const MiB = 1024 * 1024;

/**
 * A process with the probe that allocates 40 MiB on `keep` (held) or `drop` (garbage), then says `done`. The
 * probe leaves the IPC channel unreferenced (a server must be able to stop), so a timer keeps this one alive.
 */
const ALLOCATOR = `
  setInterval(() => {}, 60_000);
  const kept = [];
  process.on('message', (m) => {
    if (m !== 'keep' && m !== 'drop') return;
    const chunks = Array.from({ length: 40 }, () => new Array(MiB_WORDS).fill(Math.random()));
    if (m === 'keep') kept.push(...chunks);
    process.send('done');
  });
`.replace('MiB_WORDS', String(MiB / 8));

describe('soak memory record', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  const ask = async (message: 'keep' | 'drop') => {
    const done = once(child!, 'message', { signal: AbortSignal.timeout(20_000) });
    child!.send(message);
    await done;
  };

  it('samples the heap after a full collection: garbage leaves no trace, kept memory does', async () => {
    child = spawn(process.execPath, [...PROBE_NODE_OPTIONS.execArgv, '-e', ALLOCATOR], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const first = await sampleMemory(child);
    expect(first.code).toBeGreaterThan(0);
    expect(first.code).toBeLessThan(first.usage.heapUsed);
    const before = first.usage.heapUsed;
    await ask('drop');
    const afterGarbage = (await sampleMemory(child)).usage.heapUsed;
    expect(afterGarbage - before).toBeLessThan(4 * MiB);
    await ask('keep');
    const afterKeeping = (await sampleMemory(child)).usage.heapUsed;
    expect(afterKeeping - afterGarbage).toBeGreaterThan(36 * MiB);
  });

  it('fits the least-squares slope per minute to the samples after the warm-up', () => {
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 4 },
        { x: 2, y: 5 },
      ]),
    ).toBe(2);
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
    // Growing fast during a 60 s warm-up, then 0.5 MiB a minute with ±0.2 MiB of noise.
    const samples = Array.from({ length: 60 }, (_, i) => {
      const t = i * 5_000;
      const heap = t < 60_000 ? t * 100 : 40 * MiB + (t / 60_000) * 0.5 * MiB + (i % 2 ? 0.2 : -0.2) * MiB;
      return { t, heapUsed: heap, heapData: heap / 2, rss: 3 * heap };
    });
    const fitted = trend(samples, 60_000);
    expect(fitted.samples).toBe(48);
    expect(fitted.heapSlope / MiB).toBeCloseTo(0.5, 1);
    expect(fitted.dataSlope / MiB).toBeCloseTo(0.25, 1);
    expect(fitted.rssSlope / MiB).toBeCloseTo(1.5, 1);
    expect(fitted.heapStart).toBe(samples[12]!.heapUsed);
    expect(fitted.heapEnd).toBe(samples[59]!.heapUsed);
  });
});
