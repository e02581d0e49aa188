/** All SQL about sites (tenants). */
import type { Database } from '../platform/database.js';

export interface Site {
  id: string;
  publicId: string;
  name: string;
  allowedOrigins: string[];
  isDefault: boolean;
  settings: SiteSettings;
  publicRoomCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Per-site switches; absent keys take the defaults in `siteSettingsDefaults`. */
export interface SiteSettings {
  /** When on, only users vouched for by the site's backend (site tokens) may chat. */
  verifiedOnly?: boolean;
  /** When on, `POST /v1/auth/guest` issues limited guest users. */
  guestsEnabled?: boolean;
  /** When on, `POST /v1/auth/signup` creates password accounts. */
  signupEnabled?: boolean;
}

export const siteSettingsDefaults: Required<SiteSettings> = {
  verifiedOnly: false,
  guestsEnabled: false,
  signupEnabled: true,
};

interface SiteRow {
  id: string;
  public_id: string;
  name: string;
  secret_enc: string;
  allowed_origins: string[];
  is_default: boolean;
  settings: SiteSettings;
  public_room_count: string;
  created_at: Date;
  updated_at: Date;
}

function toSite(row: SiteRow): Site {
  return {
    id: String(row.id),
    publicId: row.public_id,
    name: row.name,
    allowedOrigins: row.allowed_origins,
    isDefault: row.is_default,
    settings: { ...siteSettingsDefaults, ...row.settings },
    publicRoomCount: Number(row.public_room_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function sitesRepository(db: Database) {
  return {
    async findById(id: string): Promise<Site | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const row = await db<SiteRow>('sites').where({ id }).first();
      return row && toSite(row);
    },

    async findByPublicId(publicId: string): Promise<Site | undefined> {
      const row = await db<SiteRow>('sites').where({ public_id: publicId }).first();
      return row && toSite(row);
    },

    async findDefault(): Promise<Site | undefined> {
      const row = await db<SiteRow>('sites').where({ is_default: true }).first();
      return row && toSite(row);
    },

    async list(options: { limit: number; afterId?: string }): Promise<Site[]> {
      const q = db<SiteRow>('sites').orderBy('id', 'asc').limit(options.limit);
      if (options.afterId) q.where('id', '>', options.afterId);
      return (await q).map(toSite);
    },

    async create(input: {
      publicId: string;
      name: string;
      secretEnc: string;
      allowedOrigins: string[];
      isDefault?: boolean;
      settings?: SiteSettings;
    }): Promise<Site> {
      const [row] = await db<SiteRow>('sites')
        .insert({
          public_id: input.publicId,
          name: input.name,
          secret_enc: input.secretEnc,
          allowed_origins: input.allowedOrigins,
          is_default: input.isDefault ?? false,
          settings: input.settings ?? {},
        })
        .returning('*');
      return toSite(row as SiteRow);
    },

    /** Inserts the default site unless one exists (several nodes may race at first start). */
    async createDefaultIfMissing(input: {
      publicId: string;
      name: string;
      secretEnc: string;
      allowedOrigins: string[];
      settings?: SiteSettings;
    }): Promise<{ site: Site; created: boolean }> {
      const rows = await db.raw<{ rows: SiteRow[] }>(
        `INSERT INTO sites (public_id, name, secret_enc, allowed_origins, is_default, settings)
         VALUES (?, ?, ?, ?, true, ?::jsonb)
         ON CONFLICT (is_default) WHERE is_default DO NOTHING
         RETURNING *`,
        [
          input.publicId,
          input.name,
          input.secretEnc,
          input.allowedOrigins,
          JSON.stringify(input.settings ?? {}),
        ],
      );
      if (rows.rows[0]) return { site: toSite(rows.rows[0]), created: true };
      const existing = await db<SiteRow>('sites').where({ is_default: true }).first();
      return { site: toSite(existing!), created: false };
    },

    async update(
      id: string,
      patch: { name?: string; allowedOrigins?: string[]; settings?: SiteSettings },
    ): Promise<Site | undefined> {
      const values: Record<string, unknown> = { updated_at: db.fn.now() };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.allowedOrigins !== undefined) values.allowed_origins = patch.allowedOrigins;
      if (patch.settings !== undefined) {
        values.settings = db.raw('settings || ?::jsonb', [JSON.stringify(patch.settings)]);
      }
      const [row] = await db<SiteRow>('sites').where({ id }).update(values).returning('*');
      return row && toSite(row as SiteRow);
    },

    async setSecret(id: string, secretEnc: string): Promise<boolean> {
      const n = await db('sites').where({ id }).update({ secret_enc: secretEnc, updated_at: db.fn.now() });
      return n > 0;
    },

    async secretOf(id: string): Promise<string | undefined> {
      const row = await db<SiteRow>('sites').where({ id }).first('secret_enc');
      return row?.secret_enc;
    },

    /** Every origin any site allows: answers CORS preflights, which do not say which site they are for. */
    async allOrigins(): Promise<string[]> {
      const rows = await db.raw<{ rows: { origin: string }[] }>(
        'SELECT DISTINCT unnest(allowed_origins) AS origin FROM sites',
      );
      return rows.rows.map((r) => r.origin);
    },

    /** Whether any site allows `origin` (answers a CORS preflight, which does not name its site). */
    async anySiteAllows(origin: string): Promise<boolean> {
      const rows = await db.raw<{ rows: unknown[] }>(
        'SELECT 1 FROM sites WHERE ? = ANY (allowed_origins) LIMIT 1',
        [origin],
      );
      return rows.rows.length > 0;
    },
  };
}

export type SitesRepository = ReturnType<typeof sitesRepository>;
