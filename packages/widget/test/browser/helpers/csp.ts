/**
 * Content-Security-Policy helpers: a strict policy for a host page that embeds the chat, and a recorder of
 * `securitypolicyviolation` events installed with `page.addInitScript` (not subject to the page's policy,
 * and in place before any page script runs).
 */
import type { Page } from 'playwright-core';

/**
 * Nothing but what embedding the chat needs: scripts from the page and the chat server, its API and its
 * socket (`wss://` for an https chat server, `ws://` for an http one), styles and images from the page only.
 *
 * `default-src 'none'; script-src 'self' CHAT; style-src 'self'; connect-src CHAT wss://CHAT; img-src 'self' data:`
 */
export function strictPolicy(chatUrl: string): string {
  const chat = new URL(chatUrl);
  const socket = chat.protocol === 'https:' ? 'wss:' : 'ws:';
  return [
    "default-src 'none'",
    `script-src 'self' ${chat.origin}`,
    "style-src 'self'",
    `connect-src ${chat.origin} ${socket}//${chat.host}`,
    "img-src 'self' data:",
  ].join('; ');
}

/**
 * `policy` with Trusted Types: `require` makes script sinks (`innerHTML`, …) take trusted values only, and
 * `names` (`trusted-types …`) are the only policies the page may create (`'none'`: none at all).
 */
export function withTrustedTypes(policy: string, options: { require: boolean; names?: string[] }): string {
  return [
    policy,
    ...(options.require ? ["require-trusted-types-for 'script'"] : []),
    ...(options.names ? [`trusted-types ${options.names.join(' ')}`] : []),
  ].join('; ');
}

export interface Violation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}

export async function recordViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const seen: unknown[] = [];
    (window as unknown as { __cspViolations: unknown[] }).__cspViolations = seen;
    window.addEventListener(
      'securitypolicyviolation',
      (e) =>
        seen.push({
          directive: e.effectiveDirective,
          blocked: e.blockedURI,
          source: `${e.sourceFile}:${e.lineNumber}`,
          sample: e.sample,
        }),
      true,
    );
  });
  return () => page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);
}
