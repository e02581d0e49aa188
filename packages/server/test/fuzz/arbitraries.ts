/**
 * fast-check arbitraries for the fuzz suites: values a schema accepts (from the JSON Schema of the server's
 * OpenAPI document, which zod generates from the same schemas that validate requests), the same values
 * mutated (a field dropped, added or given a value of the wrong kind), and hostile values of every kind
 * (unicode edge cases, huge and deeply nested values, numbers JSON cannot carry, prototype keys).
 */
import fc from 'fast-check';

export type Json = Record<string, unknown>;

/** Strings that break naive code: control characters, lone surrogates, bidi marks, numbers in disguise. */
const EDGE_STRINGS = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\uD800',
  '\uDFFF',
  'x\uDC00y\uD83D',
  '\u202Eevil\u202C',
  '\u200F\u200E\u061C',
  '\u200B\u200C\u200D\u2060',
  '\uFEFF',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'Z̴̡̛̺̮̈́͊a̶̢̲̍l̷̪̈́g̵̱̈o̸͔̐',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '한'.normalize('NFD'),
  'ﷺ',
  '𝕳𝖊𝖑𝖑𝖔',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x1F',
  '0b101',
  '1_000',
  '+1',
  '01',
  '9'.repeat(40),
  '-9223372036854775809',
  '18446744073709551616',
  '1.5',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '%',
  '%E0%A4%A',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '$where',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  'st_',
  'st_' + 'A'.repeat(65),
  'Bearer',
  'javascript:alert(1)',
  'http://',
  'https://a.example/path?q=1#f',
  'null://x',
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** A hostile string: an edge case, random UTF-16, any unicode, or one of them repeated to a great length. */
export function nastyString(maxLength = 200_000): fc.Arbitrary<string> {
  const huge = fc
    .tuple(
      fc.constantFrom('x', '😀', '\u0000', 'e\u0301', '\uD800', '한'),
      fc.integer({ min: Math.min(1_000, maxLength), max: maxLength }),
    )
    .map(([unit, n]) => unit.repeat(Math.max(1, Math.floor(n / unit.length))));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: huge },
  );
}

/** Numbers that are not what a schema wants: negative, fractional, out of range, unsafe, non-finite. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 63,
    Number.MIN_VALUE,
    NaN,
    Infinity,
  ),
  fc.double(),
  fc.integer(),
);

/**
 * `[[[…]]]` or `{"a":{"a":…}}`, `depth` levels deep, built when sent (`jsonText`, `materialize`): fast-check
 * prints it by its size, which its recursive printer could not do with the value itself.
 */
export class Deep {
  readonly #depth: number;
  readonly #kind: 'array' | 'object';

  constructor(depth: number, kind: 'array' | 'object') {
    this.#depth = depth;
    this.#kind = kind;
  }

  /** The nested value itself. */
  value(): unknown {
    let value: unknown = 1;
    for (let i = 0; i < this.#depth; i += 1) value = this.#kind === 'array' ? [value] : { a: value };
    return value;
  }

  /** The JSON text, without recursion. */
  text(): string {
    const [open, close] = this.#kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return `${open.repeat(this.#depth)}1${close.repeat(this.#depth)}`;
  }

  [fc.toStringMethod](): string {
    return `Deep(${this.#kind}, ${this.#depth} levels)`;
  }
}

/**
 * `JSON.stringify(value)`, with each `Deep` written without recursion (`JSON.stringify` runs out of stack on
 * a few thousand levels).
 */
export function jsonText(value: unknown): string | undefined {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Deep)) return v;
    deep.push(v);
    return `\u0000deep:${deep.length - 1}\u0000`;
  });
  return text?.replace(/"\\u0000deep:(\d+)\\u0000"/g, (_, i: string) => deep[Number(i)]!.text());
}

