/**
 * docs/webhooks.md is what the generator makes from the wire schemas and the retry schedule: a schema or
 * a default that changes without the reference being regenerated fails here. And the reference names every
 * event type and every field of its `data`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_EVENT_TYPES } from '@synctalk/sdk/schemas';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PATH, webhookReference } from '../scripts/webhook-reference.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('docs/webhooks.md', () => {
  const stored = readFileSync(`${ROOT}${REFERENCE_PATH}`, 'utf8');

  it('is up to date (npm run docs:webhooks -w @synctalk/server)', () => {
    expect(stored).toBe(webhookReference());
  });

  it('describes every event type, with the fields of its data', () => {
    for (const type of WEBHOOK_EVENT_TYPES) expect(stored).toContain(`### \`${type}\``);
    expect(stored).toContain('| `message.author.displayName` | string |');
    expect(stored).toContain('| `reason` | `"left"` \\| `"kicked"` |');
    expect(stored).toContain('| `externalId` | string \\| null |');
  });
});
