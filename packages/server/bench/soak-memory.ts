/**
 * The soak's memory record: each server node's heap (after a forced full collection, see memory-probe.mjs) and
 * RSS sampled every few seconds, and the least-squares slope of each after the warm-up.
 */
import type { ChildProcess } from 'node:child_process';
import type { ServerNode } from './chat-nodes.js';

/** `startNode` options that load the probe: a node started with them answers `sampleMemory`. */
export const PROBE_NODE_OPTIONS = {
  execArgv: ['--expose-gc', '--import', new URL('./memory-probe.mjs', import.meta.url).href],
  ipc: true,
};

export interface MemorySample {
  /** Milliseconds since the soak's traffic started. */
  t: number;
  heapUsed: number;
  /** `heapUsed` less compiled code (V8's code spaces): the program's data. */
  heapData: number;
  rss: number;
}

export interface ProbeSample {
  usage: NodeJS.MemoryUsage;
  /** Bytes of the heap's code spaces (machine code the JIT compiled). */
  code: number;
}

interface ProbeAnswer {
  type: 'memory';
  id: number;
  collected: boolean;
  usage: NodeJS.MemoryUsage;
  code: number;
}

let nextId = 0;

/** Asks the probe in `child` for a post-collection `process.memoryUsage()`; rejects after `timeoutMs`. */
export function sampleMemory(child: ChildProcess, timeoutMs = 10_000): Promise<ProbeSample> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('the memory probe did not answer'));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      const answer = message as ProbeAnswer;
      if (answer?.type !== 'memory' || answer.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (!answer.collected) reject(new Error('the node was started without --expose-gc'));
      else resolve({ usage: answer.usage, code: answer.code });
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', id });
  });
}

/** Samples every node every `intervalMs` until `stop()`, which resolves with each node's samples. */
export function recordMemory(nodes: ServerNode[], intervalMs: number, started: number) {
  const samples: MemorySample[][] = nodes.map(() => []);
  const failures: string[] = [];
  let busy: Promise<unknown> = Promise.resolve();
  const take = () => {
    busy = Promise.all(
      nodes.map(async (node, i) => {
        const t = performance.now() - started;
        try {
          const { usage, code } = await sampleMemory(node.process);
          samples[i]!.push({ t, heapUsed: usage.heapUsed, heapData: usage.heapUsed - code, rss: usage.rss });
        } catch (error) {
          failures.push(`node ${i + 1} at ${(t / 1000).toFixed(0)} s: ${(error as Error).message}`);
        }
      }),
    );
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    async stop(): Promise<{ samples: MemorySample[][]; failures: string[] }> {
      clearInterval(timer);
      await busy;
      take();
      await busy;
      return { samples, failures };
    },
  };
}

/** The least-squares slope of `y` over `x` (NaN with fewer than 2 distinct x). */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

export interface MemoryTrend {
  samples: number;
  /** Bytes: the first and last sample after the warm-up, and the largest. */
  heapStart: number;
  heapEnd: number;
  heapMax: number;
  /** Bytes per minute, fitted to the samples after the warm-up. */
  heapSlope: number;
  /** The same for the heap less compiled code (`heapData`), and its first and last sample. */
  dataStart: number;
  dataEnd: number;
  dataSlope: number;
  rssStart: number;
  rssEnd: number;
  rssSlope: number;
}

/** The trend of one node's samples taken at or after `warmupMs`. */
export function trend(samples: MemorySample[], warmupMs: number): MemoryTrend {
  const after = samples.filter((s) => s.t >= warmupMs);
  const perMinute = (key: 'heapUsed' | 'heapData' | 'rss') =>
    slope(after.map((s) => ({ x: s.t / 60_000, y: s[key] })));
  return {
    samples: after.length,
    heapStart: after[0]?.heapUsed ?? NaN,
    heapEnd: after.at(-1)?.heapUsed ?? NaN,
    heapMax: Math.max(...after.map((s) => s.heapUsed)),
    heapSlope: perMinute('heapUsed'),
    dataStart: after[0]?.heapData ?? NaN,
    dataEnd: after.at(-1)?.heapData ?? NaN,
    dataSlope: perMinute('heapData'),
    rssStart: after[0]?.rss ?? NaN,
    rssEnd: after.at(-1)?.rss ?? NaN,
    rssSlope: perMinute('rss'),
  };
}
