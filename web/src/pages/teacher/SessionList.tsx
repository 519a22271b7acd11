/** My sessions, split into today, upcoming and past in the organization's zone. */
import { api, unwrapPage } from '../../api/client';
import type { Session } from '../../api/types';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { auth } from '../../lib/auth';
import { dateTime, dayKey, time } from '../../lib/format';
import { linkClick } from '../../lib/router';
import { useAsync } from '../../lib/use-async';
import { reportPath } from './paths';

const isOpen = (s: Session, now: number) =>
  s.is_active &&
  !s.closed_at &&
  Date.parse(s.start_time) - s.checkin_opens_minutes * 60_000 <= now &&
  now <= Date.parse(s.end_time);

export function SessionList({ base }: { base: string }) {
  const list = useAsync(async () => {
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    const page = unwrapPage(await api.GET('/admin/sessions', { params: { query: { per_page: 100, from } } }));
    const me = auth.get().user;
    // A teacher's own sessions (those they run: teacher_ids); an admin sees the organization's.
    return me?.role === 'teacher' ? page.items.filter((s) => s.teacher_ids.includes(me.user_id)) : page.items;
  }, []);

  const now = Date.now();
  const today = dayKey(new Date());
  const groups: Record<'today' | 'upcoming' | 'past', Session[]> = { today: [], upcoming: [], past: [] };
  for (const s of list.data ?? []) {
    if (dayKey(new Date(s.start_time)) === today) groups.today.push(s);
    else if (Date.parse(s.start_time) > now) groups.upcoming.push(s);
    else groups.past.push(s);
  }
  groups.today.sort((a, b) => a.start_time.localeCompare(b.start_time));
  groups.upcoming.sort((a, b) => a.start_time.localeCompare(b.start_time));
  groups.past.sort((a, b) => b.start_time.localeCompare(a.start_time));

  return (
    <>
      <p>
        <a class="btn btn-primary" href={`${base}/new`} onClick={linkClick}>
          {t('teacher.create')}
        </a>
      </p>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {(['today', 'upcoming', 'past'] as const).map((k) => (
        <section key={k} aria-labelledby={`h-${k}`}>
          <h2 id={`h-${k}`}>{t(`teacher.${k}` as MessageKey)}</h2>
          {!list.data ? (
            <Loading lines={2} />
          ) : groups[k].length === 0 ? (
            <Empty>{t('teacher.empty')}</Empty>
          ) : (
            <ul class="list">
              {groups[k].slice(0, k === 'past' ? 30 : 50).map((s) => (
                <li key={s.session_id} class="list-row">
                  <span>
                    <a href={reportPath(base, s.session_id)} onClick={linkClick}>
                      <strong>{s.session_name}</strong>
                    </a>
                    <br />
                    <span class="muted">
                      {k === 'today' ? `${time(s.start_time)} – ${time(s.end_time)}` : dateTime(s.start_time)}
                      {!s.is_active && ` · ${t('teacher.cancelled')}`}
                    </span>
                  </span>
                  {isOpen(s, now) && <span class="badge badge-present">{t('teacher.openNow')}</span>}
                  {s.closed_at && <span class="badge badge-none">{t('teacher.closedBadge')}</span>}
                  {isOpen(s, now) ? (
                    <a
                      class="btn btn-primary push"
                      href={`${reportPath(base, s.session_id)}/live`}
                      onClick={linkClick}
                    >
                      {t('live.open')}
                      <span class="visually-hidden"> {s.session_name}</span>
                    </a>
                  ) : (
                    <a
                      class="btn btn-secondary push"
                      href={reportPath(base, s.session_id)}
                      onClick={linkClick}
                    >
                      {t('teacher.open')}
                      <span class="visually-hidden"> {s.session_name}</span>
                    </a>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
