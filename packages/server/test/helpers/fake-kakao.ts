/**
 * A fake Kakao for tests: a real HTTP server on 127.0.0.1 with Kakao Login's REST endpoints and their real
 * shapes, including the error bodies.
 *
 * - `GET  /oauth/authorize`: "logs in" a registered user and redirects to `redirect_uri?code&state` (tests
 *   call `authorize(url, { as })`), or with `deny` redirects with `error=access_denied`.
 * - `POST /oauth/token`: form-encoded only; checks client_id, client_secret (when set), that redirect_uri is
 *   registered (KOE006) and the one the code was issued for (KOE303), the PKCE verifier against the S256
 *   challenge, and that the code exists and is unused (KOE320). Adds an RS256 `id_token` when `openid` was
 *   requested.
 * - `GET  /v2/user/me`: the profile for a bearer token, or Kakao's -401 body. Image URLs are https only
 *   with `secure_resource=true`, as at Kakao.
 * - `GET  /.well-known/jwks.json`: the public key(s) the id_tokens are signed with.
 *
 * Knobs: per-endpoint `delayMs`, forced `status`/`body`; id_token overrides (aud, nonce, iss, sub, other
 * key); `rotateKey()`; `authorize` for a real browser's visit (no `fake_user` in the URL): who logs in, or a
 * page to show instead; every request is recorded in `requests`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  kakaoProfile,
  newKey,
  signIdToken,
  type EndpointKnob,
  type FakeKakaoUser,
  type IdTokenKnob,
  type IssuedCode,
  type RecordedRequest,
  type SigningKey,
} from './fake-kakao-shapes.js';

export type { EndpointKnob, FakeKakaoUser, IdTokenKnob, RecordedRequest } from './fake-kakao-shapes.js';
export { kakaoBrowser, kakaoSignIn, type KakaoBrowser } from './fake-kakao-browser.js';

/**
 * What Kakao's authorization page does for a visit whose URL names no `fake_user` / `fake_deny` (a real
 * browser): show `page` (HTML; the user stays there), or log `user` in, or `deny`.
 */
export interface AuthorizeKnob {
  page?: string;
  user?: FakeKakaoUser;
  deny?: boolean;
}

export interface FakeKakaoOptions {
  restApiKey?: string;
  clientSecret?: string;
  /** What the app registered; the server's KAKAO_REDIRECT_URI is `redirectUri`. */
  redirectUri?: string;
  /** Registered redirect URIs; default `[redirectUri]`. */
  registeredRedirectUris?: string[];
}

export type FakeKakao = Awaited<ReturnType<typeof startFakeKakao>>;

