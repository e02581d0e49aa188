/**
 * Once the per-user write limit (MESSAGE_RATE_LIMIT, shared by every node) refused a write on a connection,
 * the connection remembers until when: later writes of that kind are refused at once, before any database
 * or Redis work, with the time left as `retryAfter`. A retry of an already stored message is refused too
 * until then (telling it apart takes a query); after the wait it is answered with the stored message.
 * Pure; the clock is injected.
 */
import { AppError } from '../errors.js';
import { rateLimitedError, retryAfterSeconds } from '../rate-limit.js';

/** Writes that share one per-user budget: messages (sends and edits) and reactions. */
export type WriteKind = 'messages' | 'reactions';

/** The cooldowns of one connection. */
export class WriteCooldown {
  private readonly until = new Map<WriteKind, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws `rate_limited` while `kind` is cooling down on this connection. */
  check(kind: WriteKind): void {
    const until = this.until.get(kind);
    if (until === undefined) return;
    const left = until - this.now();
    if (left <= 0) {
      this.until.delete(kind);
      return;
    }
    const seconds = retryAfterSeconds(left);
    throw rateLimitedError(`Too many ${kind}; retry in ${seconds} s`, seconds);
  }

  /** Starts a cooldown when `error` is a `rate_limited` refusal that said how long to wait. */
  learn(kind: WriteKind, error: unknown): void {
    if (!(error instanceof AppError) || error.code !== 'rate_limited') return;
    const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (typeof retryAfter !== 'number' || !Number.isFinite(retryAfter) || retryAfter <= 0) return;
    this.until.set(kind, this.now() + retryAfter * 1000);
  }

  /** Runs a write of `kind`: refused at once while cooling down; a rate-limit refusal starts a cooldown. */
  async run<T>(kind: WriteKind, write: () => Promise<T>): Promise<T> {
    this.check(kind);
    try {
      return await write();
    } catch (error) {
      this.learn(kind, error);
      throw error;
    }
  }
}
