/** Runs pending migrations. Kysely's Migrator takes a lock, so concurrent starters wait instead of racing. */
import { Migrator } from 'kysely';
import type { DatabaseHandle } from './connection.js';
import { migrationProvider } from './migrations/index.js';

export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of registered migrations not yet applied (reads Kysely's migration table, creates nothing). */
export async function pendingMigrations(handle: Pick<DatabaseHandle, 'db'>): Promise<string[]> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
