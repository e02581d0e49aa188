/** `client.me`: the signed-in user. */
import type { UpdateMeRequest, User } from '../../protocol/auth.js';
import type { CallOptions, RestContext } from './call.js';

/**
 * `client.me`.
 *
 * @example
 * ```ts
 * const { displayName } = await client.me.get();
 * ```
 */
export interface MeApi {
  /**
   * The signed-in user (`GET /v1/me`).
   *
   * @example
   * ```ts
   * const me = await client.me.get();
   * ```
   */
  get(options?: CallOptions): Promise<User>;
  /**
   * Changes my display name or avatar (`PATCH /v1/me`; `avatarUrl: null` removes it).
   *
   * @example
   * ```ts
   * await client.me.update({ displayName: 'Ann B.' });
   * ```
   */
  update(body: UpdateMeRequest, options?: CallOptions): Promise<User>;
}

/** Builds `client.me`. */
export function meApi(ctx: RestContext): MeApi {
  return {
    get: (options) => ctx.authed('GET', '/v1/me', options),
    update: (body, options) => ctx.authed('PATCH', '/v1/me', options, body),
  };
}
