/**
 * Password hashing with bcrypt's asynchronous API (it runs on libuv's thread pool, so a hash never blocks the
 * event loop). Passwords reach this module already validated by `auth.schemas.ts`: NFC-normalised, no NUL,
 * at most 72 bytes.
 */
import bcrypt from 'bcrypt';
import { randomToken } from '../platform/crypto.js';

export function passwords(options: { cost: number }) {
  const { cost } = options;
  // One hash of a random password, made on first use: comparing against it when there is no account (or no
  // password) costs what a real comparison costs, so response time does not tell whether a username exists.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= bcrypt.hash(randomToken(24), cost));

  return {
    cost,

    /** A bcrypt hash of `password` at the configured cost. */
    hash: (password: string): Promise<string> => bcrypt.hash(password, cost),

    /**
     * Whether `password` matches `hash`. With no hash it still runs a full comparison (against the dummy
     * hash) and answers false, so both outcomes take the same time.
     */
    async verify(password: string, hash: string | null | undefined): Promise<boolean> {
      if (!hash) {
        await bcrypt.compare(password, await dummyHash());
        return false;
      }
      return bcrypt.compare(password, hash);
    },

    /** Whether `hash` was made at another cost than the configured one (re-hash it after a sign-in). */
    needsRehash(hash: string): boolean {
      try {
        return bcrypt.getRounds(hash) !== cost;
      } catch {
        return false;
      }
    },

    /** Computes the dummy hash now, so the first failed sign-in is not slower than the rest. */
    async warmUp(): Promise<void> {
      await dummyHash();
    },
  };
}

export type Passwords = ReturnType<typeof passwords>;
