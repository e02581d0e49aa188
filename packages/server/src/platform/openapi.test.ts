import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteSpec } from './api.js';
import { buildOpenApiDocument, operationIdFor, pathParamNames, toOpenApiPath } from './openapi.js';
import { queryInt, text } from '@synctalk/sdk/schemas';

const OPTIONS = { accessCookie: 'test_access' };

// The document is arbitrary JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const spec = (s: Partial<RouteSpec> & Pick<RouteSpec, 'method' | 'path'>): RouteSpec => ({
  summary: `${s.method} ${s.path}`,
  handler: () => undefined,
  ...s,
});

describe('OpenAPI paths and ids', () => {
  it('templates Koa parameters', () => {
    expect(toOpenApiPath('/v1/rooms/:id/members/:userId')).toBe('/v1/rooms/{id}/members/{userId}');
    expect(toOpenApiPath('/v1/files/*rest')).toBe('/v1/files/{rest}');
    expect(toOpenApiPath('/v1/openapi.json')).toBe('/v1/openapi.json');
    expect(pathParamNames('/v1/rooms/:id/members/:userId')).toEqual(['id', 'userId']);
  });

  it('derives readable operation ids', () => {
    expect(operationIdFor('get', '/v1/admin/sites/:publicId')).toBe('getAdminSitesByPublicId');
    expect(operationIdFor('post', '/v1/site/rotate-secret')).toBe('postSiteRotateSecret');
    expect(operationIdFor('get', '/v1/openapi.json')).toBe('getOpenapiJson');
  });
});

describe('buildOpenApiDocument', () => {
  it('describes request input as accepted and responses as sent', () => {
    const doc = buildOpenApiDocument(
      [
        spec({
          method: 'post',
          path: '/v1/things/:id',
          auth: 'required',
          params: z.object({ id: z.string().regex(/^\d+$/) }),
          query: z.object({ limit: queryInt({ min: 1, max: 50, default: 10 }), q: z.string() }),
          body: z.strictObject({ title: text({ max: 10 }), note: z.string().optional() }),
          response: z.object({ id: z.string(), count: z.number().int() }),
          status: 201,
          errors: ['conflict', 'not_a_code'],
        }),
      ],
      OPTIONS,
    );
    const op = doc.paths['/v1/things/{id}']!.post as Json;
    const params = Object.fromEntries(
      op.parameters.filter((p: Json) => p.name).map((p: Json) => [p.name, p]),
    );
    expect(params.id).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
    expect(params.limit).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    expect(params.q).toMatchObject({ in: 'query', required: true });
    expect(op.parameters).toContainEqual({ $ref: '#/components/parameters/SiteHeader' });
    expect(op.requestBody.required).toBe(true);
    expect(op.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['title'],
      additionalProperties: false,
    });
    expect(op.responses['201'].content['application/json'].schema).toMatchObject({
      properties: { id: { type: 'string' }, count: { type: 'integer' } },
    });
    expect(op.responses['409']['x-error-codes']).toEqual(['conflict']);
    // Codes every such route can answer, without being declared.
    expect(op.responses['400']['x-error-codes']).toEqual(
      expect.arrayContaining(['validation_failed', 'invalid_json']),
    );
    expect(op.responses['401']['x-error-codes']).toEqual(['unauthorized', 'token_expired']);
    expect(op.responses['500']['x-error-codes']).toEqual(['internal']);
    // An unknown code is left out (the integration test fails on it instead).
    expect(JSON.stringify(op.responses)).not.toContain('not_a_code');
    expect(op.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
  });

  it('marks optional bodies, empty answers and optional authentication', () => {
    const doc = buildOpenApiDocument(
      [
        spec({
          method: 'delete',
          path: '/v1/things/:id',
          auth: 'optional',
          body: z.strictObject({ reason: z.string().optional() }),
          status: 204,
        }),
      ],
      OPTIONS,
    );
    const op = doc.paths['/v1/things/{id}']!.delete as Json;
    expect(op.requestBody.required).toBe(false);
    expect(op.responses['204']).toEqual({ description: 'No content' });
    expect(op.security).toContainEqual({});
    // A path parameter without a params schema is still declared.
    expect(op.parameters).toContainEqual({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string' },
    });
  });

  it('moves named schemas to components and keeps distinct ones apart', () => {
    const itemA = z.object({ a: z.string() }).meta({ id: 'UnitItem' });
    const itemB = z.object({ b: z.number() }).meta({ id: 'UnitItem' });
    interface Tree {
      name: string;
      children: Tree[];
    }
    const tree: z.ZodType<Tree> = z.object({ name: z.string(), children: z.array(z.lazy(() => tree)) });
    const doc = buildOpenApiDocument(
      [
        spec({ method: 'get', path: '/v1/a', response: z.object({ one: itemA, two: itemA }) }),
        spec({ method: 'get', path: '/v1/b', response: z.object({ item: itemB }) }),
        spec({ method: 'get', path: '/v1/c', response: z.object({ again: itemA }) }),
        spec({ method: 'get', path: '/v1/tree', response: tree }),
      ],
      OPTIONS,
    );
    const schemaOf = (path: string) =>
      (doc.paths[path]!.get as Json).responses['200'].content['application/json'].schema;
    expect(schemaOf('/v1/a').properties.one).toEqual({ $ref: '#/components/schemas/UnitItem' });
    expect(schemaOf('/v1/c').properties.again).toEqual({ $ref: '#/components/schemas/UnitItem' });
    const other = schemaOf('/v1/b').properties.item.$ref as string;
    expect(other).not.toBe('#/components/schemas/UnitItem');
    const name = other.split('/').pop()!;
    expect(doc.components.schemas[name]).toMatchObject({ properties: { b: { type: 'number' } } });
    expect(doc.components.schemas.UnitItem).toMatchObject({ properties: { a: { type: 'string' } } });
    // A recursive schema refers to itself through a component, not through "#" (the document root).
    const treeSchema = schemaOf('/v1/tree');
    expect(JSON.stringify(treeSchema)).not.toContain('"#"');
    const text = JSON.stringify(doc);
    expect(text).not.toContain('#/$defs/');
    expect(text).not.toContain('"$ref":"#"');
  });

  it('names the route whose schema cannot be described', () => {
    const broken = z.string().refine(() => true);
    // Force a failure inside zod's converter.
    (broken as unknown as { _zod: { toJSONSchema: () => never } })._zod.toJSONSchema = () => {
      throw new Error('boom');
    };
    expect(() =>
      buildOpenApiDocument([spec({ method: 'post', path: '/v1/broken', body: broken })], OPTIONS),
    ).toThrow(/postBroken request body/);
  });
});
