import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, daysBetween, relativeLabel, timeLabel } from './time.js';

describe('day separators', () => {
  const now = new Date(2026, 11, 2, 10, 0);

  it('says today and yesterday in the locale', () => {
    expect(dayLabel(new Date(2026, 11, 2, 0, 5), now, 'en')).toBe('Today');
    expect(dayLabel(new Date(2026, 11, 1, 23, 59), now, 'en')).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 11, 2, 0, 5), now, 'ko')).toBe('오늘');
    expect(dayLabel(new Date(2026, 11, 1, 23, 59), now, 'ko')).toBe('어제');
  });

  it('gives older days as dates, with the year only for other years', () => {
    const older = dayLabel(new Date(2026, 10, 20), now, 'en');
    expect(older).toContain('November');
    expect(older).not.toContain('2026');
    expect(dayLabel(new Date(2025, 10, 20), now, 'en')).toContain('2025');
    expect(dayLabel(new Date(2026, 10, 20), now, 'ko')).toContain('11월 20일');
  });

  it('keys days by the local calendar', () => {
    expect(dayKey(new Date(2026, 0, 1, 0, 0))).toBe(dayKey(new Date(2026, 0, 1, 23, 59)));
    expect(dayKey(new Date(2026, 0, 1))).not.toBe(dayKey(new Date(2026, 0, 2)));
  });

  it('counts calendar days, not 24-hour spans', () => {
    expect(daysBetween(new Date(2026, 11, 1, 23, 59), new Date(2026, 11, 2, 0, 1))).toBe(1);
    expect(daysBetween(new Date(2026, 11, 2, 0, 1), new Date(2026, 11, 2, 23, 59))).toBe(0);
    // Across a month and a year end.
    expect(daysBetween(new Date(2025, 11, 31), new Date(2026, 0, 2))).toBe(2);
  });

  it('formats times', () => {
    expect(timeLabel(new Date(2026, 0, 1, 14, 5), 'en')).toMatch(/2:05|14:05/);
    expect(timeLabel(new Date(2026, 0, 1, 14, 5), 'ko')).toContain('2:05');
  });
});

describe('relative times', () => {
  const now = new Date(2026, 11, 2, 15, 0);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const MIN = 60_000;

  it('says now for the last moments, and for a clock slightly ahead', () => {
    expect(relativeLabel(ago(10_000), now, 'en')).toBe('now');
    expect(relativeLabel(ago(-5_000), now, 'en')).toBe('now');
    expect(relativeLabel(ago(10_000), now, 'ko')).toBe('지금');
  });

  it('counts minutes, then hours within the day', () => {
    expect(relativeLabel(ago(5 * MIN), now, 'en')).toMatch(/^5\s?m(in\.?)? ago$/);
    expect(relativeLabel(ago(5 * MIN), now, 'ko')).toBe('5분 전');
    expect(relativeLabel(ago(3 * 60 * MIN), now, 'ko')).toBe('3시간 전');
  });

  it('names yesterday and counts days within a week, then gives the date', () => {
    expect(relativeLabel(new Date(2026, 11, 1, 20, 0), now, 'en')).toBe('yesterday');
    expect(relativeLabel(new Date(2026, 11, 1, 20, 0), now, 'ko')).toBe('어제');
    expect(relativeLabel(new Date(2026, 10, 29, 12, 0), now, 'ko')).toBe('3일 전');
    expect(relativeLabel(new Date(2026, 10, 20, 12, 0), now, 'en')).toBe('Nov 20');
    expect(relativeLabel(new Date(2025, 10, 20, 12, 0), now, 'en')).toContain('2025');
  });
});
