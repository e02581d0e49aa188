/** Dates and times as the message list shows them, through `Intl` in the widget's locale. */
import type { Locale, Strings } from '../i18n/index.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale and style, made once: creating them costs far more than using them. */
function format(locale: Locale, options: Intl.DateTimeFormatOptions, date: Date): string {
  const key = locale + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f.format(date);
}

/** A calendar day in local time, `YYYY-M-D`: messages with the same key share a day separator. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** "Today", "Yesterday", or the date (with the year only when it is not this year's). */
export function dayLabel(date: Date, now: Date, locale: Locale, t: Strings): string {
  const start = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((start(now) - start(date)) / 86_400_000);
  if (days === 0) return t.today;
  if (days === 1) return t.yesterday;
  return format(
    locale,
    {
      weekday: 'short',
      month: 'long',
      day: 'numeric',
      ...(date.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
    },
    date,
  );
}

/** The time of day, e.g. "14:05" or "오후 2:05". */
export function timeLabel(date: Date, locale: Locale): string {
  return format(locale, { hour: 'numeric', minute: '2-digit' }, date);
}

/** The full date and time, for a tooltip. */
export function fullLabel(date: Date, locale: Locale): string {
  return format(locale, { dateStyle: 'full', timeStyle: 'short' }, date);
}
