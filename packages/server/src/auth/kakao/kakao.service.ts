/**
 * Kakao Login (authorization code flow with PKCE, optionally OpenID Connect). `start` builds Kakao's
 * authorization URL around a one-time server-side state; `signIn` and `link` finish a flow: they consume the
 * state, exchange the code, read the profile, verify the ID token when `openid` was requested, and then
 * upsert the user keyed by (site, Kakao id) or link the Kakao id to the account that started the flow.
 * A login is also bound to the browser that opened it (`authorize`, `kakao.browser.ts`): `signIn` refuses
 * any other browser.
 *
 * The redirect URI is always KAKAO_REDIRECT_URI; nothing a client sends can change where Kakao sends codes.
 */
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import { randomToken } from '../../platform/crypto.js';
import { rateLimiter, type RateLimit } from '../../platform/rate-limit.js';
import { isOwnOrigin, type OriginRequest } from '../../platform/own-origin.js';
import type { DomainDeps } from '../../domain-deps.js';
import type { Site } from '../../sites/sites.repository.js';
import { identitiesRepository } from '../identities.repository.js';
import { usersRepository, type UserRecord } from '../users.repository.js';
import { kakaoClient } from './kakao.client.js';
import { kakaoIdTokens } from './kakao.id-token.js';
import { toKakaoIdentity, type KakaoIdentity } from './kakao.profile.js';
import { bindBrowser, forgetBrowser, isSameBrowser } from './kakao.browser.js';
import { peekState, pkceChallenge, pkcePair, saveState, takeState, type KakaoState } from './kakao.state.js';

export type { KakaoState };

const flowGone = () =>
  new AppError('unauthorized', 'This Kakao sign-in is unknown, expired or already used; start again');

const otherBrowser = () =>
  new AppError(
    'unauthorized',
    'This Kakao sign-in was not started in this browser (or its cookie was blocked); start again here',
  );

/** Whether Kakao Login is configured: the REST API key and the redirect URI are both set. */
export function kakaoConfigured(kakao: Config['kakao']): boolean {
  return Boolean(kakao.restApiKey && kakao.redirectUri);
}

