/**
 * Endpoint secrets: `whsec_` plus 32 random bytes, stored AES-256-GCM encrypted (platform/crypto.ts) with a
 * key derived from SECRETS_KEY for this purpose alone, because the server must read them back to sign.
 */
import { decrypt, deriveKey, encrypt, randomToken } from '../platform/crypto.js';

/** The key derivation purpose of endpoint secrets. */
export const WEBHOOK_SECRETS_PURPOSE = 'webhook-secrets';

/** Makes, seals and opens endpoint secrets with a key derived from `secretsKey`. */
export function webhookSecrets(secretsKey: string) {
  const key = deriveKey(secretsKey, WEBHOOK_SECRETS_PURPOSE);
  return {
    /** A new secret and its ciphertext. */
    generate(): { secret: string; secretEnc: string } {
      const secret = `whsec_${randomToken(32)}`;
      return { secret, secretEnc: encrypt(key, secret) };
    },
    open(secretEnc: string): string {
      return decrypt(key, secretEnc);
    },
  };
}
