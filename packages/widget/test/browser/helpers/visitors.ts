/**
 * One Chromium per test file; each visitor is a fresh browser context (own storage, own cookies). Contexts
 * close after every test; a failed test leaves a screenshot of each of its pages (`failed-<test>-<n>.png`).
 *
 * ```ts
 * const visitors = useVisitors();
 * const page = await visitors.page();
 * ```
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { screenshot } from './artifacts.js';
import { launchBrowser, newVisitor } from './browser.js';

export interface Visitors {
  /** A new visitor's page. */
  page(options?: BrowserContextOptions): Promise<Page>;
  /** Messages the pages logged as errors, and uncaught page errors, since the test started. */
  readonly pageErrors: string[];
}

export function useVisitors(): Visitors {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const pages = contexts.flatMap((c) => c.pages());
      for (const [i, p] of pages.entries()) {
        await screenshot(p, `failed-${task.name}-${i + 1}`).catch(() => undefined);
      }
    }
    await Promise.allSettled(contexts.map((c) => c.close()));
    contexts = [];
    pageErrors.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    pageErrors,
    async page(options) {
      if (!browser) throw new Error('the browser is not running (useVisitors() belongs at suite level)');
      const context = await newVisitor(browser, options);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
      });
      return page;
    },
  };
}
