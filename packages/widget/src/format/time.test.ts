import { describe, expect, it } from 'vitest';
import { strings } from '../i18n/index.js';
import { dayKey, dayLabel, timeLabel } from './time.js';

describe('day separators', () => {
  const now = new Date(2026, 11, 2, 10, 0);

  it('says today and yesterday in the locale', () => {
    expect(dayLabel(new Date(2026, 11, 2, 0, 5), now, 'en', strings('en'))).toBe('Today');
    expect(dayLabel(new Date(2026, 11, 1, 23, 59), now, 'en', strings('en'))).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 11, 1, 23, 59), now, 'ko', strings('ko'))).toBe('어제');
  });

  it('gives older days as dates, with the year only for other years', () => {
    const older = dayLabel(new Date(2026, 10, 20), now, 'en', strings('en'));
    expect(older).toContain('November');
    expect(older).not.toContain('2026');
    expect(dayLabel(new Date(2025, 10, 20), now, 'en', strings('en'))).toContain('2025');
  });

  it('keys days by the local calendar', () => {
    expect(dayKey(new Date(2026, 0, 1, 0, 0))).toBe(dayKey(new Date(2026, 0, 1, 23, 59)));
    expect(dayKey(new Date(2026, 0, 1))).not.toBe(dayKey(new Date(2026, 0, 2)));
  });

  it('formats times', () => {
    expect(timeLabel(new Date(2026, 0, 1, 14, 5), 'en')).toMatch(/2:05|14:05/);
  });
});
