/**
 * A connection's queue of accepted events: at most `max` accepted and not yet answered (an event over that
 * is refused, never queued), of which at most `parallel` run at once, the others wait in arrival order. One
 * connection thus holds at most `parallel` database connections however fast it sends. `limit(n)` lowers
 * (or restores) that bound while events are queued: running events finish, and the next start only once
 * fewer than `n` run. `hold(ms)` starts no waiting event until `ms` have passed since the last call: a
 * connection still sending into an empty budget, or sending faster than it is served, gets no new service
 * meanwhile, so a flood that ends in a disconnect has its queued events dropped, never run.
 */

export interface EventQueueOptions {
  /** Events accepted and not yet finished (running or waiting). */
  max: number;
  /** Events running at once. */
  parallel: number;
}

/** The bounded queue of one connection. */
export class EventQueue {
  private accepted = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private parallel: number;
  private heldUntil = 0;
  private holdTimer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;

  constructor(private readonly options: EventQueueOptions) {
    this.parallel = options.parallel;
  }

  /** Runs at most `parallel` events at once from now on (at most the `parallel` it was made with). */
  limit(parallel: number): void {
    const next = Math.max(1, Math.min(parallel, this.options.parallel));
    if (next === this.parallel) return;
    this.parallel = next;
    // A raised bound starts waiting events at once.
    this.startWaiting();
  }

  /** Starts no waiting event until `ms` after the last call; running events go on. */
  hold(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, Date.now() + ms);
    if (!this.holdTimer) this.holdTimer = setTimeout(this.endHold, ms).unref();
  }

  private readonly endHold = (): void => {
    const left = this.heldUntil - Date.now();
    if (left > 0) {
      this.holdTimer = setTimeout(this.endHold, left).unref();
      return;
    }
    // Timers run first in a turn of the event loop: after a stall of the whole process the hold has run
    // out, though what arrived meanwhile is yet to be read (in this turn, or the next if the reading was
    // paused) and would renew it. Look again at the end of the next turn.
    this.holdTimer = setImmediate(() => {
      this.holdTimer = setImmediate(() => {
        if (this.heldUntil > Date.now()) {
          this.holdTimer = setTimeout(this.endHold, this.heldUntil - Date.now()).unref();
          return;
        }
        this.holdTimer = undefined;
        this.startWaiting();
      });
    });
  };

  /** Whether an event admitted now would wait: as many run as may, others wait already, or it is held. */
  get busy(): boolean {
    return this.running >= this.parallel || this.waiting.length > 0 || this.held;
  }

  /** Whether waiting events are held back (see `hold`). */
  get held(): boolean {
    return this.holdTimer !== undefined;
  }

  private startWaiting(): void {
    while (!this.held && this.running < this.parallel && this.waiting.length > 0) {
      this.running += 1;
      this.waiting.shift()!();
    }
  }

  /** Events running now. */
  get active(): number {
    return this.running;
  }

  /** Events accepted and not yet finished. */
  get size(): number {
    return this.accepted;
  }

  /** Takes a place for one event; false when `max` are already accepted (the event must be refused). */
  admit(): boolean {
    if (this.accepted >= this.options.max) return false;
    this.accepted += 1;
    return true;
  }

  /**
   * Runs `task` of an admitted event once fewer than `parallel` run and the queue is not held; its place is
   * given back when it settles. Resolves (never rejects) when it is done.
   */
  async run(task: () => Promise<void>): Promise<void> {
    if (this.running >= this.parallel || this.held) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      await task();
    } catch {
      // Tasks answer their own errors; nothing may escape into the socket.
    } finally {
      this.accepted -= 1;
      // The slot passes straight to the next waiting event, unless the bound was lowered or the queue held
      // meanwhile.
      const next = this.running <= this.parallel && !this.held ? this.waiting.shift() : undefined;
      if (next) next();
      else this.running -= 1;
    }
  }
}
