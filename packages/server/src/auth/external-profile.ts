/**
 * Cleaning what identity providers and site backends say about a user before it is shown to others: names
 * are made single-line, visible and bounded (never refused: a provider's odd nickname must not block a
 * sign-in), avatars are kept only as https URLs.
 */
import { codePoints, DISPLAY_NAME_MAX } from '@synctalk/sdk/schemas';

// Control characters become spaces; bidi overrides and invisible characters (not the joiner emoji need)
// are dropped: they have no place in a name shown to others.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;
const INVISIBLE = /[\u200B\u200C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** A provider-supplied name made safe to show: normalised, single-line, bounded; undefined if nothing is left. */
export function cleanDisplayName(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const cleaned = value
    .normalize('NFC')
    .replace(CONTROLS, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return undefined;
  return codePoints(cleaned) <= DISPLAY_NAME_MAX
    ? cleaned
    : [...cleaned].slice(0, DISPLAY_NAME_MAX).join('').trim();
}

/** An https URL without credentials, at most 2048 characters; anything else is dropped. */
export function httpsUrl(value: string | null | undefined): string | null {
  if (!value || value.length > 2048) return null;
  try {
    const u = new URL(value);
    const href = u.toString();
    return u.protocol === 'https:' && !u.username && !u.password && href.length <= 2048 ? href : null;
  } catch {
    return null;
  }
}
