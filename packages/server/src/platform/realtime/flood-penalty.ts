/**
 * Users this node cut off for flooding, and until when. A connection disconnected for flooding (see
 * event-budget.ts) would otherwise reconnect at once with a fresh budget and flood again; instead the
 * user's new connections to this node are refused (`rate_limited`, `retryAfter`) for as long as a client
 * that backed off would need to be in good standing again. The check is in memory, before any I/O.
 *
 * Per node: a flooder moving to another node meets that node's budget and is cut off there in turn.
 * Pure; the clock is injected.
 */

/** Entries kept before expired ones are swept (a sweep walks the map once). */
const SWEEP_AT = 1024;

export class FloodPenalty {
  private readonly until = new Map<string, number>();
  private sweepAt = SWEEP_AT;

  /**
   * @param durationMs how long a cut-off user is refused
   * @param now the clock
   */
  constructor(
    readonly durationMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Refuses `userId`'s new connections from now for `durationMs`. */
  punish(userId: string): void {
    this.until.set(userId, this.now() + this.durationMs);
    if (this.until.size >= this.sweepAt) this.sweep();
  }

  /** Milliseconds `userId` must still wait before connecting; 0 when they may connect. */
  remaining(userId: string): number {
    const until = this.until.get(userId);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.until.delete(userId);
    return 0;
  }

  /** Entries held, expired ones not yet swept included. */
  get tracked(): number {
    return this.until.size;
  }

  /** Users currently refused. */
  get size(): number {
    this.sweep();
    return this.until.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [userId, until] of this.until) if (until <= now) this.until.delete(userId);
    // Never sweep more often than every SWEEP_AT new entries, however many stay refused.
    this.sweepAt = this.until.size + SWEEP_AT;
  }
}

/**
 * The penalty for a budget of `rate` events a second and `burst` at once: the time an idle connection
 * takes to fill its bucket again (`burst / rate` seconds, 5 s by default), at least one second.
 */
export function floodPenaltyMs(rate: number, burst: number): number {
  return Math.max(1000, Math.ceil((burst / rate) * 1000));
}
