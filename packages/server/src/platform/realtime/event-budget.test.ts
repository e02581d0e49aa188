import { describe, expect, it } from 'vitest';
import { EventBudget } from './event-budget.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const takeMany = (budget: EventBudget, n: number) => Array.from({ length: n }, () => budget.take());

describe('event budget (token bucket)', () => {
  it('lets a full burst through at once, then refuses with the wait for the next token', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 20, burst: 100, floodLimit: 200 }, c.now);
    expect(takeMany(budget, 100).every((wait) => wait === 0)).toBe(true);
    expect(budget.take()).toBe(50);
    c.advance(20);
    expect(budget.take()).toBe(30);
  });

  it('refills at the rate, never above the burst', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 20, burst: 10, floodLimit: 200 }, c.now);
    takeMany(budget, 10);
    c.advance(250); // 5 tokens
    expect(takeMany(budget, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(budget.take()).toBeGreaterThan(0);
    c.advance(60_000); // far more than the capacity
    expect(takeMany(budget, 10).every((wait) => wait === 0)).toBe(true);
    expect(budget.take()).toBeGreaterThan(0);
  });

  it('keeps a steady client at the rate: one token per 1/rate seconds', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 4, burst: 1, floodLimit: 200 }, c.now);
    const waits: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      waits.push(budget.take());
      c.advance(250);
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(budget.take()).toBe(0);
    expect(budget.take()).toBe(250);
  });

  it('ignores a clock that goes backwards', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 10, burst: 2, floodLimit: 200 }, c.now);
    takeMany(budget, 2);
    c.advance(-5_000);
    expect(budget.take()).toBe(100);
    c.advance(100);
    expect(budget.take()).toBe(0);
  });

  it('reports flooding after floodLimit refusals without a break', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 20, burst: 5, floodLimit: 3 }, c.now);
    takeMany(budget, 5);
    expect(budget.take()).toBeGreaterThan(0);
    expect(budget.refuse()).toBe(false);
    c.advance(100); // two tokens back, not full: the refusals still count
    takeMany(budget, 2);
    expect(budget.refuse()).toBe(false);
    expect(budget.refuse()).toBe(true);
    expect(budget.refused).toBe(3);
  });

  it('forgives refusals once the bucket is full again (the client backed off)', () => {
    const c = clock();
    const budget = new EventBudget({ rate: 20, burst: 5, floodLimit: 3 }, c.now);
    takeMany(budget, 5);
    budget.refuse();
    budget.refuse();
    c.advance(250); // 5 tokens: full
    expect(budget.take()).toBe(0);
    expect(budget.refused).toBe(0);
    expect(budget.refuse()).toBe(false);
    expect(budget.refuse()).toBe(false);
    expect(budget.refuse()).toBe(true);
  });
});
