/** zod schemas of the Kakao Login routes: inputs (validation) and answers (the OpenAPI document). */
import { z } from 'zod';
import { userSchema } from './auth.js';
import { PUBLIC_ID } from './primitives.js';

/**
 * A sign-in state: ours are 43 base64url characters; anything far from that is not one of ours.
 *
 * @example
 * ```ts
 * kakaoState.safeParse(new URL(location.href).searchParams.get('state')).success;
 * ```
 */
export const kakaoState = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'is not a sign-in state');

/** Kakao's authorization codes: printable ASCII, bounded. */
const code = z
  .string()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

/** A page origin (`https://example.com`), checked against the site's allowed origins by the route. */
const origin = z.string().max(2048, 'must be at most 2048 characters');

/**
 * `GET /v1/auth/kakao/start`.
 *
 * @example
 * ```ts
 * kakaoStartQuery.parse({ origin: 'https://shop.example.com', site: 'st_AbC123', redirect: '1' });
 * ```
 */
export const kakaoStartQuery = z.strictObject({
  /** `1` answers with a 302 to Kakao instead of JSON (for `window.open(startUrl)` / links). */
  redirect: z.enum(['1', '0', 'true', 'false']).optional(),
  /** The origin of the page that opened the popup; must be one of the site's allowed origins. */
  origin: origin.optional(),
  /** The site's public id, for navigations (`window.open(…?redirect=1)`) that cannot send X-SyncTalk-Site. */
  site: z.string().regex(PUBLIC_ID, 'must be a site public id').optional(),
});

/**
 * `GET /v1/auth/kakao/start?origin=&site=`: Kakao's authorization page for a popup, and the flow's one-time
 * state (`KakaoStart`).
 *
 * @example
 * ```ts
 * const { url, state } = kakaoStartResponse.parse(await res.json());
 * ```
 */
export const kakaoStartResponse = z.object({
  url: z
    .string()
    .describe(
      "Open it in a popup or redirect to it: this server's /v1/auth/kakao/authorize step, which binds the " +
        "sign-in to the browser and redirects to Kakao's authorization page (for a link, Kakao's page itself)",
    ),
  state: z.string().describe('The one-time state of this sign-in (10 minutes)'),
});

/**
 * The authorize step: the state `start` returned.
 *
 * @example
 * ```ts
 * const { state } = kakaoAuthorizeQuery.parse(Object.fromEntries(url.searchParams));
 * ```
 */
export const kakaoAuthorizeQuery = z.strictObject({ state: kakaoState });

/**
 * `POST /v1/auth/kakao/callback`, `POST /v1/me/kakao/link/callback`: Kakao's code and the state.
 *
 * @example
 * ```ts
 * const params = new URL(location.href).searchParams;
 * const body = kakaoCallbackBody.parse({ code: params.get('code'), state: params.get('state') });
 * ```
 */
export const kakaoCallbackBody = z.strictObject({ code, state: kakaoState });

/**
 * Kakao's redirect: `code` and `state` on success, `error` (and `error_description`) otherwise.
 *
 * @example
 * ```ts
 * const query = kakaoPopupQuery.parse(Object.fromEntries(new URL(location.href).searchParams));
 * if (query.error) showError(query.error_description ?? query.error);
 * ```
 */
export const kakaoPopupQuery = z.object({
  code: code.optional(),
  state: kakaoState.optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/**
 * `POST /v1/me/kakao/link/start`.
 *
 * @example
 * ```ts
 * const body = kakaoLinkStartBody.parse({ origin: location.origin });
 * ```
 */
export const kakaoLinkStartBody = z.strictObject({ origin: origin.optional() });

/**
 * The account after linking or unlinking Kakao.
 *
 * @example
 * ```ts
 * const { user } = kakaoLinkResponse.parse(await res.json());
 * ```
 */
export const kakaoLinkResponse = z.object({ user: userSchema });
