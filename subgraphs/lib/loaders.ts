/** Dataloader helpers: one SQL statement per batch of keys, results returned in key order. */
import DataLoader from 'dataloader';
import { idOf } from './scalars';

/** Loads rows by integer id; unknown or malformed ids resolve to null. */
export function byIdLoader<T extends { id: number }>(fetch: (ids: number[]) => Promise<T[]>) {
  return new DataLoader<unknown, T | null, number | null>(
    async (keys) => {
      const ids = [...new Set(keys.map(idOf).filter((id): id is number => id !== null))];
      const rows = ids.length ? await fetch(ids) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return keys.map((key) => byId.get(idOf(key) ?? -1) ?? null);
    },
    { cacheKeyFn: idOf, maxBatchSize: 5000 },
  );
}

/** Loads the list of rows belonging to each parent id (for example the lines of each order). */
export function byParentLoader<T>(parentKey: keyof T, fetch: (parentIds: number[]) => Promise<T[]>) {
  return new DataLoader<number, T[]>(
    async (parentIds) => {
      const rows = await fetch([...new Set(parentIds)]);
      const groups = new Map<number, T[]>();
      for (const row of rows) {
        const parent = Number(row[parentKey]);
        const group = groups.get(parent);
        if (group) group.push(row);
        else groups.set(parent, [row]);
      }
      return parentIds.map((id) => groups.get(id) ?? []);
    },
    { maxBatchSize: 5000 },
  );
}

/** One loader per distinct argument set, created on first use within the request. */
export function perArguments<A, L>(create: (args: A) => L): (args: A) => L {
  const loaders = new Map<string, L>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = create(args)));
    return loader;
  };
}
