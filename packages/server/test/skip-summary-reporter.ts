/**
 * Ends the run with one line per reason tests were skipped, e.g.
 * `[synctalk] skipped: 31 tests needing the Redis Cluster (not reachable at ...; redis-server is not installed)`,
 * so a green run that did not run everything says so where it is read. The reason comes from the suite's
 * name (`[skipped: ...]`, see helpers/services.ts).
 */
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

const SKIPPED = /\[skipped: (.*)\]$/s;

function skipReason(test: TestCase): string | undefined {
  for (let p: TestSuite | TestModule = test.parent; p.type === 'suite'; p = p.parent) {
    const m = SKIPPED.exec(p.name);
    if (m) return m[1];
  }
  return SKIPPED.exec(test.name)?.[1];
}

/** `needs X: why; needs Y: why2` reads `needing X (why) and Y (why2)`; any other reason as it is. */
function describeReason(reason: string): string {
  const needs = reason.split(/; (?=needs )/).map((part) => /^needs (.+?): (.*)$/s.exec(part));
  if (needs.every((m) => m !== null)) {
    return `needing ${needs.map((m) => `${m![1]} (${m![2]})`).join(' and ')}`;
  }
  return `(${reason})`;
}

export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const reason = skipReason(test);
        if (reason !== undefined) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
    }
    for (const [reason, count] of byReason) {
      console.log(`[synctalk] skipped: ${count} test${count === 1 ? '' : 's'} ${describeReason(reason)}`);
    }
  }
}
