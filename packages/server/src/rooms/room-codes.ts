/**
 * Room join codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, and no U, so codes
 * read aloud or copied by hand survive). 30^8 ≈ 6.6 × 10^11 codes per site; collisions are retried.
 */
import { randomString } from '../platform/crypto.js';

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A fresh random code. */
export function newRoomCode(): string {
  return randomString(CODE_LENGTH, CODE_ALPHABET);
}

/**
 * The canonical form of a typed code: upper case, without spaces and dashes (`abcd-2345` → `ABCD2345`);
 * undefined when it cannot be a code.
 */
export function normalizeRoomCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return CODE.test(code) ? code : undefined;
}
