import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Repositories accept either the database or a transaction; functions that must run in one take `Tx`. */
export type Db = Kysely<Database> | Transaction<Database>;
export type Tx = Transaction<Database>;
