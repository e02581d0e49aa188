import { describe, expect, it } from 'vitest';
import { sendBatcher, type StoreBatch } from './send-batcher.js';

/** A store that records each batch and commits it when the test says so. */
function manualStore() {
  const batches: { inputs: readonly number[]; commit: () => void; fail: (e: unknown) => void }[] = [];
  const store: StoreBatch<number, string> = (inputs) =>
    new Promise((resolve, reject) => {
      batches.push({
        inputs,
        commit: () => resolve(inputs.map((i) => ({ status: 'fulfilled', value: `stored ${i}` }))),
        fail: reject,
      });
    });
  return { store, batches };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('sendBatcher', () => {
  it('stores the first send of an idle batcher on the next turn, alone', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store);
    const first = batcher.create(1);
    await turn();
    expect(batches.map((b) => b.inputs)).toEqual([[1]]);
    batches[0]!.commit();
    await expect(first).resolves.toBe('stored 1');
  });

  it('gathers the sends of one turn into one batch', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store);
    const results = [1, 2, 3].map((i) => batcher.create(i));
    await turn();
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2, 3]]);
    batches[0]!.commit();
    expect(await Promise.all(results)).toEqual(['stored 1', 'stored 2', 'stored 3']);
  });

  it('queues sends while a batch is in flight and stores them together when it is done', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store);
    const first = batcher.create(1);
    await turn();
    const later = [2, 3, 4].map((i) => batcher.create(i));
    await turn();
    // One batch at a time: nothing else goes out before the first commits.
    expect(batches).toHaveLength(1);
    batches[0]!.commit();
    await first;
    await turn();
    expect(batches.map((b) => b.inputs)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.commit();
    expect(await Promise.all(later)).toEqual(['stored 2', 'stored 3', 'stored 4']);
  });

  it('caps a batch at maxBatch, the rest going in the next batches in order', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => batcher.create(i));
    for (let i = 0; i < 3; i += 1) {
      await turn();
      batches[i]!.commit();
    }
    expect(await Promise.all(all)).toHaveLength(5);
    expect(batches.map((b) => b.inputs)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('settles callers in arrival order', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store);
    const order: number[] = [];
    const all = [1, 2, 3, 4].map((i) => batcher.create(i).then(() => order.push(i)));
    await turn();
    batches[0]!.commit();
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('rejects every caller of a failed batch, and goes on with the next one', async () => {
    const { store, batches } = manualStore();
    const batcher = sendBatcher(store);
    const failed = [1, 2].map((i) => batcher.create(i));
    await turn();
    const next = batcher.create(3);
    batches[0]!.fail(new Error('connection lost'));
    await Promise.all(failed.map((f) => expect(f).rejects.toThrow('connection lost')));
    await turn();
    batches[1]!.commit();
    await expect(next).resolves.toBe('stored 3');
  });

  it('rejects only the inputs the store reports as failed', async () => {
    const batcher = sendBatcher<number, number>(async (inputs) =>
      inputs.map((i) =>
        i === 2
          ? { status: 'rejected', reason: new Error('bad row') }
          : { status: 'fulfilled', value: i * 10 },
      ),
    );
    const [a, b, c] = [1, 2, 3].map((i) => batcher.create(i));
    await Promise.all([
      expect(a).resolves.toBe(10),
      expect(b).rejects.toThrow('bad row'),
      expect(c).resolves.toBe(30),
    ]);
  });

  it('rejects a batch whose store answers the wrong number of results', async () => {
    const batcher = sendBatcher<number, number>(async () => []);
    await expect(batcher.create(1)).rejects.toThrow('a batch of 1 sends got 0 results');
  });
});
