/**
 * The server suite's probes (PostgreSQL, Redis Cluster) plus Chromium. With SYNCTALK_REQUIRE_SERVICES=1 a
 * missing one fails the run; otherwise the browser suites are skipped with the reason in their name.
 */
import type { TestProject } from 'vitest/node';
import serviceSetup from '../../../server/test/global-setup.js';
import { testEnv } from '../../../server/test/helpers/env.js';
import { CHROMIUM_PATH, launchBrowser } from './helpers/browser.js';

export interface ChromiumStatus {
  ok: boolean;
  reason: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumStatus;
  }
}

async function probeChromium(): Promise<ChromiumStatus> {
  try {
    const browser = await launchBrowser();
    await browser.close();
    return { ok: true, reason: '' };
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    return { ok: false, reason: `Chromium cannot start from ${CHROMIUM_PATH} (${first})` };
  }
}

export default async function setup(project: TestProject) {
  await serviceSetup(project);
  const chromium = await probeChromium();
  if (!chromium.ok) {
    if (testEnv.requireServices) throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but ${chromium.reason}`);
    console.warn(`\n[synctalk] browser tests will be skipped:\n  ${chromium.reason}\n`);
  }
  project.provide('chromium', chromium);
}
