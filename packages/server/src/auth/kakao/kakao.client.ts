/**
 * Kakao's REST endpoints: the token exchange, the user profile and the OpenID Connect key set. Every call
 * has a hard deadline (KAKAO_TIMEOUT), and every failure becomes one of our errors: a code the user can retry
 * with a fresh sign-in is a 401; a misconfigured app, an outage, a timeout or an unexpected answer is a
 * 502 `bad_gateway`, logged with Kakao's own error code.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

export interface KakaoTokens {
  accessToken: string;
  /** Present when the `openid` scope was granted. */
  idToken?: string;
}

/** Kakao error codes that mean this server's Kakao app settings are wrong, not the user's sign-in. */
const MISCONFIGURED: Record<string, string> = {
  KOE004: 'Kakao Login is not activated for the app',
  KOE006: 'KAKAO_REDIRECT_URI is not registered for the app (it must match exactly)',
  KOE010: 'KAKAO_CLIENT_SECRET is wrong or client secret use is misconfigured',
  KOE101: 'KAKAO_REST_API_KEY is wrong',
  KOE303: 'KAKAO_REDIRECT_URI does not match the one used for the authorization code',
};

const MAX_BODY = 1024 * 1024;

function errorFields(data: unknown): { error?: string; errorCode?: string; code?: number; msg?: string } {
  if (!data || typeof data !== 'object') return {};
  const d = data as Record<string, unknown>;
  return {
    error: typeof d.error === 'string' ? d.error : undefined,
    errorCode: typeof d.error_code === 'string' ? d.error_code : undefined,
    code: typeof d.code === 'number' ? d.code : undefined,
    msg: typeof d.msg === 'string' ? d.msg : undefined,
  };
}

export function kakaoClient(config: Config['kakao'], logger: Logger) {
  // Made on the first call to Kakao: a server without Kakao Login (or before its first sign-in) does not
  // load the HTTP client at start-up.
  let instance: Promise<AxiosInstance> | undefined;
  const httpClient = () =>
    (instance ??= import('axios').then(({ default: axios }) =>
      axios.create({
        timeout: config.timeoutMs,
        maxRedirects: 0,
        maxContentLength: MAX_BODY,
        maxBodyLength: MAX_BODY,
        // Statuses are ours to interpret; only transport failures throw.
        validateStatus: () => true,
        headers: { Accept: 'application/json' },
      }),
    ));

  /** Sends the request with a hard deadline (axios' own timeout is per socket read). */
  async function send<T>(
    what: string,
    request: (signal: AbortSignal, http: AxiosInstance) => Promise<AxiosResponse<T>>,
  ): Promise<AxiosResponse<T>> {
    const http = await httpClient();
    try {
      return await request(AbortSignal.timeout(config.timeoutMs), http);
    } catch (error) {
      const e = error as { code?: string; message?: string; name?: string };
      const timedOut =
        e.code === 'ECONNABORTED' ||
        e.code === 'ETIMEDOUT' ||
        e.code === 'ERR_CANCELED' ||
        e.name === 'TimeoutError';
      logger.warn({ what, reason: e.code ?? e.message }, 'kakao: request failed');
      throw new AppError(
        'bad_gateway',
        timedOut
          ? `Kakao did not answer in time (${what})`
          : `Kakao is unreachable (${what}); try again later`,
      );
    }
  }

  function upstreamFailure(what: string, res: AxiosResponse): AppError {
    const f = errorFields(res.data);
    logger.error(
      { what, status: res.status, kakaoError: f.error, kakaoErrorCode: f.errorCode ?? f.code },
      'kakao: unexpected answer',
    );
    return new AppError(
      'bad_gateway',
      res.status >= 500
        ? `Kakao is having trouble (${what}: HTTP ${res.status}); try again later`
        : `Kakao answered unexpectedly (${what}: HTTP ${res.status})`,
    );
  }

  return {
    /** Exchanges an authorization code (with its PKCE verifier) for tokens. */
    async exchangeCode(input: { code: string; verifier: string }): Promise<KakaoTokens> {
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.restApiKey!,
        redirect_uri: config.redirectUri!,
        code: input.code,
        code_verifier: input.verifier,
      });
      if (config.clientSecret) form.set('client_secret', config.clientSecret);
      const res = await send('token', (signal, http) =>
        http.post(`${config.authUrl}/oauth/token`, form.toString(), {
          signal,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
        }),
      );
      if (res.status === 200) {
        const data = res.data as { access_token?: unknown; id_token?: unknown } | undefined;
        if (typeof data?.access_token !== 'string' || !data.access_token) throw upstreamFailure('token', res);
        return {
          accessToken: data.access_token,
          idToken: typeof data.id_token === 'string' && data.id_token ? data.id_token : undefined,
        };
      }
      const f = errorFields(res.data);
      if (f.errorCode && MISCONFIGURED[f.errorCode]) {
        logger.error(
          { kakaoErrorCode: f.errorCode, redirectUri: config.redirectUri },
          `kakao: server misconfiguration: ${MISCONFIGURED[f.errorCode]}`,
        );
        throw new AppError(
          'bad_gateway',
          'Kakao login is misconfigured on this server; the error was logged',
        );
      }
      if (
        (res.status === 400 || res.status === 401) &&
        (f.errorCode === 'KOE320' || f.error === 'invalid_grant')
      ) {
        throw new AppError('unauthorized', 'Kakao authorization code is invalid or expired; sign in again');
      }
      throw upstreamFailure('token', res);
    },

    /** Reads the signed-in user's profile (`/v2/user/me`), with image URLs over https. */
    async fetchProfile(accessToken: string): Promise<unknown> {
      const res = await send('user/me', (signal, http) =>
        http.get(`${config.apiUrl}/v2/user/me`, {
          signal,
          params: { secure_resource: 'true' },
          headers: { Authorization: `Bearer ${accessToken}` },
        }),
      );
      if (res.status === 200 && res.data && typeof res.data === 'object') return res.data;
      const f = errorFields(res.data);
      if (res.status === 401 || f.code === -401) {
        // We just received this token from Kakao: its refusal is Kakao's fault, not the user's.
        logger.error({ kakaoCode: f.code, msg: f.msg }, 'kakao: user/me refused a freshly issued token');
        throw new AppError('bad_gateway', 'Kakao refused the access token it just issued; try again');
      }
      throw upstreamFailure('user/me', res);
    },

    /** The OpenID Connect signing keys (JWK set). */
    async fetchJwks(): Promise<unknown[]> {
      const res = await send('jwks', (signal, http) =>
        http.get(`${config.authUrl}/.well-known/jwks.json`, { signal }),
      );
      const keys = (res.data as { keys?: unknown } | undefined)?.keys;
      if (res.status !== 200 || !Array.isArray(keys)) throw upstreamFailure('jwks', res);
      return keys;
    },
  };
}

export type KakaoClient = ReturnType<typeof kakaoClient>;
