/**
 * Start-up shared by the server and the CLI: configuration, database, migrations, first super_admin.
 */
import 'dotenv/config';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type DatabaseHandle, openDatabase } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { createPasswordHasher } from './lib/passwords.js';
import { bootstrapSuperAdmin } from './modules/users/bootstrap.js';

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** The database DATABASE_URL names, with the engine settings of the configuration. */
export function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    pgOptions: config.pgOptions,
  });
}

/** Opens the database, applies migrations and creates the first super_admin when there is none. */
export async function prepareDatabase(
  config: Config,
  /** Where messages go: stdout for the server, stderr for the CLI (its stdout is one JSON line). */
  log: (message: string) => void = console.log,
): Promise<DatabaseHandle> {
  const handle = await openConfiguredDatabase(config);
  const applied = await migrateToLatest(handle);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
  const boot = await bootstrapSuperAdmin(
    handle.db,
    config,
    createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost }),
  );
  if (boot) {
    log(`\nCreated the first super_admin: ${boot.email}`);
    if (boot.generatedPassword) {
      log(`Its generated password (shown once, change it after logging in): ${boot.generatedPassword}\n`);
    }
  }
  return handle;
}
