/**
 * Routes are declared once, with their zod schemas: the same declaration validates the request, registers the
 * Koa route and feeds the OpenAPI document. Handlers receive parsed input and return the response body.
 *
 * ```ts
 * api.route({
 *   method: 'post', path: '/v1/rooms', summary: 'Create a room', auth: 'required',
 *   body: createRoomBody, status: 201,
 *   handler: async (ctx, { body }) => rooms.create(ctx.state.user, body),
 * });
 * ```
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { z } from 'zod';
import { type ZodType } from 'zod';
import { AppError } from './errors.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** How a route authenticates (see `RouteSpec.auth`). */
export type RouteAuth = 'required' | 'optional' | 'none' | 'apiKey' | 'siteAdmin';

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/**
 * What a handler answers. With a response schema: its **output** type. The server never parses its own
 * answers, so the handler's value goes on the wire as it is; it must therefore already be the shape the
 * schema describes after parsing, which is what the OpenAPI document (`io: 'output'`) and the SDK's types
 * (`z.output`) promise clients. (For the plain response schemas input and output are the same; they differ
 * only where a schema transforms or defaults, and then the output is what a client actually receives.)
 * Without a response schema (status 204, or a route that answers by itself: a page, a redirect): nothing.
 * With `emptyIsNoContent`, `undefined` as well (sent as 204).
 */
export type RouteReply<R extends ZodType | undefined, E extends boolean = false> = R extends ZodType
  ? z.output<R> | (E extends true ? undefined : never)
  : void;

export interface RouteSpec<
  B = unknown,
  Q = unknown,
  P = unknown,
  R extends ZodType | undefined = ZodType | undefined,
  E extends boolean = boolean,
> {
  method: Method;
  /** Koa-router path, e.g. `/v1/rooms/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  /**
   * `required`: a valid access token; `optional`: parsed when present; `none` (default): public.
   * `apiKey`: a site API key only (the request's site becomes the key's; see server-api/api-key-auth.ts);
   * `siteAdmin`: a site admin's access token or the site's API key.
   */
  auth?: RouteAuth;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  /**
   * Response body schema: the document's success response, and the type the handler must return. Routes
   * without one send no body of the wrapper's (status 204, or the handler answered by itself).
   */
  response?: R;
  /**
   * With `response`: the handler may also answer `undefined`, which is sent as 204 No Content (and documented
   * as a second success response).
   */
  emptyIsNoContent?: E;
  /** Success status (default 200; 204 sends no body). */
  status?: number;
  /** Error codes this route may answer with, for the document. */
  errors?: string[];
  /** Extra middleware run after authentication and before validation (e.g. `requireRole`). */
  before?: Koa.Middleware[];
  handler: (ctx: Koa.Context, input: RouteInput<B, Q, P>) => Promise<RouteReply<R, E>> | RouteReply<R, E>;
}

/** Formats zod issues as `details` and a one-line message naming the first problem. */
export function validationError(where: 'body' | 'query' | 'params' | 'payload', error: z.ZodError): AppError {
  const details = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
  const first = details[0]!;
  const at = first.path ? `${where}.${first.path}` : where;
  return new AppError('validation_failed', `Invalid ${at}: ${first.message}`, details);
}

/** Parses `value` with `schema`, or throws `validation_failed` naming `where` the first problem is. */
export function parseOrThrow<S extends ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params' | 'payload',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

export interface ApiOptions {
  /** Middleware that requires a valid token and sets `ctx.state.user`. */
  requireAuth: Koa.Middleware;
  /** Middleware that sets `ctx.state.user` when a valid token is present and passes otherwise. */
  optionalAuth: Koa.Middleware;
  /** Middleware that requires a site API key and sets `ctx.state.site` and `ctx.state.apiKey`. */
  requireApiKey?: Koa.Middleware;
  /** Middleware that requires a site admin's access token or the site's API key. */
  requireSiteAdmin?: Koa.Middleware;
}

export class Api {
  readonly router = new Router();
  readonly specs: RouteSpec[] = [];

  constructor(private readonly options: ApiOptions) {}

  route<B, Q, P, R extends ZodType | undefined = undefined, E extends boolean = false>(
    spec: RouteSpec<B, Q, P, R, E>,
  ): void {
    this.specs.push(spec as RouteSpec);
    const middleware: Koa.Middleware[] = [];
    if (spec.auth === 'required') middleware.push(this.options.requireAuth);
    if (spec.auth === 'optional') middleware.push(this.options.optionalAuth);
    if (spec.auth === 'apiKey' || spec.auth === 'siteAdmin') {
      const auth = spec.auth === 'apiKey' ? this.options.requireApiKey : this.options.requireSiteAdmin;
      if (!auth) throw new Error(`${spec.method} ${spec.path}: auth '${spec.auth}' is not configured`);
      middleware.push(auth);
    }
    middleware.push(...(spec.before ?? []));
    middleware.push(async (ctx) => {
      const input = {
        params: spec.params ? parseOrThrow(spec.params, ctx.params, 'params') : (ctx.params as P),
        query: spec.query ? parseOrThrow(spec.query, { ...ctx.query }, 'query') : (ctx.query as Q),
        body: spec.body ? parseOrThrow(spec.body, ctx.request.body ?? {}, 'body') : (undefined as B),
      };
      if (
        !spec.body &&
        ctx.request.body !== undefined &&
        Object.keys(ctx.request.body as object).length > 0
      ) {
        throw new AppError('validation_failed', 'This route takes no body');
      }
      const result = await spec.handler(ctx, input);
      ctx.status = spec.status ?? 200;
      // Without a response schema the handler answered by itself (a page, a redirect) or not at all.
      if (ctx.status !== 204 && spec.response) ctx.body = result;
    });
    this.router[spec.method](spec.path, ...(middleware as unknown as Parameters<Router['use']>));
  }

  /**
   * Koa middleware: the routes, plus 405 for a known path with another method. Not `throw: true`: the thrown
   * error would lack the `Allow` header; the HTTP layer turns the bare 405 into the JSON error shape.
   */
  middleware(): Koa.Middleware[] {
    return [this.router.routes(), this.router.allowedMethods()] as unknown as Koa.Middleware[];
  }
}
