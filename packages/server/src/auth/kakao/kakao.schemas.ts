/** zod schemas of the Kakao Login routes: inputs (validation) and answers (the OpenAPI document). */
import { z } from 'zod';
import { userSchema } from '../auth.schemas.js';

/** Our states are 43 base64url characters; anything far from that is not one of ours. */
const state = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'is not a sign-in state');

/** Kakao's authorization codes: printable ASCII, bounded. */
const code = z
  .string()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

/** A page origin (`https://example.com`), checked against the site's allowed origins by the route. */
const origin = z.string().max(2048, 'must be at most 2048 characters');

export const startQuery = z.strictObject({
  /** `1` answers with a 302 to Kakao instead of JSON (for `window.open(startUrl)` / links). */
  redirect: z.enum(['1', '0', 'true', 'false']).optional(),
  /** The origin of the page that opened the popup; must be one of the site's allowed origins. */
  origin: origin.optional(),
  /** The site's public id, for navigations (`window.open(…?redirect=1)`) that cannot send X-SyncTalk-Site. */
  site: z
    .string()
    .regex(/^st_[A-Za-z0-9]{1,64}$/, 'must be a site public id')
    .optional(),
});

export const startResponse = z.object({
  url: z
    .string()
    .describe(
      "Open it in a popup or redirect to it: this server's /v1/auth/kakao/authorize step, which binds the " +
        "sign-in to the browser and redirects to Kakao's authorization page (for a link, Kakao's page itself)",
    ),
  state: z.string().describe('The one-time state of this sign-in (10 minutes)'),
});

/** The authorize step: the state `start` returned. */
export const authorizeQuery = z.strictObject({ state });

export const callbackBody = z.strictObject({ code, state });

/** Kakao's redirect: `code` and `state` on success, `error` (and `error_description`) otherwise. */
export const popupQuery = z.object({
  code: code.optional(),
  state: state.optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

export const linkStartBody = z.strictObject({ origin: origin.optional() });

export const linkResponse = z.object({ user: userSchema });

export { state as stateSchema };
