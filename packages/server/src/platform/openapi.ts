/**
 * The OpenAPI 3.1 document, generated from the route declarations (`api.specs`) with zod's own
 * `z.toJSONSchema()`: paths, parameters, request bodies, responses, errors and security all come from the
 * same schemas that validate requests, so the document cannot drift from the server. Served at
 * `GET /v1/openapi.json`.
 *
 * JSON Schema 2020-12 is OpenAPI 3.1's own schema dialect, so zod's default target is used as is. Schemas
 * given an id with `.meta({ id })` become `components.schemas` entries referenced by `$ref`.
 */
import { z, type ZodType } from 'zod';
import { errorCodes, isErrorCode, type ErrorCode } from '@synctalk/sdk';
import serverPackage from '../../package.json' with { type: 'json' };
import type { Api, Method, RouteSpec } from './api.js';
import { SchemaCollector, type Json } from './openapi-schemas.js';

export const OPENAPI_VERSION = '3.1.1';
export const OPENAPI_PATH = '/v1/openapi.json';

// A type, not an interface: it is the `Record<string, unknown>` its route's response schema promises.
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string; license?: Json };
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Partial<Record<Method, Json>>>;
  components: {
    schemas: Record<string, Json>;
    parameters: Record<string, Json>;
    securitySchemes: Record<string, Json>;
  };
};

export interface OpenApiOptions {
  /** The name of the httpOnly access cookie sign-ins set (the `cookieAuth` scheme). */
  accessCookie: string;
  /** The public URL of the server, when known (PUBLIC_URL). */
  publicUrl?: string;
  /**
   * Whether `GET /metrics` is served on the public port, i.e. with METRICS_TOKEN (a metrics listener of its
   * own is not part of this API).
   */
  metrics?: boolean;
}

/** `/v1/rooms/:id` → `/v1/rooms/{id}` (named wildcards `*rest` likewise). */
export function toOpenApiPath(path: string): string {
  return path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');
}

/** The parameter names in a Koa path, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/[:*]([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
}

/** `get /v1/admin/sites/:publicId/rotate-secret` → `getAdminSitesByPublicIdRotateSecret`. */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .map((segment) => {
      const param = /^[:*](.+)$/.exec(segment);
      const name = (param ? `by-${param[1]}` : segment)
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('');
      return name;
    });
  return `${method.toLowerCase()}${words.join('')}`;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
};

/** Error codes every route of a kind can answer, besides the ones it declares. */
function impliedErrors(spec: Pick<RouteSpec, 'path' | 'auth' | 'body'>): ErrorCode[] {
  // validation_failed: bad params, query or body, or a body sent to a route that takes none.
  const codes: ErrorCode[] = ['validation_failed', 'internal'];
  if (spec.body) codes.push('invalid_json', 'unsupported_media_type', 'payload_too_large');
  if (spec.auth === 'required' || spec.auth === 'optional') codes.push('unauthorized', 'token_expired');
  if (spec.auth === 'apiKey') codes.push('unauthorized');
  if (spec.auth === 'siteAdmin') codes.push('unauthorized', 'token_expired', 'forbidden');
  // Under /v1: an Origin the site does not allow, or an unknown X-SyncTalk-Site.
  if (spec.path.startsWith('/v1/')) codes.push('origin_not_allowed', 'not_found');
  return codes;
}

const errorBodySchema: Json = {
  type: 'object',
  description: 'The shape of every error. `code` is stable and machine-readable; `message` is for humans.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(errorCodes) },
        message: { type: 'string' },
        details: { description: 'Per-code extra information, e.g. the list of validation issues.' },
      },
    },
  },
};

