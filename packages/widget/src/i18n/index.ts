/** Locales: English and Korean; anything else falls back to English. */
import { en, type Strings } from './en.js';
import { ko } from './ko.js';

export type Locale = 'en' | 'ko';
export type { Strings };

const tables: Record<Locale, Strings> = { en, ko };

/** The supported locale closest to `tag` (`ko-KR` → `ko`), English when none is. */
export function pickLocale(tag: string | undefined | null): Locale {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'ko' ? 'ko' : 'en';
}

export function strings(locale: Locale): Strings {
  return tables[locale];
}
