/**
 * fast-check arbitraries of whole HTTP requests for one operation of the OpenAPI document: path parameters,
 * query, headers (credentials, site, origin, content type) and body, each valid by its schema, mutated, or
 * hostile. A request is generated as named parts (readable in a counterexample) and rendered when sent.
 */
import fc from 'fast-check';
import { ACCESS_COOKIE } from '../../src/auth/request-token.js';
import {
  fromSchema,
  jsonText,
  nastyString,
  nastyValue,
  payload,
  type Hints,
  type Json,
} from './arbitraries.js';
import { forgedToken, SITE_ORIGIN, type FuzzWorld } from './fuzz-world.js';

export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. `/v1/rooms/{id}`. */
  path: string;
  operation: Json;
}

/** Every operation of the document. */
export function operationsOf(doc: Json): Operation[] {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
  );
}

const CREDENTIALS = [
  'none',
  'owner',
  'member',
  'siteAdmin',
  'platformAdmin',
  'stranger',
  'guest',
  'ownerCookie',
  'expired',
  'wrongSecret',
  'algNone',
  'otherSiteClaim',
  'refreshTokenAsAccess',
  'garbage',
  'garbageCookie',
] as const;
type Credential = (typeof CREDENTIALS)[number];

const SITES = ['site', 'default', 'other', 'none', 'unknown', 'garbage'] as const;
const ORIGINS = ['none', 'allowed', 'evil', 'null'] as const;
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  '',
];
const MALFORMED_JSON = [
  '{',
  '{"a":',
  '[1,]',
  '{"a":1}{',
  "{'a':1}",
  'nul',
  'NaN',
  '"just a string"',
  '42',
  'null',
  '[]',
  '{"a":1,"a":2}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1e999}',
  ' ',
];

export interface RequestParts {
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  credential: Credential;
  garbageToken: string;
  site: (typeof SITES)[number];
  origin: (typeof ORIGINS)[number];
  contentType: string;
  body:
    | { kind: 'none' }
    | { kind: 'json'; value: unknown }
    | { kind: 'raw'; text: string }
    | { kind: 'bytes'; bytes: number[] }
    | { kind: 'oversized' };
}

