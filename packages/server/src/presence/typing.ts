/**
 * Typing indicators. A connection that sends `typing:start` is typing in that room until it sends
 * `typing:stop`, leaves, disconnects, or stays silent for `TYPING_TTL_MS`; each change is broadcast as
 * `typing`. State lives on the node holding the connection (timers, no shared store); if that node dies,
 * clients drop the indicator themselves after `expiresInMs`.
 */
import type { TypingEvent } from '@synctalk/sdk';

/** Without a renewal, typing ends this long after the last `typing:start`. */
export const TYPING_TTL_MS = 5000;
/** Renewals are re-broadcast at most this often (so clients' own expiry never fires early). */
export const TYPING_REBROADCAST_MS = 1000;
/** What clients are told: the longest a `typing: true` can go without a renewal or a `typing: false`. */
export const TYPING_CLIENT_EXPIRY_MS = TYPING_TTL_MS + TYPING_REBROADCAST_MS + 1000;

interface Entry {
  userId: string;
  timer: NodeJS.Timeout;
  broadcastAt: number;
}

export function typingTracker(options: { onChange: (event: TypingEvent) => void; ttlMs?: number }) {
  const ttlMs = options.ttlMs ?? TYPING_TTL_MS;
  /** `${roomId}|${socketId}` → entry. */
  const entries = new Map<string, Entry>();
  const keyOf = (roomId: string, socketId: string) => `${roomId}|${socketId}`;

  const end = (roomId: string, socketId: string) => {
    const k = keyOf(roomId, socketId);
    const entry = entries.get(k);
    if (!entry) return;
    clearTimeout(entry.timer);
    entries.delete(k);
    options.onChange({ roomId, userId: entry.userId, typing: false, expiresInMs: 0 });
  };

  return {
    /** Starts or renews typing; broadcasts on start and on renewals at most every second. */
    start(roomId: string, userId: string, socketId: string): void {
      const k = keyOf(roomId, socketId);
      const existing = entries.get(k);
      if (existing) clearTimeout(existing.timer);
      const timer = setTimeout(() => end(roomId, socketId), ttlMs);
      timer.unref();
      const now = Date.now();
      const announce = !existing || now - existing.broadcastAt >= TYPING_REBROADCAST_MS;
      entries.set(k, { userId, timer, broadcastAt: announce ? now : existing!.broadcastAt });
      if (announce) {
        options.onChange({ roomId, userId, typing: true, expiresInMs: TYPING_CLIENT_EXPIRY_MS });
      }
    },

    /** Ends typing of `socketId` in `roomId` (no-op when it was not typing). */
    stop: end,

    isTyping(roomId: string, socketId: string): boolean {
      return entries.has(keyOf(roomId, socketId));
    },

    /** Clears every timer without broadcasting (shutdown). */
    clear(): void {
      for (const entry of entries.values()) clearTimeout(entry.timer);
      entries.clear();
    },
  };
}

export type TypingTracker = ReturnType<typeof typingTracker>;
