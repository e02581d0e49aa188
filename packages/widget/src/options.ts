/**
 * Widget options: from `SyncTalk('init', {...})`, the script tag's `data-*` attributes, or the element's
 * attributes (all strings there). `resolveOptions` validates them and fills in defaults; a bad option is an
 * `OptionsError` naming it.
 */
import { pickLocale, type Locale } from './i18n/index.js';

export type Theme = 'light' | 'dark' | 'auto';
export type Position = 'bottom-right' | 'bottom-left';
export type StorageKind = 'local' | 'session' | 'memory';

/** What a host may pass. Every field is optional. */
export interface WidgetOptions {
  /** The site's public id (`st_…`); the server's default site when omitted. */
  site?: string;
  /** The chat server's URL; default: the origin `widget.js` was loaded from. */
  server?: string;
  /** One fixed room, by id or join code; without it the widget shows the room list. */
  room?: string;
  /** `en` or `ko`; default: the browser's language. */
  locale?: string;
  /** `light`, `dark`, or `auto` (the system's preference; default). */
  theme?: Theme;
  /** Where the floating launcher sits: `bottom-right` (default) or `bottom-left`. */
  position?: Position;
  /** The floating widget's z-index (default 2147483000). */
  zIndex?: number | string;
  /** `false` hides the floating launcher (open the chat with `SyncTalk('open')` from your own button). */
  launcher?: boolean | string;
  /** A CSS selector or an element: the chat renders inline in it instead of floating. */
  target?: string | Element;
  /** Where the session is kept: `local` (default: survives reloads, shared by tabs), `session` (per tab), `memory`. */
  storage?: StorageKind;
}

export interface ResolvedOptions {
  site: string | undefined;
  server: string;
  /** A room id (digits) or a normalized join code. */
  room: { id: string } | { code: string } | undefined;
  locale: Locale;
  theme: Theme;
  position: Position;
  zIndex: number;
  launcher: boolean;
  target: string | Element | undefined;
  storage: StorageKind;
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

export const DEFAULT_Z_INDEX = 2147483000;

const bad = (name: string, rule: string, value?: unknown): never => {
  throw new OptionsError(
    `${name} must be ${rule}${value === undefined ? '' : ` (got ${String(value).slice(0, 60)})`}`,
  );
};

const blank = (value: unknown) => value === undefined || value === null || value === '';

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (blank(value)) return allowed[0]!;
  return (allowed as readonly unknown[]).includes(value)
    ? (value as T)
    : bad(name, `one of ${allowed.join(', ')}`, value);
}

/** A room option: `42` (an id) or a join code (`ABCD-2345`; case, spaces and dashes ignored). */
export function parseRoom(value: unknown): ResolvedOptions['room'] {
  if (blank(value)) return undefined;
  const text = String(value).trim();
  if (/^[1-9]\d{0,18}$/.test(text)) return { id: text };
  const code = text.replace(/[\s-]/g, '').toUpperCase();
  return /^[2-9A-HJKMNP-TV-Z]{8}$/.test(code)
    ? { code }
    : bad('room', 'a room id or an 8-character join code', text);
}

/** The server URL without a trailing slash; http(s) only. */
export function parseServer(value: unknown): string {
  if (blank(value)) return bad('server', 'given (the chat server URL)');
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol)) return bad('server', 'an http(s) URL', value);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * Validates `input` and fills in defaults. `defaults.server` is where the script came from;
 * `defaults.language` the browser's language.
 */
export function resolveOptions(
  input: WidgetOptions,
  defaults: { server?: string; language?: string },
): ResolvedOptions {
  if (typeof input !== 'object' || input === null) bad('options', 'an object');
  const { site, zIndex, launcher, target } = input;
  if (!blank(site) && !/^st_[A-Za-z0-9]{1,64}$/.test(String(site)))
    bad('site', 'a site public id like st_AbC123', site);
  const z = blank(zIndex) ? DEFAULT_Z_INDEX : Number(zIndex);
  if (!Number.isInteger(z) || z < 0 || z > 2147483647)
    bad('zIndex', 'a whole number from 0 to 2147483647', zIndex);
  if (!blank(launcher) && !['true', 'false'].includes(String(launcher)))
    bad('launcher', 'true or false', launcher);
  if (!blank(target) && typeof target !== 'string' && !(target instanceof Element))
    bad('target', 'a CSS selector or an element');
  return {
    site: blank(site) ? undefined : site,
    server: parseServer(input.server ?? defaults.server),
    room: parseRoom(input.room),
    locale: pickLocale(blank(input.locale) ? defaults.language : String(input.locale)),
    theme: oneOf('theme', input.theme, ['auto', 'light', 'dark'] as const),
    position: oneOf('position', input.position, ['bottom-right', 'bottom-left'] as const),
    zIndex: z,
    launcher: String(launcher) !== 'false',
    target: blank(target) ? undefined : target,
    storage: oneOf('storage', input.storage, ['local', 'session', 'memory'] as const),
  };
}

/** The options that can be given as attributes (`zIndex` as `z-index`, `data-z-index`). */
export const OPTION_NAMES = [
  'site',
  'server',
  'room',
  'locale',
  'theme',
  'position',
  'zIndex',
  'launcher',
  'target',
  'storage',
] as const;

/** Options from `data-*` attributes (`data-z-index` → `zIndex`); absent ones are left out. */
export function optionsFromDataset(data: DOMStringMap): WidgetOptions {
  return Object.fromEntries(
    OPTION_NAMES.filter((name) => data[name] !== undefined).map((name) => [name, data[name]]),
  );
}
