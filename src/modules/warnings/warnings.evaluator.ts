/**
 * Warning rules, evaluated when a session closes: the outbox hands the `session.closed` event here
 * inside the transaction that settles it, so warnings, their emails and their `warning.triggered`
 * webhook events are written together or not at all (a crash re-runs the whole evaluation; the
 * cooldown check then finds nothing new to send). Each (rule, student) warns at most once per cooldown.
 */
import type { Tx } from '../../db/types.js';
import { newId } from '../../lib/ids.js';
import { formatLocalDate, localDateOf, toIso } from '../../lib/time.js';
import type { EmailPayload } from '../email/mailer.js';
import type { EventDispatcher, Outbox } from '../outbox/outbox.js';
import { evaluateRule, type HistoryEntry, type Verdict } from './warning-rules.logic.js';
import type { WarningRuleRow } from './warnings.table.js';

const DAY_MS = 86_400_000;

export interface Notify {
  student: boolean;
  teachers: boolean;
  admins: boolean;
  emails: string[];
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function warningMessage(rule: WarningRuleRow, studentName: string, v: Verdict, tz: string) {
  const missed = v.missed.map((m) => ({ ...m, date: formatLocalDate(localDateOf(m.start_time, tz)) }));
  const list = missed.map((m) => `${m.session_name} (${m.date})`).join(', ');
  const head =
    rule.kind === 'rate_below'
      ? `${studentName}: attendance ${Math.round(v.rate * 100)}% (${v.attended} of ${v.counted} sessions) is below ${Math.round(rule.threshold * 100)}%.`
      : `${studentName}: ${v.streak} absences in a row (rule: ${rule.threshold}).`;
  const text = `${head} Missed: ${list}.`;
  const html =
    `<p>${escapeHtml(head)}</p><p>Missed sessions:</p><ul>` +
    missed.map((m) => `<li>${escapeHtml(m.session_name)} — ${m.date}</li>`).join('') +
    `</ul><p>Rule: ${escapeHtml(rule.name)}</p>`;
  return { text, html, missed };
}

export function warningsOnSessionClosed(outbox: Outbox): EventDispatcher {
  return async (trx, event, _row, now) => {
    if (event.type !== 'session.closed' || !event.org_id) return;
    const orgId = event.org_id;
    const session = await trx
      .selectFrom('attendance_sessions')
      .select(['session_id', 'group_id', 'org_id'])
      .where('session_id', '=', String(event.session_id))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!session) return;
    const rules = (
      await trx
        .selectFrom('warning_rules')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('is_active', '=', 1)
        .execute()
    ).filter((r) => r.group_id === null || r.group_id === session.group_id);
    if (rules.length === 0) return;
    const org = await trx
      .selectFrom('organizations')
      .select('timezone')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    const tz = org?.timezone ?? 'UTC';
    const students = await trx
      .selectFrom('attendance_records as r')
      .innerJoin('users as u', 'u.user_id', 'r.user_id')
      .select(['u.user_id', 'u.name', 'u.email', 'u.is_active'])
      .where('r.session_id', '=', session.session_id)
      .where('u.role', '=', 'student')
      .execute();
    if (students.length === 0) return;
    const admins = await trx
      .selectFrom('users')
      .select('email')
      .where('org_id', '=', orgId)
      .where('role', '=', 'admin')
      .where('is_active', '=', 1)
      .execute();

    for (const rule of rules)
      await evaluate(
        trx,
        rule,
        students,
        admins.map((a) => a.email),
        tz,
        session.session_id,
        now,
      );
  };

