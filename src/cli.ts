/**
 * Maintenance jobs for cron: `npm run cli -- <command> [options]` (or `node dist/cli.js …`).
 *   close-ended                               close every session past its end (absent records)
 *   cleanup-sessions [--older-than-days 30]   delete login sessions expired/revoked that long ago
 *   deactivate-inactive --days N [--org ID]   deactivate users with no login for N days
 * Each prints one JSON line and exits 0, or prints the error and exits 1.
 */

import { parseArgs } from 'node:util';
import type { Config } from './config.js';
import { createChangeBus } from './lib/change-events.js';
import { createPasswordHasher } from './lib/passwords.js';
import type { Actor } from './lib/tenancy.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createAttendanceForReports } from './modules/attendance/for-reports.js';
import { createReportsService } from './modules/reports/reports.service.js';
import { createUsersService } from './modules/users/users.service.js';
import { configOrExit, prepareDatabase } from './start.js';

/** Cron acts as the platform: a super_admin that is no user (the nil UUID marks it in the audit log). */
const CRON: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  orgId: null,
  role: 'super_admin',
  sessionId: '',
  name: 'cron',
  email: '',
};

const USAGE = `usage: npm run cli -- close-ended
       npm run cli -- cleanup-sessions [--older-than-days 30]
       npm run cli -- deactivate-inactive --days N [--org ORG_ID]`;

async function run(command: string | undefined, args: string[], config: Config): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: { 'older-than-days': { type: 'string' }, days: { type: 'string' }, org: { type: 'string' } },
    strict: true,
  });
  const int = (v: string | undefined, name: string, fallback?: number) => {
    if (v === undefined && fallback !== undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number of days`);
    return n;
  };
  if (!['close-ended', 'cleanup-sessions', 'deactivate-inactive'].includes(command ?? ''))
    throw new Error(USAGE);
  const handle = await prepareDatabase(config);
  try {
    const { db } = handle;
    const attendance = createAttendanceForReports(db, handle.dialect);
    if (command === 'close-ended') return { closed: await attendance.closeAllEnded(Date.now()) };
    if (command === 'cleanup-sessions') {
      const admin = createAdminService({ db, attendance, reports: createReportsService({ db, attendance }) });
      return await admin.cleanupSessions(CRON, int(values['older-than-days'], 'older-than-days', 30));
    }
    // Deactivation creates no user: the change bus here has no subscriber.
    const users = createUsersService({
      db,
      config,
      hasher: createPasswordHasher(),
      changes: createChangeBus(),
    });
    return await users.deactivateInactive(CRON, {
      inactive_days: int(values.days, 'days'),
      org_id: values.org,
    });
  } finally {
    await handle.close();
  }
}

const config = configOrExit();
const [command, ...rest] = process.argv.slice(2);
try {
  console.log(JSON.stringify({ command, ...((await run(command, rest, config)) as object) }));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
