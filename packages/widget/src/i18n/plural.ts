/**
 * Counted phrases through `Intl.PluralRules` and `Intl.NumberFormat`: each locale lists the forms its
 * language has (English `one`/`other`, Korean only `other`), and `#` stands for the number as the locale
 * writes it ("1,204 members").
 */

/** The forms of one phrase: `other` always, the rest as the language needs (`zero`, `one`, `two`, `few`, `many`). */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();
const numbers = new Map<string, Intl.NumberFormat>();

function cached<T>(map: Map<string, T>, locale: string, make: () => T): T {
  let value = map.get(locale);
  if (!value) map.set(locale, (value = make()));
  return value;
}

/** The form of `forms` that `n` takes in `locale`, with `#` replaced by the formatted number. */
export function plural(locale: string, n: number, forms: PluralForms): string {
  const rule = cached(rules, locale, () => new Intl.PluralRules(locale)).select(n);
  const form = forms[rule] ?? forms.other;
  return form.replace('#', cached(numbers, locale, () => new Intl.NumberFormat(locale)).format(n));
}
