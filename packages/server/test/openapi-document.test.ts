/**
 * The OpenAPI document covers every declared route, whatever routes exist when this runs: it compares the
 * document with `api.specs` and the Koa router itself rather than with a fixed list.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '@synctalk/sdk';
import { request } from './helpers/http.js';
import { toOpenApiPath } from '../src/platform/openapi.js';
import { useServer } from './helpers/use-server.js';

const serverPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// The document is arbitrary JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` anywhere in `value`. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: Doc, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

function operations(doc: Doc): { path: string; method: string; op: Doc }[] {
  return Object.entries(doc.paths as Record<string, Doc>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
}

describe('GET /v1/openapi.json', () => {
  const { t } = useServer({
    services: [],
    env: { METRICS_TOKEN: 'metrics-token-0123456789abcdefghijklmnop' },
  });
  let doc: Doc;

  beforeAll(async () => {
    const res = await request(t.url, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });

  it('is an OpenAPI 3.1 document about SyncTalk', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('SyncTalk');
    expect(doc.info.version).toBe(serverPackage.version);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const path of Object.keys(doc.paths)) {
      expect(path).toMatch(/^\//);
      expect(path).not.toMatch(/:/); // templated as {name}, never :name
    }
  });

  it('documents every declared route with its method', () => {
    const { specs } = t.server.api;
    expect(specs.length).toBeGreaterThan(0);
    const missing = specs
      .filter((spec) => !doc.paths[toOpenApiPath(spec.path)]?.[spec.method])
      .map((spec) => `${spec.method.toUpperCase()} ${spec.path}`);
    expect(missing).toEqual([]);
    for (const spec of specs) {
      const op = doc.paths[toOpenApiPath(spec.path)][spec.method];
      expect(op.summary).toBe(spec.summary);
      for (const tag of spec.tags ?? []) expect(op.tags).toContain(tag);
    }
  });

  it('documents every route the router serves', () => {
    const served = t.server.api.router.stack.flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
        .map((m) => ({ path: String(layer.path), method: m.toLowerCase() })),
    );
    expect(served.length).toBeGreaterThan(0);
    const missing = served.filter((r) => !doc.paths[toOpenApiPath(r.path)]?.[r.method]);
    expect(missing).toEqual([]);
    // And the platform routes outside the router.
    expect(doc.paths['/healthz'].get).toBeDefined();
    expect(doc.paths['/readyz'].get).toBeDefined();
    expect(doc.paths['/metrics'].get).toBeDefined();
    expect(doc.paths['/v1/openapi.json'].get).toBeDefined();
  });

  it('gives every operation an id, responses and the path parameters it uses', () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(typeof op.operationId, where).toBe('string');
      expect(ids.has(op.operationId), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses ?? {}).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(typeof response.description, `${where} ${status}`).toBe('string');
      }
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? [])
        .map((p: Doc) => (p.$ref ? resolve(doc, p.$ref) : p))
        .filter((p: Doc) => p.in === 'path');
      expect(declared.map((p: Doc) => p.name).sort(), where).toEqual([...templated].sort());
      for (const p of declared) expect(p.required, `${where} ${p.name}`).toBe(true);
      if (op.requestBody) expect(op.requestBody.content['application/json'].schema, where).toBeDefined();
    }
  });

  it('declares only known error codes, each under its own status', () => {
    const unknown = t.server.api.specs.flatMap((spec) =>
      (spec.errors ?? []).filter((c) => !isErrorCode(c)).map((c) => `${spec.method} ${spec.path}: ${c}`),
    );
    expect(unknown).toEqual([]);
    for (const spec of t.server.api.specs) {
      const op = doc.paths[toOpenApiPath(spec.path)][spec.method];
      for (const code of spec.errors ?? []) {
        const status = String(errorCodes[code as keyof typeof errorCodes].status);
        expect(op.responses[status]?.['x-error-codes'], `${spec.path} ${code}`).toContain(code);
        expect(op.responses[status].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/ErrorBody',
        });
      }
    }
    expect(doc.components.schemas.ErrorBody.properties.error.properties.code.enum).toEqual(
      Object.keys(errorCodes),
    );
  });

  it('resolves every $ref inside the document', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    const dangling = [...new Set(all)].filter((ref) => resolve(doc, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('marks authenticated routes with the bearer and cookie schemes', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(doc.components.securitySchemes.apiKeyAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // The server API is there, behind the API key.
    expect(doc.paths['/v1/server/rooms'].post.security).toEqual([{ apiKeyAuth: [] }]);
    for (const spec of t.server.api.specs) {
      const op = doc.paths[toOpenApiPath(spec.path)][spec.method];
      if (spec.auth === 'required') {
        expect(op.security, spec.path).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
        expect(op.responses['401']).toBeDefined();
      } else if (spec.auth === 'optional') {
        expect(op.security, spec.path).toContainEqual({});
      } else if (spec.auth === 'apiKey') {
        expect(op.security, spec.path).toEqual([{ apiKeyAuth: [] }]);
        expect(op.responses['401']).toBeDefined();
      } else if (spec.auth === 'siteAdmin') {
        expect(op.security, spec.path).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }, { apiKeyAuth: [] }]);
        expect(op.responses['401']).toBeDefined();
        expect(op.responses['403']).toBeDefined();
      } else {
        expect(op.security, spec.path).toBeUndefined();
      }
    }
    const tags = doc.tags.map((tag: { name: string }) => tag.name);
    for (const spec of t.server.api.specs) for (const tag of spec.tags ?? []) expect(tags).toContain(tag);
  });

  it('describes bodies, parameters and responses from the route schemas', () => {
    const create = doc.paths['/v1/admin/sites'].post;
    expect(create.requestBody.required).toBe(true);
    const body = create.requestBody.content['application/json'].schema;
    expect(body.type).toBe('object');
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['name', 'allowedOrigins']));
    expect(create.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreatedSite',
    });
    expect(create.responses['403']['x-error-codes']).toContain('forbidden');

    const list = doc.paths['/v1/admin/sites'].get;
    const query = Object.fromEntries(
      list.parameters.filter((p: Doc) => p.in === 'query').map((p: Doc) => [p.name, p]),
    );
    expect(query.limit.required).toBe(false);
    expect(query.cursor.required).toBe(false);

    const one = doc.paths['/v1/admin/sites/{publicId}'].get;
    expect(one.parameters).toContainEqual(
      expect.objectContaining({ name: 'publicId', in: 'path', required: true }),
    );
    expect(doc.components.schemas.Site.properties.settings).toEqual({
      $ref: '#/components/schemas/SiteSettings',
    });
    expect(doc.components.schemas.Site.properties).not.toHaveProperty('secret');
  });

  it('answers the same document every time', async () => {
    const again = await request(t.url, 'GET', '/v1/openapi.json');
    expect(again.body).toEqual(doc);
  });
});