/** A free port nobody listens on (for "connection refused"). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startFakeKakao(options: FakeKakaoOptions = {}) {
  const restApiKey = options.restApiKey ?? `rest-${randomBytes(6).toString('hex')}`;
  const redirectUri = options.redirectUri ?? 'https://chat.example.com/v1/auth/kakao/callback';
  const registered = options.registeredRedirectUris ?? [redirectUri];
  const users = new Map<number, FakeKakaoUser>();
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let keys: SigningKey[] = [newKey()];
  const otherKey = newKey();
  let nextId = 3_000_000_000 + Math.floor(Math.random() * 1_000_000);
  const timers = new Set<NodeJS.Timeout>();

  const knobs: {
    token: EndpointKnob;
    me: EndpointKnob;
    jwks: EndpointKnob;
    idToken: IdTokenKnob;
    authorize: AuthorizeKnob;
  } = { token: {}, me: {}, jwks: {}, idToken: {}, authorize: {} };

  let baseUrl = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const tokenError = (
    res: ServerResponse,
    status: number,
    error: string,
    description: string,
    code: string,
  ) => json(res, status, { error, error_description: description, error_code: code });

  const delay = (ms: number | undefined) =>
    ms
      ? new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        })
      : Promise.resolve();

  /** Applies a knob; true when it answered for the endpoint. */
  async function forced(res: ServerResponse, knob: EndpointKnob): Promise<boolean> {
    await delay(knob.delayMs);
    if (knob.status === undefined) return false;
    if (typeof knob.body === 'string') {
      res.writeHead(knob.status, { 'Content-Type': 'text/html' });
      res.end(knob.body);
    } else {
      json(res, knob.status, knob.body ?? { msg: 'internal error', code: -1 });
    }
    return true;
  }

  function issueCode(input: Omit<IssuedCode, 'used'>): string {
    const code = randomBytes(32).toString('base64url');
    codes.set(code, { ...input, used: false });
    return code;
  }

  function idTokenFor(code: IssuedCode): string {
    return signIdToken({
      code,
      user: users.get(code.userId)!,
      issuer: baseUrl,
      knob: knobs.idToken,
      key: keys[keys.length - 1]!,
      otherKey,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', baseUrl);
    const query = Object.fromEntries(url.searchParams);
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = isForm ? Object.fromEntries(new URLSearchParams(body)) : undefined;
    requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, body, form });

    if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== restApiKey) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('KOE101: invalid client_id');
        return;
      }
      const target = q.get('redirect_uri') ?? '';
      if (!registered.includes(target)) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('KOE006: redirect_uri not registered');
        return;
      }
      if (q.get('response_type') !== 'code') {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('KOE001: response_type must be code');
        return;
      }
      const visit = !q.has('fake_user') && !q.has('fake_deny') ? knobs.authorize : {};
      if (visit.page !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(visit.page);
        return;
      }
      if (visit.user) q.set('fake_user', String(visit.user.id));
      if (visit.deny) q.set('fake_deny', '1');
      const state = q.get('state');
      const back = new URL(target);
      if (state !== null) back.searchParams.set('state', state);
      if (q.get('fake_deny') === '1') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'User denied access');
      } else {
        const userId = Number(q.get('fake_user'));
        if (!users.has(userId)) {
          res.writeHead(400, { 'Content-Type': 'text/plain' }).end('fake: unknown fake_user');
          return;
        }
        back.searchParams.set(
          'code',
          issueCode({
            userId,
            clientId: restApiKey,
            redirectUri: target,
            challenge: q.get('code_challenge') ?? undefined,
            challengeMethod: q.get('code_challenge_method') ?? undefined,
            nonce: q.get('nonce') ?? undefined,
            scope: (q.get('scope') ?? '').split(',').filter(Boolean),
          }),
        );
      }
      res.writeHead(302, { Location: back.toString() }).end();
      return;
    }

    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      if (await forced(res, knobs.token)) return;
      if (!form) {
        tokenError(
          res,
          400,
          'invalid_request',
          'Content-Type must be application/x-www-form-urlencoded',
          'KOE001',
        );
        return;
      }
      if (form.grant_type !== 'authorization_code') {
        tokenError(res, 400, 'unsupported_grant_type', `grant_type=${form.grant_type}`, 'KOE001');
        return;
      }
      if (form.client_id !== restApiKey) {
        tokenError(res, 401, 'invalid_client', 'Not exist client_id', 'KOE101');
        return;
      }
      if (options.clientSecret !== undefined && form.client_secret !== options.clientSecret) {
        tokenError(res, 401, 'invalid_client', 'Bad client credentials', 'KOE010');
        return;
      }
      if (!registered.includes(form.redirect_uri ?? '')) {
        tokenError(res, 400, 'invalid_grant', 'Redirect URI mismatch.', 'KOE006');
        return;
      }
      const code = codes.get(form.code ?? '');
      if (!code || code.used) {
        tokenError(
          res,
          400,
          'invalid_grant',
          `authorization code not found for code=${form.code ?? ''}`,
          'KOE320',
        );
        return;
      }
      if (code.redirectUri !== form.redirect_uri) {
        tokenError(res, 400, 'invalid_grant', 'redirect_uri mismatch.', 'KOE303');
        return;
      }
      if (code.challenge !== undefined) {
        const verifier = form.code_verifier ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (code.challengeMethod !== 'S256' || computed !== code.challenge) {
          code.used = true;
          tokenError(res, 400, 'invalid_grant', 'PKCE verification failed.', 'KOE320');
          return;
        }
      }
      code.used = true;
      const accessToken = randomBytes(24).toString('base64url');
      accessTokens.set(accessToken, code.userId);
      const answer: Record<string, unknown> = {
        access_token: accessToken,
        token_type: 'bearer',
        refresh_token: randomBytes(24).toString('base64url'),
        expires_in: 21599,
        refresh_token_expires_in: 5183999,
      };
      if (code.scope.length > 0) answer.scope = code.scope.join(' ');
      if (code.scope.includes('openid') && !knobs.idToken.omit) answer.id_token = idTokenFor(code);
      json(res, 200, answer);
      return;
    }

    if (req.method === 'GET' && url.pathname === '/v2/user/me') {
      if (await forced(res, knobs.me)) return;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const userId = token ? accessTokens.get(token) : undefined;
      if (userId === undefined) {
        json(res, 401, { msg: 'this access token does not exist', code: -401 });
        return;
      }
      json(res, 200, kakaoProfile(users.get(userId)!, url.searchParams.get('secure_resource') === 'true'));
      return;
    }

    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      if (await forced(res, knobs.jwks)) return;
      json(res, 200, { keys: keys.map((k) => k.publicJwk) });
      return;
    }

    json(res, 404, { msg: 'not found', code: -1 });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { msg: String(error), code: -1 });
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    restApiKey,
    clientSecret: options.clientSecret,
    redirectUri,
    knobs,
    requests,

    /** Registers a Kakao account; returns it with its id. */
    addUser(user: Partial<FakeKakaoUser> = {}): FakeKakaoUser {
      nextId += 1;
      const full: FakeKakaoUser = { id: nextId, nickname: `kakao-${nextId}`, ...user };
      users.set(full.id, full);
      return full;
    },

    updateUser(id: number, patch: Partial<FakeKakaoUser>): void {
      users.set(id, { ...users.get(id)!, ...patch, id });
    },

    /**
     * Follows Kakao's authorization page as a browser would: returns the `code` / `state` (or `error`) of
     * the redirect back, and the redirect itself.
     */
    async authorize(
      authorizeUrl: string,
      as: { user?: FakeKakaoUser; deny?: boolean },
    ): Promise<{ location: URL; code: string | null; state: string | null; error: string | null }> {
      const u = new URL(authorizeUrl);
      if (as.user) u.searchParams.set('fake_user', String(as.user.id));
      if (as.deny) u.searchParams.set('fake_deny', '1');
      const res = await fetch(u, { redirect: 'manual' });
      if (res.status !== 302) throw new Error(`fake authorize answered ${res.status}: ${await res.text()}`);
      const location = new URL(res.headers.get('location')!);
      return {
        location,
        code: location.searchParams.get('code'),
        state: location.searchParams.get('state'),
        error: location.searchParams.get('error'),
      };
    },

    /** Issues a code without the authorize page (for a verifier/redirect of the test's choosing). */
    mintCode(input: {
      user: FakeKakaoUser;
      redirectUri?: string;
      codeChallenge?: string;
      nonce?: string;
      scope?: string[];
    }): string {
      return issueCode({
        userId: input.user.id,
        clientId: restApiKey,
        redirectUri: input.redirectUri ?? redirectUri,
        challenge: input.codeChallenge,
        challengeMethod: input.codeChallenge ? 'S256' : undefined,
        nonce: input.nonce,
        scope: input.scope ?? [],
      });
    },

    /** Signs with a new key (new kid) and publishes only that one. */
    rotateKey(): void {
      keys = [newKey()];
    },

    /** Clears knobs and recorded requests. */
    reset(): void {
      knobs.token = {};
      knobs.me = {};
      knobs.jwks = {};
      knobs.idToken = {};
      knobs.authorize = {};
      requests.length = 0;
    },

    /** Environment for `startTestServer({ env })` pointing the server at this fake. */
    env(extra: Record<string, string> = {}): Record<string, string> {
      return {
        KAKAO_REST_API_KEY: restApiKey,
        KAKAO_REDIRECT_URI: redirectUri,
        KAKAO_AUTH_URL: baseUrl,
        KAKAO_API_URL: baseUrl,
        KAKAO_TIMEOUT: '3s',
        ...(options.clientSecret ? { KAKAO_CLIENT_SECRET: options.clientSecret } : {}),
        ...extra,
      };
    },

    async close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
