/**
 * POST /admin/users/bulk: up to 10,000 users from JSON rows or a CSV file. Each row is checked on its
 * own and fails alone; the good rows are hashed concurrently and inserted in multi-row statements.
 * A user is one row, so no user is ever half-created; a chunk that meets a concurrent duplicate
 * is retried row by row so that only the duplicate fails.
 */
import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus } from '../../lib/change-events.js';
import { type FieldError, fieldError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { type PasswordHasher, passwordProblems } from '../../lib/passwords.js';
import { addTextFormats, normaliseEmail } from '../../lib/strings.js';
import type { Actor } from '../../lib/tenancy.js';
import { fieldErrorsFromAjv } from '../../plugins/error-handler.js';
import { recordAudit } from '../audit/audit.repository.js';
import { userCreatedEvents } from './user-events.js';
import { requireRole, targetOrg } from './users.access.js';
import { parseUsersCsv } from './users.csv.js';
import { INSERT_CHUNK, usersRepository as repo } from './users.repository.js';
import { type BulkRowResult, BulkRowSchema, type BulkUsersJson } from './users.schemas.js';
import type { NewUserRow, Role } from './users.table.js';

export const MAX_BULK_ROWS = 10_000;
/** Hashes in flight: enough to keep libuv's thread pool busy without queueing thousands of jobs. */
const HASH_CONCURRENCY = 16;

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
// Same options as the request validator, so a row fails here exactly as a single create would.
const checkRowShape = addTextFormats(
  addFormats(new Ajv({ allErrors: true, strict: false, strictNumbers: true })),
).compile(BulkRowSchema);

interface Good {
  index: number;
  name: string;
  email: string;
  role: Role;
  password?: string;
}

export interface BulkDeps {
  db: Kysely<Database>;
  config: Config;
  hasher: PasswordHasher;
  changes: ChangeBus;
  now?: () => number;
}

/** At most `limit` calls of fn in flight, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function generatePassword(minLength: number): string {
  for (;;) {
    const p = randomBytes(Math.max(18, Math.ceil(((minLength + 4) * 3) / 4))).toString('base64url');
    if (!passwordProblems(p, minLength)) return p;
  }
}

export function createBulkImportService(deps: BulkDeps) {
  const { db, config, hasher } = deps;
  const now = deps.now ?? Date.now;

  /** Shape, role and password policy of one row; the normalised row or its errors. */
  function checkRow(raw: Record<string, unknown>, index: number): Good | FieldError[] {
    const row: Record<string, unknown> = { ...raw };
    if (typeof row.name === 'string') row.name = row.name.trim();
    if (typeof row.email === 'string') row.email = normaliseEmail(row.email);
    if (typeof row.role === 'string') row.role = row.role.trim().toLowerCase();
    const errors = checkRowShape(row) ? [] : fieldErrorsFromAjv(checkRowShape.errors ?? [], 'row');
    if (row.role === 'super_admin')
      errors.push({ field: 'role', message: 'super_admin accounts cannot be created in bulk' });
    if (typeof row.password === 'string' && !errors.some((e) => e.field === 'password')) {
      const problem = passwordProblems(row.password, config.passwordMinLength);
      if (problem) errors.push({ field: 'password', message: problem });
    }
    if (errors.length) return errors;
    const { name, email, role, password } = row as {
      name: string;
      email: string;
      role?: Role;
      password?: string;
    };
    return { index, name, email, role: role ?? 'student', password };
  }

  /** The organization an import goes into (checked before a job is accepted). */
  async function orgFor(actor: Actor, body: string | BulkUsersJson, queryOrgId?: string) {
    requireRole(actor, 'super_admin', 'admin');
    const bodyOrgId = typeof body === 'string' ? undefined : body.org_id;
    if (queryOrgId && bodyOrgId && queryOrgId !== bodyOrgId)
      throw fieldError('org_id', 'differs between the query string and the body');
    return targetOrg(db, actor, queryOrgId ?? bodyOrgId);
  }

  return {
    orgFor,

    async importUsers(
      actor: Actor,
      body: string | BulkUsersJson,
      queryOrgId?: string,
      ip?: string,
      onProgress?: (done: number, total: number) => void,
    ) {
      const orgId = await orgFor(actor, body, queryOrgId);

      const rows =
        typeof body === 'string'
          ? parseUsersCsv(body, MAX_BULK_ROWS)
          : body.users.map((fields) => ({ fields, problem: undefined }));
      const results: BulkRowResult[] = rows.map((r, i) => ({
        row: i + 1,
        email: typeof r.fields.email === 'string' ? normaliseEmail(r.fields.email) : null,
        status: 'created',
      }));
      const fail = (i: number, errors: FieldError[], code: 'VALIDATION_ERROR' | 'EMAIL_TAKEN') => {
        results[i] = { row: i + 1, email: results[i]!.email, status: 'error', error_code: code, errors };
      };

      // Shape first, then duplicates inside the file (the first row keeps the address), then the database.
      const firstRowOf = new Map<string, number>();
      const candidates: Good[] = [];
      rows.forEach((r, i) => {
        const checked = checkRow(r.fields, i);
        const errors = Array.isArray(checked) ? [...checked] : [];
        if (r.problem) errors.unshift(r.problem);
        const email = results[i]!.email;
        if (email && !errors.some((e) => e.field === 'email')) {
          const first = firstRowOf.get(email);
          if (first !== undefined) errors.push({ field: 'email', message: `duplicates row ${first + 1}` });
          else firstRowOf.set(email, i);
        }
        if (errors.length) fail(i, errors, 'VALIDATION_ERROR');
        else candidates.push(checked as Good);
      });
      const taken = await repo.findTakenEmails(
        db,
        candidates.map((c) => c.email),
      );
      const takenError = () => [{ field: 'email', message: 'is already registered (EMAIL_TAKEN)' }];
      const good = candidates.filter((c) => {
        if (taken.has(c.email)) fail(c.index, takenError(), 'EMAIL_TAKEN');
        return !taken.has(c.email);
      });

      const t = now();
      const invalid = rows.length - good.length;
      onProgress?.(invalid, rows.length);
      for (let start = 0; start < good.length; start += INSERT_CHUNK) {
        if (start > 0) onProgress?.(invalid + start, rows.length);
        const chunk = good.slice(start, start + INSERT_CHUNK);
        const generated = chunk.map((c) =>
          c.password ? undefined : generatePassword(config.passwordMinLength),
        );
        const plain = chunk.map((c, k) => c.password ?? generated[k]!);
        const hashes = await mapLimit(plain, HASH_CONCURRENCY, (p) => hasher.hash(p));
        const newRows: NewUserRow[] = chunk.map((c, k) => ({
          user_id: newId(),
          org_id: orgId,
          name: c.name,
          email: c.email,
          password_hash: hashes[k]!,
          role: c.role,
          is_active: 1,
          created_at: t,
          updated_at: t,
          last_login_at: null,
        }));
        const created = (k: number) => {
          const c = chunk[k]!;
          results[c.index] = {
            row: c.index + 1,
            email: c.email,
            status: 'created',
            user_id: newRows[k]!.user_id,
          };
          if (generated[k]) results[c.index]!.password = generated[k];
        };
        try {
          const events = userCreatedEvents(newRows, actor.userId, t);
          await db.transaction().execute(async (tx) => {
            await repo.insertMany(tx, newRows);
            await deps.changes.write(tx, events);
          });
          deps.changes.committed(events);
          for (let k = 0; k < chunk.length; k++) created(k);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          // An address was registered since the check: insert one by one so only that row fails.
          for (let k = 0; k < chunk.length; k++) {
            try {
              const events = userCreatedEvents([newRows[k]!], actor.userId, t);
              await db.transaction().execute(async (tx) => {
                await repo.insert(tx, newRows[k]!);
                await deps.changes.write(tx, events);
              });
              deps.changes.committed(events);
              created(k);
            } catch (e) {
              if (!isUniqueViolation(e)) throw e;
              fail(chunk[k]!.index, takenError(), 'EMAIL_TAKEN');
            }
          }
        }
      }

      onProgress?.(rows.length, rows.length);
      const createdCount = results.filter((r) => r.status === 'created').length;
      await recordAudit(db, {
        orgId,
        actorId: actor.userId,
        action: 'user.bulk_create',
        targetType: 'organization',
        targetId: orgId,
        details: { created: createdCount, failed: results.length - createdCount },
        ip,
      });
      return { created: createdCount, failed: results.length - createdCount, results };
    },
  };
}
export type BulkImportService = ReturnType<typeof createBulkImportService>;
