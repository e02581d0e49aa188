import { describe, expect, it } from 'vitest';
import { localStorageAdapter, memoryStorage, type KeyValueStorage, type WebStorage } from './storage.js';

/** A Web Storage over a Map (the browser's `localStorage` has the same three methods), with a quota. */
function webStorage(quota = Infinity) {
  const items = new Map<string, string>();
  const storage: WebStorage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (value.length > quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => void items.delete(key),
  };
  return { storage, items };
}

async function behavesAsKeyValueStorage(storage: KeyValueStorage) {
  expect(await storage.get('a')).toBeNull();
  await storage.set('a', '{"x":1}');
  await storage.set('b', '2');
  expect(await storage.get('a')).toBe('{"x":1}');
  await storage.set('a', '3');
  expect(await storage.get('a')).toBe('3');
  await storage.delete('a');
  await storage.delete('missing');
  expect(await storage.get('a')).toBeNull();
  expect(await storage.get('b')).toBe('2');
}

describe('memoryStorage', () => {
  it('is a key-value storage; each one is its own', async () => {
    await behavesAsKeyValueStorage(memoryStorage());
    const one = memoryStorage();
    await one.set('k', 'v');
    expect(await memoryStorage().get('k')).toBeNull();
  });
});

describe('localStorageAdapter', () => {
  it('is a key-value storage over a Web Storage, under its prefix', async () => {
    const { storage, items } = webStorage();
    await behavesAsKeyValueStorage(localStorageAdapter({ storage }));
    expect([...items.keys()]).toEqual(['synctalk:b']);
    await localStorageAdapter({ storage, prefix: 'app/' }).set('b', 'other');
    expect(items.get('app/b')).toBe('other');
    expect(items.get('synctalk:b')).toBe('2');
  });

  it('rejects a write the storage refuses (quota), instead of throwing', async () => {
    const adapter = localStorageAdapter({ storage: webStorage(3).storage });
    const write = adapter.set('k', 'too long');
    await expect(write).rejects.toMatchObject({ name: 'QuotaExceededError' });
  });

  it('needs a storage where there is no localStorage (Node)', () => {
    expect(() => localStorageAdapter()).toThrow(/No localStorage/);
  });
});