export function kakaoService(deps: DomainDeps) {
  const { store, logger } = deps;
  const kakao = deps.config.kakao;
  const client = kakaoClient(kakao, logger);
  const idTokens = kakaoIdTokens(kakao, client, logger);
  const identities = identitiesRepository(deps.db);
  const users = usersRepository(deps.db);
  const openid = kakao.scopes.includes('openid');

  function assertConfigured(): void {
    if (!kakaoConfigured(kakao)) {
      throw new AppError('not_found', 'Kakao login is not configured');
    }
  }

  /**
   * The origin a popup will post its result to: the one asked for (it must be an allowed origin of the site,
   * or this server's own origin), else the calling page's Origin (likewise), else the site's first allowed
   * origin. `request` is the request starting the flow.
   */
  function popupOrigin(
    site: Site,
    requested: string | undefined,
    request: OriginRequest,
  ): string | undefined {
    const allowed = (origin: string) =>
      site.allowedOrigins.includes(origin) || isOwnOrigin(origin, request, deps.config.http);
    if (requested !== undefined) {
      if (!allowed(requested)) {
        throw new AppError(
          'validation_failed',
          `origin "${requested.slice(0, 200)}" is not allowed for this site`,
        );
      }
      return requested;
    }
    const requestOrigin = request.headers.origin;
    if (requestOrigin && allowed(requestOrigin)) return requestOrigin;
    return site.allowedOrigins[0];
  }

  /** Kakao's authorization page for a stored flow: our key and redirect URI, its state, challenge and nonce. */
  function kakaoUrl(state: string, saved: KakaoState): string {
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: kakao.restApiKey!,
      redirect_uri: kakao.redirectUri!,
      state,
      code_challenge: pkceChallenge(saved.verifier),
      code_challenge_method: 'S256',
    });
    if (kakao.scopes.length > 0) params.set('scope', kakao.scopes.join(','));
    if (saved.nonce) params.set('nonce', saved.nonce);
    return `${kakao.authUrl}/oauth/authorize?${params.toString()}`;
  }

  /** Exchanges the code and returns who signed in, checked against the ID token when OIDC is on. */
  async function identify(code: string, saved: KakaoState): Promise<KakaoIdentity> {
    const tokens = await client.exchangeCode({ code, verifier: saved.verifier });
    const identity = toKakaoIdentity(await client.fetchProfile(tokens.accessToken));
    if (!identity) {
      logger.error('kakao: user/me answered without a usable id');
      throw new AppError('bad_gateway', 'Kakao answered with an unreadable profile');
    }
    if (saved.nonce !== undefined) {
      if (!tokens.idToken) {
        logger.error(
          'kakao: openid was requested but no id_token came back; enable OpenID Connect for the app',
        );
        throw new AppError('bad_gateway', 'Kakao did not return an ID token; the error was logged');
      }
      await idTokens.verify(tokens.idToken, { nonce: saved.nonce, subject: identity.id });
    }
    return identity;
  }

  /**
   * Refuses a login state unless `cookie` is the flow cookie of the browser that opened its authorize step;
   * leaves it unused then, for that browser. Unknown states are `flowGone`; link states are not checked here
   * (they are bound to the account that started them).
   */
  async function assertSameBrowser(state: string, cookie: string | undefined): Promise<void> {
    const saved = await peekState(store, state);
    if (!saved) throw flowGone();
    if (saved.purpose === 'login' && !(await isSameBrowser(store, state, cookie))) throw otherBrowser();
  }

  /** Consumes `state` and checks it is a flow of `purpose` started on `siteId`. */
  async function consume(state: string, purpose: KakaoState['purpose'], siteId: string): Promise<KakaoState> {
    const saved = await takeState(store, state);
    if (!saved) throw flowGone();
    await forgetBrowser(store, state);
    if (saved.siteId !== siteId)
      throw new AppError('unauthorized', 'This Kakao sign-in was started for another site');
    if (saved.purpose !== purpose) {
      throw new AppError(
        'unauthorized',
        purpose === 'login'
          ? 'This state belongs to linking a Kakao account; complete it at /v1/me/kakao/link/callback'
          : 'This state belongs to a Kakao sign-in, not to linking an account',
      );
    }
    return saved;
  }

  /**
   * Every start stores a state, so starts are limited per IP like sign-in attempts (LOGIN_MAX_PER_IP per
   * LOGIN_WINDOW, per site): nobody can fill the shared store with states.
   */
  const limiter = rateLimiter(deps);
  const starts: RateLimit = {
    name: 'kakao:start',
    max: deps.config.auth.login.maxPerIp,
    windowMs: deps.config.auth.login.windowMs,
    unavailable: 'Kakao sign-in is temporarily unavailable; try again shortly',
  };
  async function countStart(sitePublicId: string, ip: string): Promise<void> {
    await limiter.consume(
      starts,
      [sitePublicId, ip],
      (seconds) => `Too many Kakao sign-ins from this address; try again in ${seconds} seconds`,
    );
  }

  return {
    configured: () => kakaoConfigured(kakao),
    assertConfigured,
    popupOrigin,
    assertSameBrowser,

    /**
     * Starts a flow: stores its state and returns Kakao's authorization URL. A login is then opened through
     * `authorize` (see `kakao.browser.ts`); the routes hand out that step's URL instead.
     */
    async start(input: {
      site: Site;
      purpose: KakaoState['purpose'];
      userId?: string;
      origin?: string;
      ip: string;
    }): Promise<{ url: string; state: string }> {
      assertConfigured();
      await countStart(input.site.publicId, input.ip);
      const { verifier } = pkcePair();
      const data: KakaoState = {
        purpose: input.purpose,
        siteId: input.site.id,
        userId: input.userId,
        verifier,
        nonce: openid ? randomToken(24) : undefined,
        origin: input.origin,
      };
      const state = await saveState(store, data);
      return { url: kakaoUrl(state, data), state };
    },

    /** Reads a flow's saved data without consuming it. */
    peek: (state: string) => peekState(store, state),

    /**
     * The authorize step of a login: binds `state` to a new browser secret and returns it with Kakao's URL
     * for the state. Refuses an unknown state, a link state, and a state bound before (each link opens once).
     */
    async authorize(state: string): Promise<{ secret: string; url: string }> {
      assertConfigured();
      const saved = await peekState(store, state);
      if (!saved || saved.purpose !== 'login') throw flowGone();
      const secret = await bindBrowser(store, state);
      if (!secret) {
        throw new AppError(
          'unauthorized',
          'This Kakao sign-in link was already opened; start the sign-in again',
        );
      }
      return { secret, url: kakaoUrl(state, saved) };
    },

    /** Consumes a state whatever it was for (a cancelled flow); undefined when unknown. */
    async discard(state: string): Promise<KakaoState | undefined> {
      const saved = await takeState(store, state);
      await forgetBrowser(store, state);
      return saved;
    },

    /**
     * Finishes a sign-in on `siteId`: returns the (new or returning) user. Nothing is written unless every
     * check passed.
     */
    async signIn(
      siteId: string,
      input: { code: string; state: string },
      cookie: string | undefined,
    ): Promise<UserRecord> {
      assertConfigured();
      if (!(await deps.sites.findById(siteId))) {
        throw new AppError('unauthorized', 'The site this Kakao sign-in was started for no longer exists');
      }
      await assertSameBrowser(input.state, cookie);
      const saved = await consume(input.state, 'login', siteId);
      const identity = await identify(input.code, saved);
      const { user, created } = await identities.upsertKakaoUser({
        siteId,
        kakaoId: identity.id,
        displayName: identity.displayName,
        avatarUrl: identity.avatarUrl,
        email: identity.email,
      });
      logger.info({ userId: user.id, siteId, created }, created ? 'kakao: new user' : 'kakao: sign-in');
      return user;
    },

    /** Checks `user` may start linking Kakao (not a guest, not linked yet). */
    async assertCanLink(siteId: string, userId: string): Promise<UserRecord> {
      const user = await users.findById(siteId, userId);
      if (!user) throw new AppError('unauthorized', 'This account no longer exists');
      if (user.kind === 'guest') throw new AppError('forbidden', 'Guests cannot link a Kakao account');
      if (user.kakaoId !== null) throw new AppError('conflict', 'This account is already linked to Kakao');
      return user;
    },

    /** Finishes linking: the state must have been started by `userId` on `siteId`. */
    async link(siteId: string, userId: string, input: { code: string; state: string }): Promise<UserRecord> {
      assertConfigured();
      const saved = await consume(input.state, 'link', siteId);
      if (saved.userId !== userId) {
        throw new AppError('forbidden', 'This Kakao link was started by another account');
      }
      const identity = await identify(input.code, saved);
      const outcome = await identities.linkKakao(siteId, userId, identity.id);
      switch (outcome.status) {
        case 'linked':
        case 'unchanged':
          logger.info({ userId, siteId }, 'kakao: account linked');
          return outcome.user;
        case 'taken':
          throw new AppError('conflict', 'This Kakao account already belongs to another user of this site');
        case 'has_other':
          throw new AppError('conflict', 'This account is already linked to a different Kakao account');
        case 'not_found':
          throw new AppError('unauthorized', 'This account no longer exists');
      }
    },

    /** Removes the Kakao link of an account that can still sign in another way. */
    async unlink(siteId: string, userId: string): Promise<UserRecord> {
      const user = await users.findById(siteId, userId);
      if (!user) throw new AppError('unauthorized', 'This account no longer exists');
      if (user.kakaoId === null)
        throw new AppError('not_found', 'No Kakao account is linked to this account');
      if (user.kind === 'kakao') {
        throw new AppError('conflict', 'This account signs in with Kakao; its Kakao link cannot be removed');
      }
      const updated = await identities.unlinkKakao(siteId, userId);
      if (!updated) throw new AppError('not_found', 'No Kakao account is linked to this account');
      return updated;
    },
  };
}

export type KakaoService = ReturnType<typeof kakaoService>;
