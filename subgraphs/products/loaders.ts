/** One loader set per request: every Product reference in a request costs one SQL statement in total. */
import type { Db } from '../lib/db';
import { byIdLoader } from '../lib/loaders';
import { productsByIds } from './store';

export const createLoaders = (db: Db) => ({
  product: byIdLoader((ids) => productsByIds(db, ids)),
});

export type ProductsLoaders = ReturnType<typeof createLoaders>;
