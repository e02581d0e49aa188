/**
 * Group commit for sends: `create(input)` answers what storing that one send gives, but the sends of a node
 * that are waiting at the same moment are stored together, in one statement and one commit
 * (`messagesRepository.createMany`).
 *
 * Nothing waits for company. A send arriving while no batch is being stored goes out on the next turn of the
 * event loop (`setImmediate`, which only gathers the sends that reached this point in the same turn), so an
 * idle server stores each send at once. While a batch is being stored, new sends queue; when it is done, the
 * queue (at most `maxBatch` of it) goes as the next batch. Batches thus grow with the load by themselves: one
 * commit's wait is shared by every send that arrived during the previous one.
 *
 * One batch at a time per node. Batches of one node then commit, and their callers resume, strictly in
 * order, so `message:new` leaves a node in seq order for each room; the sends of the node that wait for a
 * commit are all in the next batch, which costs one commit instead of many; and the send path holds one pool
 * connection for writing, leaving the rest to the reads around it. Batches of different nodes run
 * concurrently (the statement locks rooms in id order for that).
 *
 * Callers are answered in their arrival order, once the batch committed: within a room arrival order is seq
 * order, so the callers of a room resume (and broadcast) in seq order.
 */

/** The most sends one statement stores. */
export const SEND_BATCH_MAX = 100;

/**
 * Stores inputs together; one settled result per input, in their order. Throwing means none was stored.
 */
export type StoreBatch<I, R> = (inputs: readonly I[]) => Promise<readonly PromiseSettledResult<R>[]>;

interface Waiting<I, R> {
  input: I;
  resolve: (result: R) => void;
  reject: (reason: unknown) => void;
}

export interface SendBatcher<I, R> {
  /** Stores `input` with whatever else is waiting; settles after the commit, as that input's result. */
  create(input: I): Promise<R>;
}

export function sendBatcher<I, R>(
  store: StoreBatch<I, R>,
  options: { maxBatch?: number } = {},
): SendBatcher<I, R> {
  const maxBatch = options.maxBatch ?? SEND_BATCH_MAX;
  let queue: Waiting<I, R>[] = [];
  // A batch is being stored, or the first one is about to be: new sends just queue.
  let running = false;

  async function storeBatch(batch: Waiting<I, R>[]): Promise<void> {
    let results: readonly PromiseSettledResult<R>[];
    try {
      results = await store(batch.map((w) => w.input));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} sends got ${results.length} results`);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    // In arrival order: the callers resume in the order they are settled here.
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') batch[i]!.resolve(result.value);
      else batch[i]!.reject(result.reason);
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      await storeBatch(batch);
    }
    running = false;
  }

  return {
    create(input) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (running) return;
        running = true;
        setImmediate(() => void drain());
      });
    },
  };
}
