/**
 * Dates and times as the widget shows them, all through `Intl` in the widget's locale: day separators
 * ("Today", "어제", "Mon, November 20"), times of day, full tooltips, and relative times for the room list
 * ("5m ago", "3일 전"). No month or weekday name is written by hand.
 */
import type { Locale } from '../i18n/index.js';

const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

/** One formatter per locale and style, made once: creating them costs far more than using them. */
function formatter<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}

function date(locale: Locale, options: Intl.DateTimeFormatOptions, at: Date): string {
  const key = `d${locale}${JSON.stringify(options)}`;
  return formatter(key, () => new Intl.DateTimeFormat(locale, options)).format(at);
}

function relative(locale: Locale, style: Intl.RelativeTimeFormatStyle): Intl.RelativeTimeFormat {
  return formatter(
    `r${locale}${style}`,
    () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style }),
  );
}

/** A calendar day in local time, `YYYY-M-D`: messages with the same key share a day separator. */
export function dayKey(at: Date): string {
  return `${at.getFullYear()}-${at.getMonth() + 1}-${at.getDate()}`;
}

/** Whole calendar days from `at` to `now` in local time (0: the same day, 1: yesterday). */
export function daysBetween(at: Date, now: Date): number {
  const start = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((start(now) - start(at)) / 86_400_000);
}

/** A date without the time: the year only when it is not this year's. */
function calendarDate(at: Date, now: Date, locale: Locale, weekday: boolean): string {
  return date(
    locale,
    {
      ...(weekday ? { weekday: 'short' } : {}),
      month: weekday ? 'long' : 'short',
      day: 'numeric',
      ...(at.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
    },
    at,
  );
}

/** Capitalizes the first letter as the locale does ("today" → "Today"; Hangul has no case). */
function sentence(text: string, locale: Locale): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** A day separator: "Today", "Yesterday", or the date. */
export function dayLabel(at: Date, now: Date, locale: Locale): string {
  const days = daysBetween(at, now);
  if (days === 0 || days === 1) return sentence(relative(locale, 'long').format(-days, 'day'), locale);
  return calendarDate(at, now, locale, true);
}

/** The time of day, e.g. "2:05 PM" or "오후 2:05". */
export function timeLabel(at: Date, locale: Locale): string {
  return date(locale, { hour: 'numeric', minute: '2-digit' }, at);
}

/** The full date and time, for a tooltip. */
export function fullLabel(at: Date, locale: Locale): string {
  return date(locale, { dateStyle: 'full', timeStyle: 'short' }, at);
}

/**
 * How long ago, compactly, for the room list: "now", "5m ago", "2h ago", "yesterday", "3d ago", then the
 * date ("Nov 20"). A time a little in the future (clock skew) counts as now.
 */
export function relativeLabel(at: Date, now: Date, locale: Locale): string {
  const seconds = (now.getTime() - at.getTime()) / 1000;
  const rtf = relative(locale, 'narrow');
  if (seconds < 45) return rtf.format(0, 'second');
  if (seconds < 3600) return rtf.format(-Math.max(1, Math.round(seconds / 60)), 'minute');
  const days = daysBetween(at, now);
  if (days === 0) return rtf.format(-Math.floor(seconds / 3600), 'hour');
  if (days < 7) return rtf.format(-days, 'day');
  return calendarDate(at, now, locale, false);
}