  async function evaluate(
    trx: Tx,
    rule: WarningRuleRow,
    students: { user_id: string; name: string; email: string; is_active: number }[],
    adminEmails: string[],
    tz: string,
    sessionId: string,
    now: number,
  ) {
    let candidates = students;
    if (rule.group_id) {
      const members = new Set(
        (
          await trx
            .selectFrom('group_members')
            .select('user_id')
            .where('group_id', '=', rule.group_id)
            .execute()
        ).map((m) => m.user_id),
      );
      candidates = candidates.filter((s) => members.has(s.user_id));
    }
    if (candidates.length === 0) return;
    const ids = candidates.map((c) => c.user_id);
    let q = trx
      .selectFrom('attendance_records as r')
      .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
      .select(['r.user_id', 'r.status', 's.session_id', 's.session_name', 's.start_time', 's.created_by'])
      .where('s.org_id', '=', rule.org_id)
      .where('s.closed_at', 'is not', null)
      .where('s.is_active', '=', 1)
      .where('r.user_id', 'in', ids);
    if (rule.group_id) q = q.where('s.group_id', '=', rule.group_id);
    const rows = await q.orderBy('s.start_time').orderBy('s.session_id').execute();
    const recent = new Set(
      (
        await trx
          .selectFrom('warnings')
          .select('user_id')
          .where('rule_id', '=', rule.rule_id)
          .where('user_id', 'in', ids)
          .where('created_at', '>', now - rule.cooldown_days * DAY_MS)
          .execute()
      ).map((w) => w.user_id),
    );
    const notify = JSON.parse(rule.notify) as Notify;

    for (const student of candidates) {
      if (recent.has(student.user_id)) continue;
      const mine = rows.filter((r) => r.user_id === student.user_id);
      const history: HistoryEntry[] = mine.map((r) => ({
        session_id: r.session_id,
        session_name: r.session_name,
        start_time: Number(r.start_time),
        status: r.status,
      }));
      const verdict = evaluateRule(rule, history);
      if (!verdict) continue;
      const { text, html, missed } = warningMessage(rule, student.name, verdict, tz);
      const recipients = new Set<string>();
      if (notify.student && student.is_active) recipients.add(student.email);
      if (notify.admins) for (const e of adminEmails) recipients.add(e);
      if (notify.teachers) {
        const creators = [
          ...new Set(
            mine
              .filter((r) => verdict.missed.some((m) => m.session_id === r.session_id))
              .map((r) => r.created_by),
          ),
        ];
        if (creators.length) {
          const teachers = await trx
            .selectFrom('users')
            .select('email')
            .where('user_id', 'in', creators)
            .where('role', '=', 'teacher')
            .where('is_active', '=', 1)
            .execute();
          for (const t of teachers) recipients.add(t.email);
        }
      }
      for (const e of notify.emails) recipients.add(e.toLowerCase());
      const warningId = newId();
      const details = {
        counted: verdict.counted,
        attended: verdict.attended,
        rate: verdict.rate,
        streak: verdict.streak,
        missed: missed.map((m) => ({
          session_id: m.session_id,
          session_name: m.session_name,
          date: m.date,
          start_time: toIso(m.start_time),
        })),
      };
      await trx
        .insertInto('warnings')
        .values({
          warning_id: warningId,
          org_id: rule.org_id,
          rule_id: rule.rule_id,
          user_id: student.user_id,
          session_id: sessionId,
          kind: rule.kind,
          message: text,
          details: JSON.stringify(details),
          recipients: JSON.stringify([...recipients]),
          created_at: now,
        })
        .execute();
      // One message per recipient: a student never sees who else was told.
      const subject = `Attendance warning: ${student.name}`;
      await outbox.enqueue(
        trx,
        [...recipients].map((to) => ({
          orgId: rule.org_id,
          channel: 'email' as const,
          topic: 'warning.triggered',
          targetId: warningId,
          payload: { to: [to], subject, text, html } satisfies EmailPayload,
        })),
        now,
      );
      await outbox.emit(
        trx,
        {
          type: 'warning.triggered',
          org_id: rule.org_id,
          at: new Date(now).toISOString(),
          actor_id: null,
          data: {
            warning_id: warningId,
            rule_id: rule.rule_id,
            rule_name: rule.name,
            kind: rule.kind,
            user_id: student.user_id,
            session_id: sessionId,
            message: text,
            ...details,
          },
        },
        now,
      );
    }
  }
}
