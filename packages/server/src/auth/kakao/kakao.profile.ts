/**
 * What SyncTalk keeps from a Kakao profile (`/v2/user/me`): the numeric id, a display name, an https avatar,
 * and an email only when Kakao says it is both valid and verified. Everything else is dropped.
 */
import { z } from 'zod';
import { cleanDisplayName, httpsUrl } from '../external-profile.js';

export interface KakaoIdentity {
  /** Kakao's user id as a decimal string. */
  id: string;
  displayName: string;
  avatarUrl: string | null;
  email: string | null;
}

export const FALLBACK_NAME = 'Kakao user';

const profileSchema = z.object({
  id: z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d{0,19}$/)]),
  properties: z.object({ nickname: z.string().nullish(), profile_image: z.string().nullish() }).nullish(),
  kakao_account: z
    .object({
      profile: z
        .object({
          nickname: z.string().nullish(),
          profile_image_url: z.string().nullish(),
          is_default_image: z.boolean().nullish(),
        })
        .nullish(),
      email: z.string().nullish(),
      is_email_valid: z.boolean().nullish(),
      is_email_verified: z.boolean().nullish(),
    })
    .nullish(),
});

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Parses Kakao's profile; undefined when it does not even carry a usable id. */
export function toKakaoIdentity(raw: unknown): KakaoIdentity | undefined {
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  // JSON numbers past 2^53 lose digits; such an id could name someone else, so refuse it.
  if (typeof p.id === 'number' && !Number.isSafeInteger(p.id)) return undefined;
  const account = p.kakao_account ?? undefined;
  const profile = account?.profile ?? undefined;
  const name =
    cleanDisplayName(profile?.nickname) ?? cleanDisplayName(p.properties?.nickname) ?? FALLBACK_NAME;
  const image = profile?.is_default_image
    ? null
    : (httpsUrl(profile?.profile_image_url) ?? httpsUrl(p.properties?.profile_image));
  const email =
    account?.is_email_valid === true &&
    account.is_email_verified === true &&
    account.email &&
    EMAIL.test(account.email) &&
    account.email.length <= 254
      ? account.email
      : null;
  return { id: String(p.id), displayName: name, avatarUrl: image, email };
}