/** Percent-encodes anything, lone surrogates included (as the bytes WTF-8 gives them). */
export function encodeLoose(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(
        0x80 |
        (code & 0x3f)
      ).toString(16)}`;
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** A header value fetch will send: printable ASCII only. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** Path segments that are not what a router expects: raw, not encoded again. */
const RAW_SEGMENTS = ['%', '%zz', '%ED%A0%80', '%C0%AF', '%00', '%2F', '..', '.', '%2e%2e', ';', '%E2%80%AE'];

function paramsOf(operation: Json, where: 'path' | 'query'): Json[] {
  return ((operation.parameters ?? []) as Json[]).filter((p) => p.in === where);
}

export function requestArbitrary(op: Operation, doc: Json, hints: Hints): fc.Arbitrary<RequestParts> {
  const pathParams: Record<string, fc.Arbitrary<string>> = {};
  for (const p of paramsOf(op.operation, 'path')) {
    const name = p.name as string;
    const valid = fromSchema(p.schema as Json, doc, hints, name).map((v) => encodeLoose(String(v)));
    pathParams[name] = fc.oneof(
      { weight: 8, arbitrary: valid },
      { weight: 1, arbitrary: nastyString(3_000).map(encodeLoose) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
  }

  const queryParams = paramsOf(op.operation, 'query');
  const queryValue = (p: Json) =>
    fc.oneof(
      { weight: 4, arbitrary: fromSchema(p.schema as Json, doc, hints, p.name as string).map(String) },
      { weight: 1, arbitrary: nastyString(3_000) },
    );
  const documented = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(queryValue(p).map((v) => [p.name as string, v] as [string, string])),
      ),
    )
    .map((pairs) => pairs.filter((p): p is [string, string] => p !== null));
  const extra = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'toString', ...queryParams.map((p) => p.name as string)),
        fc.string({ maxLength: 10 }),
      ),
      nastyString(200),
    ),
    { maxLength: 2 },
  );
  const query = fc
    .tuple(documented, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }))
    .map(([a, b]) => [...a, ...b] as [string, string][]);

  const bodySchema = (op.operation.requestBody as { content?: Record<string, { schema?: Json }> } | undefined)
    ?.content?.['application/json']?.schema;
  const json = (bodySchema ? payload(fromSchema(bodySchema, doc, hints)) : nastyValue()).map((value) => ({
    kind: 'json' as const,
    value,
  }));
  const body: fc.Arbitrary<RequestParts['body']> = fc.oneof(
    { weight: bodySchema ? 1 : 6, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: bodySchema ? 12 : 2, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom(...MALFORMED_JSON), fc.string({ maxLength: 50 }))
        .map((text) => ({ kind: 'raw' as const, text })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 })
        .map((bytes) => ({ kind: 'bytes' as const, bytes })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
  );

  const otherMethods = ['get', 'post', 'put', 'patch', 'delete', 'options'].filter((m) => m !== op.method);
  return fc.record({
    method: fc.oneof({ weight: 15, arbitrary: fc.constant(op.method) }, fc.constantFrom(...otherMethods)),
    params: fc.record(pathParams),
    query,
    // Mostly someone who may call the route, so that calls get past authentication.
    credential: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom<Credential>('owner', 'member', 'siteAdmin', 'guest', 'ownerCookie'),
      },
      { weight: 2, arbitrary: fc.constantFrom(...CREDENTIALS) },
    ),
    garbageToken: fc.oneof(fc.constantFrom('', 'null', 'a.b.c', 'e30.e30.', 'Bearer'), nastyString(5_000)),
    site: fc.oneof({ weight: 6, arbitrary: fc.constant('site' as const) }, fc.constantFrom(...SITES)),
    origin: fc.oneof({ weight: 6, arbitrary: fc.constant('none' as const) }, fc.constantFrom(...ORIGINS)),
    contentType: fc.oneof(
      { weight: 20, arbitrary: fc.constant('application/json') },
      fc.constantFrom(...CONTENT_TYPES),
    ),
    body,
  });
}

export interface RenderedRequest {
  method: string;
  /** The path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function credentialHeaders(parts: RequestParts, world: FuzzWorld): Record<string, string> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: world.owner.user.id,
    site: world.owner.user.siteId,
    roles: ['ROLE_USER'],
    kind: 'password',
    typ: 'access',
    iss: 'synctalk',
    iat: now,
    exp: now + 600,
  };
  const header = (alg: string) => Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const payloadPart = Buffer.from(JSON.stringify(claims)).toString('base64url');
  switch (parts.credential) {
    case 'none':
      return {};
    case 'owner':
    case 'member':
    case 'siteAdmin':
    case 'platformAdmin':
    case 'stranger':
      return bearer(world[parts.credential].token);
    case 'guest':
      return bearer(world.guest.token);
    case 'ownerCookie':
      return { cookie: `${ACCESS_COOKIE}=${world.owner.token}` };
    case 'expired':
      return bearer(forgedToken({ ...claims, iat: now - 7200, exp: now - 3600 }));
    case 'wrongSecret':
      return bearer(forgedToken(claims, 'another-secret-0123456789-abcdefghijklmnop'));
    case 'algNone':
      return bearer(`${header('none')}.${payloadPart}.`);
    case 'otherSiteClaim':
      return bearer(forgedToken({ ...claims, site: world.other.id }));
    case 'refreshTokenAsAccess':
      return bearer(world.owner.auth.refreshToken);
    case 'garbage':
      return { authorization: headerSafe(`Bearer ${parts.garbageToken}`) };
    case 'garbageCookie':
      return { cookie: headerSafe(`${ACCESS_COOKIE}=${parts.garbageToken}; ${parts.garbageToken}`) };
  }
}

/** The request `parts` stand for, with the current `world`. */
export function render(op: Operation, parts: RequestParts, world: FuzzWorld): RenderedRequest {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => parts.params[name] ?? '');
  const search = parts.query.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&');
  const headers: Record<string, string> = credentialHeaders(parts, world);
  const siteHeader = {
    site: world.site.publicId,
    default: world.default.publicId,
    other: world.other.publicId,
    none: undefined,
    unknown: 'st_NoSuchSite0000',
    garbage: headerSafe(parts.garbageToken.slice(0, 200)),
  }[parts.site];
  if (siteHeader !== undefined) headers['x-synctalk-site'] = siteHeader;
  const origin = { none: undefined, allowed: SITE_ORIGIN, evil: 'https://evil.example', null: 'null' }[
    parts.origin
  ];
  if (origin !== undefined) headers.origin = origin;

  let body: string | Uint8Array | undefined;
  if (parts.body.kind === 'json') body = jsonText(parts.body.value);
  else if (parts.body.kind === 'raw') body = parts.body.text;
  else if (parts.body.kind === 'bytes') body = Uint8Array.from(parts.body.bytes);
  else if (parts.body.kind === 'oversized') body = JSON.stringify({ text: 'x'.repeat(300_000) });
  // GET and OPTIONS requests cannot carry a body with fetch.
  if (parts.method === 'get' || parts.method === 'options') body = undefined;
  // An empty value too: then the request has a body without a media type.
  if (body !== undefined) headers['content-type'] = parts.contentType;
  return { method: parts.method.toUpperCase(), path: `${path}${search ? `?${search}` : ''}`, headers, body };
}

/**
 * Requests for paths no operation declares: the widget routes, Socket.IO's engine and made-up paths, with
 * hostile segments, any method and any body.
 */
export function strayRequestArbitrary(): fc.Arbitrary<RenderedRequest> {
  const segment = fc.oneof(
    fc.constantFrom(
      'v1',
      'widget',
      'widget.js',
      'widget.js.map',
      'integrity.json',
      'socket.io',
      'rooms',
      'admin',
    ),
    fc.constantFrom(...RAW_SEGMENTS),
    nastyString(300).map(encodeLoose),
  );
  const prefix = fc.constantFrom(
    '',
    '/v1',
    '/widget',
    '/widget/0.1.0',
    '/socket.io',
    '/v1/rooms/1',
    '/healthz',
  );
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'),
      prefix,
      segments: fc.array(segment, { maxLength: 4 }),
      query: fc.option(nastyString(300).map(encodeLoose)),
      body: fc.option(nastyValue({ maxLength: 5_000 })),
    })
    .map(({ method, prefix: start, segments, query, body }): RenderedRequest => {
      const json = method === 'GET' || method === 'OPTIONS' ? undefined : jsonText(body);
      return {
        method,
        path: `${start}/${segments.join('/')}${query === null ? '' : `?${query}`}`,
        headers: json === undefined ? {} : { 'content-type': 'application/json' as string },
        body: json,
      };
    });
}
