/**
 * zod building blocks shared by every domain's schemas. Text is NFC-normalised, may not contain NUL or
 * other control characters (PostgreSQL cannot store NUL in text, and they have no place in a chat UI), and
 * lengths count characters as people see them (code points), not UTF-16 units.
 */
import { z } from 'zod';

// C0 controls except tab/newline/carriage return, DEL, and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * The length of `s` in code points (what people see as characters, mostly), not UTF-16 units.
 *
 * @example
 * ```ts
 * codePoints('👍'); // 1 ('👍'.length is 2)
 * ```
 */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/**
 * The options of `text()`.
 *
 * @example
 * ```ts
 * const options: TextOptions = { min: 0, max: 2000, multiline: true };
 * const description = text(options);
 * ```
 */
export interface TextOptions {
  min?: number;
  max: number;
  /** Allow newlines and tabs (message bodies, descriptions). Default false. */
  multiline?: boolean;
  /** Trim surrounding whitespace first. Default true. */
  trim?: boolean;
}

/**
 * A user-supplied string: normalised, control-free, length-checked in code points.
 *
 * @example
 * ```ts
 * const title = text({ max: 100 });
 * title.parse('  Lobby '); // 'Lobby'
 * ```
 */
export function text(options: TextOptions) {
  const { min = 1, max, multiline = false, trim = true } = options;
  return z
    .string()
    .transform((s) => (trim ? s.trim() : s).normalize('NFC'))
    .superRefine((s, ctx) => {
      if (CONTROL.test(s)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
      else if (!multiline && /[\t\n\r]/.test(s))
        ctx.addIssue({ code: 'custom', message: 'must be a single line' });
      const n = codePoints(s);
      if (n < min)
        ctx.addIssue({
          code: 'custom',
          message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
        });
      if (n > max) ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
    });
}

/** Ids are positive 64-bit integers written as decimal strings (no leading zero). */
const ID_PATTERN = /^[1-9]\d{0,17}$/;

/**
 * A numeric id in a path or body (bigint as a decimal string).
 *
 * @example
 * ```ts
 * id.parse('42'); // '42'
 * ```
 */
export const id = z.string().regex(ID_PATTERN, 'must be a numeric id');

/**
 * Whether `value` is an id as {@link id} accepts it (a positive bigint as a decimal string): for code that
 * checks an id without a schema, e.g. before a query.
 *
 * @example
 * ```ts
 * isId('42'); // true
 * isId('042'); // false
 * ```
 */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * An integer from a query string, bounded; with `default`, the parameter may be omitted.
 *
 * @example
 * ```ts
 * queryInt({ min: 1, max: 100, default: 20 }).parse(undefined); // 20
 * ```
 */
export function queryInt(options: { min: number; max: number; default?: number }) {
  const base = z
    .string()
    .regex(/^-?\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(options.min).max(options.max));
  return options.default === undefined ? base : base.optional().transform((v) => v ?? options.default!);
}

/**
 * An http(s) URL, at most 2048 characters (avatars, links).
 *
 * @example
 * ```ts
 * httpUrl.safeParse('javascript:alert(1)').success; // false
 * ```
 */
export const httpUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  // The URL parser silently drops or encodes some control characters; refuse them outright.
  .refine((v) => !CONTROL.test(v) && !/\s/.test(v), 'must not contain whitespace or control characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

/**
 * Whether `value` is exactly a browser origin: http(s) scheme, host and optional port, nothing else (no path,
 * query, credentials or trailing slash; lower-case host and default ports omitted, as browsers send it). The
 * server's CORS_ORIGINS and site origins (`/v1/admin/sites`) use the same rule.
 *
 * @example
 * ```ts
 * isOrigin('https://example.com'); // true
 * isOrigin('https://example.com/'); // false
 * ```
 */
export function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value;
  } catch {
    return false;
  }
}

/**
 * A site's public id: `st_` + letters and digits (what `X-SyncTalk-Site` carries).
 *
 * @example
 * ```ts
 * PUBLIC_ID.test('st_AbC123'); // true
 * ```
 */
export const PUBLIC_ID = /^st_[A-Za-z0-9]{1,64}$/;

/**
 * An ISO 8601 time as the API sends it (a string).
 *
 * @example
 * ```ts
 * isoDate.parse(new Date().toISOString());
 * ```
 */
export const isoDate = z.string();
