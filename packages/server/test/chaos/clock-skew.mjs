/**
 * Preloaded into a server node (`node --import`) to run it with a skewed wall clock: `Date.now()` and
 * `new Date()` are SYNCTALK_TEST_CLOCK_SKEW_MS milliseconds off (positive: ahead). Timers and
 * `performance.now()` are untouched, as on a machine whose clock is set wrong.
 */
import process from 'node:process';

const skew = Number(process.env.SYNCTALK_TEST_CLOCK_SKEW_MS ?? 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skew);
    else super(...args);
  }

  static now() {
    return RealDate.now() + skew;
  }
}

globalThis.Date = SkewedDate;
