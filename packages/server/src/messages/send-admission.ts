/**
 * Graceful overload for sends: at most SEND_QUEUE_MAX sends in progress on this node (admitted and not yet
 * answered), over both doors — the `message:send` socket event and `POST /v1/rooms/:id/messages`. Beyond it,
 * or while the node is behind (see platform/admission-gate.ts), a send is refused at once, before any
 * database or Redis work, with `unavailable` and `details.retryAfter` (REST: 503 with `Retry-After`). The
 * SDK's outbox waits that long, spread out, and sends the same `clientMsgId` again; nothing accepted is
 * dropped, and what was accepted is answered within a bounded time instead of queueing without end.
 *
 * A socket send takes its place when its turn comes, not while it waits in its connection's lane behind
 * that connection's earlier sends (which run one at a time): one client queueing many sends holds one place,
 * so it cannot fill the node's bound and have everyone else's sends refused.
 */
import type { ErrorBody } from '@synctalk/sdk';
import type { Config } from '../config.js';
import { AdmissionGate, type RefusalReason } from '../platform/admission-gate.js';
import { AppError } from '../platform/errors.js';
import type { EventAdmission } from '../platform/realtime/handlers.js';

/**
 * Seconds a refused sender is asked to wait. Short: a refusal means "this second is full", not a penalty; the
 * SDK adds a random part (and backs off when refused again), so the refused do not all return at once.
 */
export const SEND_RETRY_AFTER = 1;

const messages: Record<RefusalReason, string> = {
  full: 'The server has too many sends in progress',
  behind: 'The server is behind on sends',
};

/** The refusal, as an `AppError` (REST) and as the body a socket acknowledgement carries. */
export function sendRefusal(reason: RefusalReason): AppError {
  return new AppError(
    'unavailable',
    `${messages[reason]}; retry in ${SEND_RETRY_AFTER} s`,
    { retryAfter: SEND_RETRY_AFTER },
    { 'Retry-After': String(SEND_RETRY_AFTER) },
  );
}

/**
 * Built directly rather than from an `AppError` (which captures a stack): refusals happen by the thousand
 * exactly when the node has no time to spare.
 */
function refusalBody(reason: RefusalReason): ErrorBody {
  return {
    error: {
      code: 'unavailable',
      message: `${messages[reason]}; retry in ${SEND_RETRY_AFTER} s`,
      details: { retryAfter: SEND_RETRY_AFTER },
    },
  };
}

export interface SendAdmission extends EventAdmission {
  readonly gate: AdmissionGate;
  /** Runs `send` holding a place (REST); throws the `unavailable` refusal when there is none. */
  run<T>(send: () => Promise<T>): Promise<T>;
}

/** The node's send admission, from SEND_QUEUE_MAX and SEND_QUEUE_MAX_WAIT. */
export function sendAdmission(config: Pick<Config, 'messages'>, now?: () => number): SendAdmission {
  const { sendQueueMax, sendQueueMaxWaitMs } = config.messages;
  const gate = new AdmissionGate({ max: sendQueueMax, maxWaitMs: sendQueueMaxWaitMs, now });
  return {
    gate,
    enter() {
      const entry = gate.enter();
      return entry.admitted ? entry : { refusal: refusalBody(entry.reason) };
    },
    async run(send) {
      const entry = gate.enter();
      if (!entry.admitted) throw sendRefusal(entry.reason);
      try {
        return await send();
      } finally {
        entry.release();
      }
    },
  };
}