function errorResponses(codes: Iterable<string>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    // Unknown codes are left out here; the OpenAPI test fails on them so they get fixed at the route.
    if (!isErrorCode(code)) continue;
    const { status } = errorCodes[code];
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${errorCodes[c].description}`).join(' '),
      'x-error-codes': list,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  }
  return out;
}

function parametersFrom(
  collector: SchemaCollector,
  schema: ZodType | undefined,
  where: 'path' | 'query',
  hint: string,
): Json[] {
  if (!schema) return [];
  const json = collector.convert(schema, 'input', hint);
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** Accepts `{}`: then the body may be omitted (the route layer parses a missing body as `{}`). */
function acceptsEmpty(schema: ZodType): boolean {
  try {
    return schema.safeParse({}).success;
  } catch {
    return false;
  }
}

function operationFor(spec: RouteSpec, collector: SchemaCollector, operationId: string): Json {
  const hint = operationId;
  const parameters: Json[] = parametersFrom(collector, spec.params, 'path', `${hint} path parameters`);
  for (const name of pathParamNames(spec.path)) {
    if (!parameters.some((p) => p.name === name)) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  parameters.push(...parametersFrom(collector, spec.query, 'query', `${hint} query`));
  if (spec.path.startsWith('/v1/')) parameters.push({ $ref: '#/components/parameters/SiteHeader' });

  const status = spec.status ?? 200;
  const success: Json = { description: STATUS_TEXT[status] ?? 'Success' };
  if (status !== 204) {
    const schema = spec.response ? collector.convert(spec.response, 'output', `${hint} response`) : {};
    success.content = { 'application/json': { schema } };
  }

  const operation: Json = {
    operationId,
    summary: spec.summary,
    ...(spec.tags?.length ? { tags: spec.tags } : {}),
    ...(parameters.length ? { parameters } : {}),
  };
  if (spec.body) {
    operation.requestBody = {
      required: !acceptsEmpty(spec.body),
      content: {
        'application/json': { schema: collector.convert(spec.body, 'input', `${hint} request body`) },
      },
    };
  }
  operation.responses = {
    [String(status)]: success,
    // A handler that may answer nothing sends 204 then.
    ...(spec.emptyIsNoContent && status !== 204 ? { '204': { description: STATUS_TEXT[204] } } : {}),
    ...errorResponses([...(spec.errors ?? []), ...impliedErrors(spec)]),
  };
  if (spec.auth === 'required') operation.security = [{ bearerAuth: [] }, { cookieAuth: [] }];
  if (spec.auth === 'optional') operation.security = [{ bearerAuth: [] }, { cookieAuth: [] }, {}];
  if (spec.auth === 'apiKey') operation.security = [{ apiKeyAuth: [] }];
  if (spec.auth === 'siteAdmin') {
    operation.security = [{ bearerAuth: [] }, { cookieAuth: [] }, { apiKeyAuth: [] }];
  }
  return operation;
}

/** The routes outside the route declarations: health probes and the metrics scrape. */
function platformOperations(options: OpenApiOptions): Record<string, Partial<Record<Method, Json>>> {
  const text = (description: string) => ({
    description,
    content: { 'text/plain': { schema: { type: 'string' } } },
  });
  const paths: Record<string, Partial<Record<Method, Json>>> = {
    '/healthz': {
      get: {
        operationId: 'getHealthz',
        summary: 'Liveness: the process is up',
        tags: ['health'],
        responses: {
          '200': {
            description: 'Up',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] },
              },
            },
          },
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadyz',
        summary: 'Readiness: the database and Redis answer',
        tags: ['health'],
        responses: {
          '200': {
            description: 'Ready',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { status: { const: 'ready' } }, required: ['status'] },
              },
            },
          },
          ...errorResponses(['unavailable']),
        },
      },
    },
  };
  if (options.metrics) {
    paths['/metrics'] = {
      get: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['observability'],
        security: [{ metricsToken: [] }],
        responses: {
          '200': text('Metrics in the Prometheus text format'),
          ...errorResponses(['unauthorized']),
        },
      },
    };
  }
  return paths;
}

/** Builds the document from the route declarations. Throws naming the route whose schema cannot be described. */
export function buildOpenApiDocument(specs: readonly RouteSpec[], options: OpenApiOptions): OpenApiDocument {
  const collector = new SchemaCollector();
  collector.add('ErrorBody', errorBodySchema);

  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  const tags = new Set<string>();
  const add = (path: string, method: Method, operation: Json) => {
    const item = (paths[path] ??= {});
    // Koa runs the first declaration of a method and path; document that one.
    if (!item[method]) item[method] = operation;
  };

  for (const [path, item] of Object.entries(platformOperations(options))) {
    for (const [method, operation] of Object.entries(item) as [Method, Json][]) {
      operationIds.add(operation.operationId as string);
      for (const tag of (operation.tags ?? []) as string[]) tags.add(tag);
      add(path, method, operation);
    }
  }
  for (const spec of specs) {
    let operationId = operationIdFor(spec.method, spec.path);
    for (let i = 2; operationIds.has(operationId); i++)
      operationId = `${operationIdFor(spec.method, spec.path)}${i}`;
    operationIds.add(operationId);
    for (const tag of spec.tags ?? []) tags.add(tag);
    add(toOpenApiPath(spec.path), spec.method, operationFor(spec, collector, operationId));
  }

  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'SyncTalk',
      version: serverPackage.version,
      description:
        'The SyncTalk chat server API. Requests under /v1 belong to a site: name it with the X-SyncTalk-Site ' +
        'header (its public id); without it, the site of the access token, else the default site. Errors ' +
        'always have the shape of ErrorBody.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl.replace(/\/+$/, '') }] } : {}),
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: collector.components,
      parameters: {
        SiteHeader: {
          name: 'X-SyncTalk-Site',
          in: 'header',
          required: false,
          description:
            "The site (tenant) this request is for: the site's public id. Without it, the site of the access " +
            'token, else the default site.',
          schema: { type: 'string', pattern: '^st_[A-Za-z0-9]{1,64}$' },
        },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token of a sign-in.',
        },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: options.accessCookie,
          description: 'The httpOnly cookie every sign-in sets, for browsers on the same site.',
        },
        apiKeyAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'stk_…',
          description:
            "A site API key (`stk_…`, created by the site's admins with POST /v1/site/api-keys), for the " +
            "site's own backend. The request's site is the key's site.",
        },
        ...(options.metrics
          ? {
              metricsToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'METRICS_TOKEN, for GET /metrics.',
              },
            }
          : {}),
      },
    },
  };
}

/**
 * Declares `GET /v1/openapi.json`. Call it after the other routes: the document is built at once (so a
 * schema that cannot be described stops the start-up, naming the route), and rebuilt once should routes
 * be declared later.
 */
export function registerOpenApiRoute(api: Api, options: OpenApiOptions): void {
  let built: { count: number; document: OpenApiDocument } | undefined;
  const document = () => {
    if (built?.count !== api.specs.length) {
      built = { count: api.specs.length, document: buildOpenApiDocument(api.specs, options) };
    }
    return built.document;
  };
  api.route({
    method: 'get',
    path: OPENAPI_PATH,
    summary: 'This OpenAPI 3.1 document',
    tags: ['observability'],
    response: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }),
    errors: [],
    handler: () => document(),
  });
  document();
}
