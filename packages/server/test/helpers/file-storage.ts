/**
 * A `KeyValueStorage` in one JSON file, for SDK tests across processes (what a Node app would write for
 * `createClient({ storage })`). Each write replaces the file through a rename, so a process killed mid-write
 * leaves the previous version; writes of one process run one at a time.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { KeyValueStorage } from '@synctalk/sdk';

type Values = Record<string, string>;

async function readValues(path: string): Promise<Values> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Values;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

export function fileStorage(path: string): KeyValueStorage {
  let last: Promise<unknown> = Promise.resolve();
  const update = (change: (values: Values) => void): Promise<void> => {
    const next = last.then(async () => {
      const values = await readValues(path);
      change(values);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(values));
      await rename(tmp, path);
    });
    last = next.catch(() => undefined);
    return next;
  };
  return {
    get: async (key) => (await readValues(path))[key] ?? null,
    set: (key, value) =>
      update((values) => {
        values[key] = value;
      }),
    delete: (key) =>
      update((values) => {
        delete values[key];
      }),
  };
}

/** Every value the file holds, one per line (to look into them without knowing the keys). */
export async function fileStorageText(path: string): Promise<string> {
  return Object.values(await readValues(path)).join('\n');
}
