/**
 * A connection's queue of accepted events: at most `max` accepted and not yet answered (an event over that
 * is refused, never queued), of which at most `parallel` run at once, the others wait in arrival order. One
 * connection thus holds at most `parallel` database connections however fast it sends.
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

  constructor(private readonly options: EventQueueOptions) {}

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
   * Runs `task` of an admitted event once fewer than `parallel` run; its place is given back when it
   * settles. Resolves (never rejects) when it is done.
   */
  async run(task: () => Promise<void>): Promise<void> {
    if (this.running >= this.options.parallel) {
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
      const next = this.waiting.shift();
      // The slot passes straight to the next waiting event.
      if (next) next();
      else this.running -= 1;
    }
  }
}
