import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, type KeyValueStorage } from '../storage.js';
import { parseRoomPositions, RoomPositions, seqAfter } from './room-positions.js';

/** A memory storage that counts its writes. */
function counted() {
  const memory = memoryStorage();
  const writes: string[] = [];
  const storage: KeyValueStorage = {
    get: (key) => memory.get(key),
    set: (key, value) => {
      writes.push(value);
      return memory.set(key, value);
    },
    delete: (key) => memory.delete(key),
  };
  return { storage, writes };
}

const positionsIn = async (storage: KeyValueStorage) =>
  Object.fromEntries(parseRoomPositions(await storage.get('rooms')));

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('RoomPositions', () => {
  it('compares seqs as numbers', () => {
    expect(seqAfter('10', '9')).toBe(true);
    expect(seqAfter('9', '10')).toBe(false);
    expect(seqAfter('12', '12')).toBe(false);
    expect(seqAfter('9007199254740993', '9007199254740992')).toBe(true);
  });

  it('writes a burst of deliveries once, after the delay, and only forward', async () => {
    const { storage, writes } = counted();
    const positions = new RoomPositions({ storage, key: 'rooms', report: () => {}, writeDelayMs: 500 });
    await positions.load();
    for (let seq = 1; seq <= 200; seq += 1) positions.record('42', String(seq));
    positions.record('42', '150'); // a position never goes back
    positions.record('7', '3');
    expect(positions.get('42')).toBe('200');
    await vi.advanceTimersByTimeAsync(499);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1);
    expect(await positionsIn(storage)).toEqual({ '42': '200', '7': '3' });

    positions.record('42', '201');
    await positions.flush(); // closing: at once
    expect(writes).toHaveLength(2);
    expect(await positionsIn(storage)).toEqual({ '42': '201', '7': '3' });
    await positions.flush(); // nothing moved: no write
    expect(writes).toHaveLength(2);
  });

  it('resumes from what an earlier page stored; tabs sharing the storage keep the further position', async () => {
    const storage = memoryStorage();
    const earlier = new RoomPositions({ storage, key: 'rooms', report: () => {} });
    earlier.record('42', '90');
    earlier.record('7', '5');
    await earlier.flush();

    const tab = new RoomPositions({ storage, key: 'rooms', report: () => {} });
    await tab.load();
    expect(tab.get('42')).toBe('90');
    expect(tab.get('1')).toBeUndefined();
    const other = new RoomPositions({ storage, key: 'rooms', report: () => {} });
    await other.load();
    tab.record('42', '95');
    other.record('42', '92');
    other.record('7', '8');
    await Promise.all([tab.flush(), other.flush()]);
    expect(await positionsIn(storage)).toEqual({ '42': '95', '7': '8' });
  });

  it('reports a failed write and keeps the position for the next one', async () => {
    const memory = memoryStorage();
    let broken = true;
    const reports: unknown[] = [];
    const storage: KeyValueStorage = {
      get: (key) => memory.get(key),
      set: (key, value) => (broken ? Promise.reject(new Error('full')) : memory.set(key, value)),
      delete: (key) => memory.delete(key),
    };
    const positions = new RoomPositions({ storage, key: 'rooms', report: (e) => reports.push(e) });
    positions.record('42', '10');
    await positions.flush();
    expect(reports).toMatchObject([{ message: 'full' }]);
    broken = false;
    await positions.flush();
    expect(await positionsIn(memory)).toEqual({ '42': '10' });
  });

  it('ignores what it cannot read', () => {
    expect(parseRoomPositions('nope').size).toBe(0);
    expect(Object.fromEntries(parseRoomPositions('{"rooms":{"1":"5","2":5,"3":"-1"}}'))).toEqual({
      '1': '5',
    });
  });
});