/** `value` with each `Deep` in it replaced by the nested value it stands for. */
export function materialize(value: unknown): unknown {
  if (value instanceof Deep) return value.value();
  if (Array.isArray(value)) return value.map(materialize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: materialize(v),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}

/** Keys that target prototypes and common field names a handler might trust. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'id',
    'siteId',
    'roles',
    '',
  ),
  fc.string({ unit: codeUnit, maxLength: 12 }),
);

/** A hostile JSON-ish value of any type (`maxDepth` bounds the nesting of the deep ones). */
export function nastyValue(options: { maxDepth?: number; maxLength?: number } = {}): fc.Arbitrary<unknown> {
  const maxDepth = options.maxDepth ?? 5_000;
  const deep = fc
    .tuple(fc.integer({ min: 10, max: maxDepth }), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([depth, kind]) => new Deep(depth, kind));
  const pollutedObject = fc
    .tuple(nastyKey, fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`));
  return fc.oneof(
    nastyString(options.maxLength),
    nastyNumber,
    fc.constantFrom(null, true, false, [], {}, [null], { length: 1 }),
    fc.jsonValue({ maxDepth: 3 }),
    deep,
    pollutedObject,
  );
}

/** Values for named fields (ids of real rows, tokens that work), mixed into what the schemas generate. */
export type Hints = Record<string, () => fc.Arbitrary<unknown>>;

function resolveRef(doc: Json, ref: string): Json {
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const schema = name && (doc.components as { schemas: Record<string, Json> }).schemas[name];
  if (!schema) throw new Error(`fuzz: cannot resolve ${ref}`);
  return schema;
}

/**
 * An arbitrary of values `schema` (JSON Schema, as in the OpenAPI document `doc`) accepts, or nearly: string
 * lengths are capped and some constraints (`format`s, zod refinements with no JSON Schema form) are not
 * honoured, so the server's own validation still has work. A property named in `hints` also draws from there.
 */
export function fromSchema(schema: Json, doc: Json, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const own = schemaArbitrary(schema, doc, hints);
  const hint = name !== undefined && Object.hasOwn(hints, name) ? hints[name]!() : undefined;
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: own }) : own;
}

function schemaArbitrary(schema: Json, doc: Json, hints: Hints): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return fromSchema(resolveRef(doc, schema.$ref), doc, hints);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, doc, hints)));
  switch (schema.type) {
    case 'string': {
      const maxLength = Math.min((schema.maxLength as number | undefined) ?? 120, 2_000);
      const minLength = (schema.minLength as number | undefined) ?? 0;
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern as string))
          .filter((s) => s.length >= minLength && s.length <= maxLength);
      }
      return fc.string({
        unit: 'grapheme',
        minLength,
        maxLength: Math.max(minLength, Math.min(maxLength, 60)),
      });
    }
    case 'integer':
    case 'number': {
      const min = (schema.minimum as number | undefined) ?? -1_000_000;
      const max = (schema.maximum as number | undefined) ?? 1_000_000;
      return schema.type === 'integer'
        ? fc.integer({ min, max })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema((schema.items as Json | undefined) ?? {}, doc, hints), {
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required ?? []) as string[]);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) record[key] = fromSchema(value, doc, hints, key);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * `valid`, mutated in one of the ways clients get payloads wrong: a field dropped, an unknown (or
 * prototype-polluting) field added, a field given a hostile value, or the whole payload replaced.
 */
export function mutated(
  valid: fc.Arbitrary<unknown>,
  options: { maxDepth?: number; maxLength?: number } = {},
) {
  const nasty = nastyValue(options);
  const asObject = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
  const dropOne = fc.tuple(valid, fc.nat()).map(([v, i]) => {
    const o = asObject(v);
    const keys = Object.keys(o);
    if (keys.length > 0) delete o[keys[i % keys.length]!];
    return o;
  });
  const addOne = fc.tuple(valid, nastyKey, nasty).map(([v, key, value]) => {
    const o = asObject(v);
    // defineProperty, so `__proto__` becomes an own key, as JSON.parse makes it on the server.
    Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
    return o;
  });
  const replaceOne = fc.tuple(valid, fc.nat(), nasty).map(([v, i, value]) => {
    const o = asObject(v);
    const keys = Object.keys(o);
    if (keys.length > 0) o[keys[i % keys.length]!] = value;
    return o;
  });
  return fc.oneof(dropOne, addOne, replaceOne, nasty);
}

/** `valid` or `mutated(valid)`, half and half. */
export function payload(
  valid: fc.Arbitrary<unknown>,
  options: { maxDepth?: number; maxLength?: number } = {},
): fc.Arbitrary<unknown> {
  return fc.oneof(valid, mutated(valid, options));
}
