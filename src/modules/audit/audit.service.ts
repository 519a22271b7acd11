/**
 * Reading the audit log: admins their organization, super_admin every organization (or one, with
 * org_id). Naive times in `from`/`to` are read in the organization's time zone (UTC across all).
 */
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fieldError } from '../../lib/errors.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, ALL_ORGS, type OrgScope, requireRole } from '../../lib/tenancy.js';
import { addDays, parseInstant, parseLocalDate, startOfLocalDayMs, toIso } from '../../lib/time.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { csvText } from '../reports/export.format.js';
import { readScope } from '../users/users.access.js';
import { type AuditFilter, type AuditListRow, auditRepository as repo } from './audit.repository.js';
import type { AuditEntryDto, AuditExportQueryInput, AuditListQueryInput } from './audit.schemas.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EXPORT_CHUNK = 500;

function toDto(r: AuditListRow): AuditEntryDto {
  let details: Record<string, unknown> | null = null;
  if (r.details) {
    try {
      details = JSON.parse(r.details);
    } catch {
      details = { raw: r.details };
    }
  }
  return {
    audit_id: r.audit_id,
    org_id: r.org_id,
    actor_id: r.actor_id,
    actor_name: r.actor_name ?? null,
    actor_email: r.actor_email ?? null,
    action: r.action,
    target_type: r.target_type,
    target_id: r.target_id,
    details,
    ip_address: r.ip_address,
    created_at: toIso(Number(r.created_at)),
  };
}

export const AUDIT_CSV_COLUMNS = [
  'audit_id',
  'created_at',
  'action',
  'actor_id',
  'actor_email',
  'target_type',
  'target_id',
  'org_id',
  'ip_address',
  'details',
] as const;

function csvLine(d: AuditEntryDto): string {
  return [
    d.audit_id,
    d.created_at,
    csvText(d.action),
    d.actor_id ?? '',
    csvText(d.actor_email),
    csvText(d.target_type),
    d.target_id ?? '',
    d.org_id ?? '',
    csvText(d.ip_address),
    csvText(d.details ? JSON.stringify(d.details) : null),
  ].join(',');
}

export function createAuditService({ db }: { db: Kysely<Database> }) {
  async function resolve(
    actor: Actor,
    q: AuditExportQueryInput,
  ): Promise<{ scope: OrgScope; filter: AuditFilter }> {
    requireRole(actor, 'super_admin', 'admin');
    const scope = readScope(actor, q.org_id);
    let tz = 'UTC';
    if (scope !== ALL_ORGS) {
      const org = await organizationsRepository.findById(db, ALL_ORGS, scope);
      if (!org) throw fieldError('org_id', 'no such organization');
      tz = org.timezone;
    }
    const instant = (field: 'from' | 'to', v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const ms = parseInstant(v, tz);
      if (ms === null) throw fieldError(field, 'must be an ISO 8601 date-time or YYYY-MM-DD');
      // A bare `to` date includes its whole day (DST days are 23 or 25 h: take the next local midnight).
      const day = field === 'to' && DATE_ONLY.test(v) ? parseLocalDate(v) : null;
      if (day) return startOfLocalDayMs(addDays(day, 1), tz);
      // `to` with a time is inclusive of that millisecond.
      return field === 'to' ? ms + 1 : ms;
    };
    const filter: AuditFilter = {
      actorId: q.actor_id,
      action: q.action,
      targetType: q.target_type,
      targetId: q.target_id,
      fromMs: instant('from', q.from),
      toMs: instant('to', q.to),
    };
    if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs >= filter.toMs)
      throw fieldError('to', 'must be after from');
    return { scope, filter };
  }

  return {
    async list(actor: Actor, q: AuditListQueryInput) {
      const { scope, filter } = await resolve(actor, q);
      const page = pageRequest(q);
      const [rows, total] = await Promise.all([
        repo.page(db, scope, filter, page.perPage, page.offset),
        repo.count(db, scope, filter),
      ]);
      return { items: rows.map(toDto), pagination: pagination(page, total) };
    },

    /** CSV of every matching entry, newest first, read in keyset chunks (memory stays flat). */
    async exportCsv(actor: Actor, q: AuditExportQueryInput): Promise<Readable> {
      const { scope, filter } = await resolve(actor, q);
      return Readable.from(
        (async function* () {
          yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
          let cursor: { createdAt: number; auditId: string } | null = null;
          for (;;) {
            const rows = await repo.after(db, scope, filter, cursor, EXPORT_CHUNK);
            if (rows.length === 0) return;
            let out = '';
            for (const r of rows) out += `${csvLine(toDto(r))}\r\n`;
            yield out;
            const last = rows[rows.length - 1]!;
            cursor = { createdAt: Number(last.created_at), auditId: last.audit_id };
            if (rows.length < EXPORT_CHUNK) return;
          }
        })(),
      );
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
