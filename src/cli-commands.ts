/**
 * The maintenance CLI's command table, its usage texts and exit codes (src/cli.ts runs them). A module
 * of its own so that tests and scripts can list the commands without running the CLI: a new command
 * here is covered by the --help checks (test/integration/cli.test.ts, scripts/production-install.sh)
 * without editing them.
 */
import { MAX_BULK_ROWS } from './modules/users/users.bulk.js';

/** Exit codes (sysexits.h for usage and configuration, so cron mail tells them apart). */
export const EXIT = { ok: 0, failed: 1, usage: 64, config: 78 } as const;

export interface Command {
  summary: string;
  usage: string;
  details: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
}

export const COMMANDS = {
  'close-ended': {
    summary: 'close every session past its end (expected attendees without a record: absent)',
    usage: 'close-ended',
    details: 'Output: {"command":"close-ended","closed":N}. Progress (sessions closed / total) on stderr.',
    options: {},
  },
  'cleanup-sessions': {
    summary: 'delete login sessions expired or revoked that long ago, and idempotency keys over a day old',
    usage: 'cleanup-sessions [--older-than-days 30]',
    details:
      '  --older-than-days N   whole days, 0 to 3650 (default 30)\n' +
      'Output: {"command":"cleanup-sessions","deleted":N,"idempotency_keys_deleted":N}.',
    options: { 'older-than-days': { type: 'string' } },
  },
  'deactivate-inactive': {
    summary:
      'deactivate users with no login (or, never logged in, created) for N days; revoke their sessions',
    usage: 'deactivate-inactive --days N [--org ORG_ID]',
    details:
      '  --days N        whole days, 1 to 3650 (required)\n' +
      '  --org ORG_ID    one organization only (default: all)\n' +
      'Never deactivates a super_admin. Output: {"command":"deactivate-inactive","count":N,...}.',
    options: { days: { type: 'string' }, org: { type: 'string' } },
  },
  'import-users': {
    summary: 'create users from a CSV file (name,email,role[,password]) in one organization',
    usage: 'import-users --org ORG_ID --file users.csv',
    details:
      '  --org ORG_ID    the organization (required)\n' +
      `  --file PATH     a CSV file with a header row, at most ${MAX_BULK_ROWS.toLocaleString('en-US')} rows; - reads stdin\n` +
      'Rows are checked like POST /admin/users/bulk; good rows are created, bad ones reported.\n' +
      'A progress bar on stderr. Output: {"command":"import-users","created":N,"failed":N,"results":[...]}\n' +
      '(a generated password appears once, in its row: keep the output safe).',
    options: { org: { type: 'string' }, file: { type: 'string' } },
  },
  'erase-locations': {
    summary: 'erase raw coordinates and device hashes older than LOCATION_RETENTION_DAYS',
    usage: 'erase-locations',
    details:
      'Does nothing when LOCATION_RETENTION_DAYS is unset. Output: {"command":"erase-locations","retention_days":N|null,"erased":N}.',
    options: {},
  },
} satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;
export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

const EXIT_CODES = `Exit codes: ${EXIT.ok} done, ${EXIT.failed} the job failed (message on stderr), ${EXIT.usage} bad command or option, ${EXIT.config} invalid configuration.`;

export const USAGE = `usage: npm run cli -- <command> [options]     (built: npm run cli:prod -- <command>)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(21)} ${c.summary}`)
  .join('\n')}

Options: --help (also after a command). Configuration: the server's environment variables
(DATABASE_URL above all; see .env.example). Output: one JSON line on stdout; messages on stderr.
${EXIT_CODES}`;

export const commandHelp = (c: Command) =>
  `usage: npm run cli -- ${c.usage}\n\n${c.summary}.\n${c.details}\n${EXIT_CODES}`;
