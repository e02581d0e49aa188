/** Screenshots land in test/browser/artifacts/ (git-ignored), named for what they show. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return `${ARTIFACTS_DIR}${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`;
}

/** Saves a screenshot of the page (or of one element) as `artifacts/<name>.png`; returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  const path = artifactPath(name);
  // Park the pointer so no hover state (message actions) shows in the picture.
  if ('mouse' in target) await target.mouse.move(0, 0);
  await target.screenshot({ path, animations: 'disabled', timeout: 15_000 });
  return path;
}
