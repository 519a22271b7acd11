/**
 * Maintenance jobs for cron: `npm run cli -- <command> [options]` (built: `npm run cli:prod -- …`,
 * i.e. `node dist/cli.js …`). `--help` needs no configuration and touches no database.
 * Output contract (README "Maintenance CLI"): stdout is one JSON line per run; messages and
 * progress go to stderr; exit codes are the EXIT constants (the command table and its texts: src/cli-commands.ts).
 */

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  COMMANDS,
  type Command,
  type CommandName,
  commandHelp,
  EXIT,
  isCommandName,
  USAGE,
} from './cli-commands.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createChangeBus } from './lib/change-events.js';
import { createPasswordHasher } from './lib/passwords.js';
import { progressReporter } from './lib/progress-bar.js';
import type { Actor } from './lib/tenancy.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createAttendanceForReports } from './modules/attendance/for-reports.js';
import { eraseOldLocations } from './modules/attendance/location-retention.js';
import { createRecordWriter } from './modules/attendance/record-writer.js';
import { createOutbox } from './modules/outbox/outbox.js';
import { createReportsService } from './modules/reports/reports.service.js';
import { createBulkImportService } from './modules/users/users.bulk.js';
import { createUsersService } from './modules/users/users.service.js';
import { warningsOnOutbox } from './modules/warnings/index.js';
import { webhooksOnOutbox } from './modules/webhooks/index.js';
import { prepareDatabase } from './start.js';

/** Cron acts as the platform: a super_admin that is no user (the nil UUID marks it in the audit log). */
const CRON: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  orgId: null,
  role: 'super_admin',
  sessionId: '',
  name: 'cron',
  email: '',
};

class UsageError extends Error {}

/** A whole number of days within the bounds of the command's HTTP twin (a typo must not mean 0). */
const wholeDays = (
  v: string | undefined,
  name: string,
  bounds: { min: number; max: number; fallback?: number },
) => {
  if (v === undefined && bounds.fallback !== undefined) return bounds.fallback;
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isInteger(n) || n < bounds.min || n > bounds.max)
    throw new UsageError(`--${name} must be a whole number of days from ${bounds.min} to ${bounds.max}`);
  return n;
};

/** The CSV of import-users, read before the database is opened (a wrong path costs nothing). */
function readImport(org: string | undefined, file: string | undefined): string {
  if (!org) throw new UsageError('--org ORG_ID is required');
  if (!file) throw new UsageError('--file PATH is required (- for stdin)');
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function run(
  command: CommandName,
  values: Record<string, string | boolean | undefined>,
  config: Config,
) {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  // Options are read before the database is opened: a typo costs nothing.
  const olderThan =
    command === 'cleanup-sessions'
      ? wholeDays(str('older-than-days'), 'older-than-days', { min: 0, max: 3650, fallback: 30 })
      : 0;
  const days = command === 'deactivate-inactive' ? wholeDays(str('days'), 'days', { min: 1, max: 3650 }) : 0;
  const csv = command === 'import-users' ? readImport(str('org'), str('file')) : '';

  const handle = await prepareDatabase(config, (m) => console.error(m));
  try {
    const { db } = handle;
    // Changes made here announce themselves like the server's (session.closed, user.created): the
    // outbox rows are written in the same transactions, and the server's outbox job delivers them.
    const changes = createChangeBus();
    const outbox = createOutbox({
      db,
      dialect: handle.dialect,
      retryWindowMs: config.outboxRetryHours * 3_600_000,
    });
    // The server's subscribers, so that what is stored here is what the server's worker wants.
    webhooksOnOutbox(outbox, { db, config });
    warningsOnOutbox(outbox);
    outbox.subscribe(changes);
    const writer = createRecordWriter({ db, dialect: handle.dialect, changes });
    const attendance = createAttendanceForReports(db, writer);
    const hasher = () =>
      createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost });
    // One case per command of the table: a command added there without a case here fails typecheck
    // (never) instead of falling through to another command's job.
    switch (command) {
      case 'erase-locations':
        return {
          retention_days: config.locationRetentionDays ?? null,
          erased: await eraseOldLocations(db, config.locationRetentionDays),
        };
      case 'close-ended': {
        const closed = await attendance.closeAllEnded(
          Date.now(),
          progressReporter('close-ended', 'sessions closed'),
        );
        return { closed };
      }
      case 'cleanup-sessions': {
        const admin = createAdminService({ db, reports: createReportsService({ db, attendance }) });
        return await admin.cleanupSessions(CRON, olderThan);
      }
      case 'import-users': {
        const bulk = createBulkImportService({ db, config, hasher: hasher(), changes });
        return await bulk.importUsers(
          CRON,
          csv,
          str('org'),
          undefined,
          progressReporter('import-users', 'rows'),
        );
      }
      case 'deactivate-inactive': {
        const users = createUsersService({ db, config, hasher: hasher(), changes });
        return await users.deactivateInactive(CRON, { inactive_days: days, org_id: str('org') });
      }
      default: {
        const unhandled: never = command;
        throw new Error(`command ${String(unhandled)} has no runner`);
      }
    }
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? console.error : console.log)(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!isCommandName(command)) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  const spec: Command = COMMANDS[command];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${commandHelp(spec)}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(commandHelp(spec));
    return EXIT.ok;
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return EXIT.config;
  }
  try {
    const result = await run(command, values, config);
    console.log(JSON.stringify({ command, ...(result as object) }));
    return EXIT.ok;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
