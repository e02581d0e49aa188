import { describe, expect, it } from 'vitest';
import { describeError, retry } from './retry.js';

describe('retry', () => {
  it('returns the first success and reports each retry', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'ok';
      },
      { retries: 5, initialDelayMs: 1, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it('gives up after the bound and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new Error(`fail ${calls}`);
        },
        { retries: 2, initialDelayMs: 1 },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('describes errors with their code', () => {
    const e = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    expect(describeError(e)).toBe('ECONNREFUSED: connect refused');
    expect(describeError(new AggregateError([e]))).toBe('ECONNREFUSED: connect refused');
  });
});
