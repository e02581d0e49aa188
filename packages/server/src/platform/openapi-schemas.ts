/**
 * zod schemas as OpenAPI 3.1 components: `SchemaCollector` converts each route's schemas with zod's own
 * `z.toJSONSchema()` and gathers the named ones into `components.schemas` (used by openapi.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import { z, type ZodType } from 'zod';

/** A JSON object of the document. */
export type Json = Record<string, unknown>;

/**
 * Converts zod schemas and collects the named ones (`.meta({ id })`) into `components.schemas`. zod writes
 * named and recursive sub-schemas to a `$defs` block inside each result; those move to the components and
 * their `$ref`s are rewritten. Two different schemas claiming the same id get distinct names.
 */
export class SchemaCollector {
  readonly components: Record<string, Json> = {};
  // The raw (pre-rewrite) form each component was made from, to tell "same schema again" from a clash.
  private readonly raw = new Map<string, string>();

  convert(schema: ZodType, io: 'input' | 'output', hint: string): Json {
    let json: Json;
    try {
      json = z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        cycles: 'ref',
        reused: 'inline',
      }) as Json;
    } catch (error) {
      throw new Error(`OpenAPI: cannot describe the ${hint}: ${(error as Error).message}`, { cause: error });
    }
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;

    // A schema that refers to itself at the root becomes a component of its own.
    const rootRecursive = JSON.stringify(json).includes('"$ref":"#"');
    if (rootRecursive) defs['#'] = json;

    const names = new Map<string, string>();
    for (const [local, def] of Object.entries(defs)) {
      const base =
        local === '#'
          ? sanitize(hint)
          : local.startsWith('__')
            ? sanitize(`${hint}_${local}`)
            : sanitize(local);
      names.set(local, this.claim(base, def, io));
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value && typeof value === 'object') {
        const out: Json = {};
        for (const [k, v] of Object.entries(value)) {
          if (k === '$ref' && typeof v === 'string') {
            const local = v === '#' ? '#' : v.startsWith('#/$defs/') ? v.slice('#/$defs/'.length) : undefined;
            const name = local === undefined ? undefined : names.get(local);
            out[k] = name ? `#/components/schemas/${name}` : v;
          } else out[k] = rewrite(v);
        }
        return out;
      }
      return value;
    };
    for (const [local, def] of Object.entries(defs)) {
      const name = names.get(local)!;
      this.components[name] ??= rewrite(def) as Json;
    }
    return rootRecursive ? { $ref: `#/components/schemas/${names.get('#')}` } : (rewrite(json) as Json);
  }

  private claim(base: string, def: Json, io: 'input' | 'output'): string {
    const signature = JSON.stringify(def);
    const candidates = [base, `${base}${io === 'input' ? 'Input' : 'Output'}`];
    for (let i = 2; candidates.length < 100; i++) candidates.push(`${base}${i}`);
    for (const name of candidates) {
      const seen = this.raw.get(name);
      if (seen === undefined) {
        this.raw.set(name, signature);
        return name;
      }
      if (seen === signature) return name;
    }
    throw new Error(`OpenAPI: too many different schemas named ${base}`);
  }

  /** Adds a hand-written component (no zod schema). */
  add(name: string, schema: Json): void {
    if (this.components[name] && !isDeepStrictEqual(this.components[name], schema)) {
      throw new Error(`OpenAPI: component ${name} defined twice`);
    }
    this.components[name] = schema;
    this.raw.set(name, JSON.stringify(schema));
  }
}

/** A component name OpenAPI accepts: letters, digits, `.`, `_` and `-`. */
function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
