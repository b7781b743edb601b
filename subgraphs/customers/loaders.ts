/** One loader set per request: every Customer reference in a request costs one SQL statement in total. */
import type { Db } from '../lib/db';
import { byIdLoader } from '../lib/loaders';
import { customersByIds } from './store';

export const createLoaders = (db: Db) => ({
  customer: byIdLoader((ids) => customersByIds(db, ids)),
});

export type CustomersLoaders = ReturnType<typeof createLoaders>;
