/**
 * A bound on work in progress on this node, shared by every connection and request: at most `max` admitted
 * and not yet answered. Work beyond it is refused at once, before any database or Redis work, so what was
 * accepted keeps a bounded wait instead of every caller waiting longer and longer behind a growing queue.
 *
 * A count alone bounds the wait only as well as the node's speed is known, so the gate also refuses while
 * it is behind: the oldest admitted work has waited over `maxWaitMs` and at least an eighth of `max` is in
 * progress. The second condition keeps one slow call (a lock, a retry) on a quiet node from turning every
 * newcomer away; a node that many callers are waiting on, and whose oldest has waited too long, needs its
 * queue to drain before taking more.
 *
 * Pure; the clock is injected. Refusals are counted by reason for the metrics.
 */

export interface AdmissionGateOptions {
  /** Admitted and not yet released; the next is refused. */
  max: number;
  /** Refuse while the oldest admitted has waited longer than this (and the gate is busy, see above). */
  maxWaitMs: number;
  now?: () => number;
}

/** Why work was refused: `full` (at `max`), or `behind` (the oldest in progress waited over `maxWaitMs`). */
export type RefusalReason = 'full' | 'behind';

/** A place in the gate: `release()` gives it back once the work is answered (calling it again does nothing). */
export interface Admitted {
  admitted: true;
  release(): void;
}

export interface Refused {
  admitted: false;
  reason: RefusalReason;
}

/** The fraction of `max` that must be in progress before the wait bound applies. */
const BUSY_FRACTION = 8;

export class AdmissionGate {
  /** Admission times of the work in progress, oldest first (a Map keeps insertion order). */
  private readonly started = new Map<number, number>();
  private next = 0;
  private readonly now: () => number;
  private readonly busy: number;
  /** Refusals since the gate was made, by reason. */
  readonly refused: Record<RefusalReason, number> = { full: 0, behind: 0 };

  constructor(private readonly options: AdmissionGateOptions) {
    this.now = options.now ?? Date.now;
    this.busy = Math.max(1, Math.ceil(options.max / BUSY_FRACTION));
  }

  /** Work admitted and not yet released. */
  get inProgress(): number {
    return this.started.size;
  }

  /** How long the oldest work in progress has waited, in ms (0 when there is none). */
  oldestWaitMs(): number {
    const first = this.started.values().next();
    return first.done ? 0 : this.now() - first.value;
  }

  /** Takes a place, or says why not (and counts the refusal). */
  enter(): Admitted | Refused {
    const reason = this.refusal();
    if (reason) {
      this.refused[reason] += 1;
      return { admitted: false, reason };
    }
    const id = this.next++;
    this.started.set(id, this.now());
    return { admitted: true, release: () => void this.started.delete(id) };
  }

  private refusal(): RefusalReason | undefined {
    const count = this.started.size;
    if (count >= this.options.max) return 'full';
    if (count >= this.busy && this.oldestWaitMs() > this.options.maxWaitMs) return 'behind';
    return undefined;
  }
}
