/**
 * A connection's event budget: a token bucket over every event the client sends (`rate` tokens a second,
 * at most `burst` banked, full when the connection opens) and the count of refused events that tells a
 * flooding connection. Pure; the clock is injected.
 *
 * Flooding means `floodLimit` refused events since the connection was last in good standing, that is since
 * its bucket was last seen full again: a client that backs off for `burst / rate` seconds (5 s by default)
 * starts over, one that keeps sending into an empty bucket is cut off.
 */

export interface EventBudgetOptions {
  /** Tokens added per second. */
  rate: number;
  /** The bucket's capacity: how many events may arrive at once. */
  burst: number;
  /** Refused events since the bucket was last full after which the connection counts as flooding. */
  floodLimit: number;
}

/** Token bucket and refusal count of one connection. */
export class EventBudget {
  private tokens: number;
  private updatedAt: number;
  private refusals = 0;

  constructor(
    private readonly options: EventBudgetOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = options.burst;
    this.updatedAt = now();
  }

  /** Takes a token for one event: 0 when there was one, else the milliseconds until the next one. */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.options.rate) * 1000);
  }

  /** Counts a refused event; true when the connection is now flooding. */
  refuse(): boolean {
    this.refusals += 1;
    return this.refusals >= this.options.floodLimit;
  }

  /** Refused events since the connection was last in good standing. */
  get refused(): number {
    return this.refusals;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.tokens = Math.min(this.options.burst, this.tokens + elapsedSeconds * this.options.rate);
    if (this.tokens >= this.options.burst) this.refusals = 0;
  }
}
