import { describe, expect, it } from 'vitest';
import { historyQuery } from './messages.js';

describe('historyQuery', () => {
  it('wants after below before', () => {
    expect(historyQuery.parse({ after: '3', before: '9' })).toMatchObject({ after: '3', before: '9' });
    expect(historyQuery.safeParse({ after: '9', before: '9' }).success).toBe(false);
  });

  it('reports a malformed before or after as such, without comparing it', () => {
    for (const query of [
      { before: '!', after: '1' },
      { before: '5', after: 'x' },
      { before: '1e3', after: '0x1' },
    ]) {
      const result = historyQuery.safeParse(query);
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((i) => i.message)).not.toContain('after must be smaller than before');
    }
  });
});
