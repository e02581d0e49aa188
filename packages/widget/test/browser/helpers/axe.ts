/**
 * Accessibility checks with axe-core, run in the page on the widget alone (its host element and the open
 * shadow root under it; the host page's own markup is not the widget's concern).
 *
 * ```ts
 * expect(await seriousViolations(page)).toEqual([]);
 * ```
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, ElementContext, ImpactValue, RunOptions } from 'axe-core';

type AxeRun = (context: ElementContext, options: RunOptions) => Promise<AxeResults>;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts a test refuses: what keeps a visitor from reading or operating the widget. */
const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

/** One failing rule on one element, in words that say what to fix. */
export interface AxeViolation {
  rule: string;
  impact: ImpactValue;
  /** The element's selector; `a >> b` crosses a shadow root. */
  target: string;
  /** What axe found wrong there (e.g. the measured contrast and the colours). */
  summary: string;
  help: string;
}

/**
 * Injects axe-core into `page` (once, evaluated through the DevTools protocol rather than a script tag of
 * the host page) and runs every rule on `selector`'s element and its shadow tree. Returns the serious and
 * critical violations as readable lines, `rule [impact] target: help. what failed`.
 */
export async function seriousViolations(page: Page, selector = 'synctalk-chat'): Promise<string[]> {
  return (await axeViolations(page, selector))
    .filter((v) => BLOCKING.includes(v.impact))
    .map(formatViolation);
}

/** Every axe violation on `selector`'s element and its shadow tree, one entry per element. */
export async function axeViolations(page: Page, selector = 'synctalk-chat'): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  // Flattened in the page: only plain strings cross back (axe's full results are large and deeply typed).
  return page.evaluate(async (scope): Promise<AxeViolation[]> => {
    const { axe } = window as unknown as { axe: { run: AxeRun } };
    const results = await axe.run({ include: [[scope]] }, { resultTypes: ['violations'] });
    return results.violations.flatMap((rule) =>
      rule.nodes.map((node) => ({
        rule: rule.id,
        impact: node.impact ?? rule.impact ?? 'minor',
        target: node.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' | '),
        summary: (node.failureSummary ?? '').replace(/\s*\n\s*/g, ' ').trim(),
        help: rule.help,
      })),
    );
  }, selector);
}

export function formatViolation(v: AxeViolation): string {
  return `${v.rule} [${v.impact}] ${v.target}: ${v.help}. ${v.summary}`;
}
