/** Dashboard: today's figures, rates, the next sessions and the 30-day trend (chart loaded on demand). */
import { api, unwrap } from '../../api/client';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { dateTime, percent } from '../../lib/format';
import { lazyPage } from '../../lib/lazy';
import { linkClick } from '../../lib/router';
import { useAsync } from '../../lib/use-async';

const TrendChart = lazyPage<{ points: { t: number; rate: number | null }[]; label: string }>(() =>
  import('./TrendChart').then((m) => m.TrendChart),
);

export function Dashboard() {
  const stats = useAsync(async () => unwrap(await api.GET('/admin/dashboard/stats')), []);
  const trend = useAsync(async () => {
    const end = new Date();
    const start = new Date(end.getTime() - 29 * 86_400_000);
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    return unwrap(
      await api.GET('/reports/attendance/trends', {
        params: { query: { start_date: iso(start), end_date: iso(end), interval: 'day' } },
      }),
    );
  }, []);

  const s = stats.data;
  const points = (trend.data?.points ?? []).map((p) => ({
    t: Date.parse(p.period_start),
    rate: p.attendance_rate,
  }));
  return (
    <>
      {stats.error ? <ErrorNote error={stats.error} onRetry={stats.reload} /> : null}
      <div class="stats">
        {s ? (
          <>
            {(['student', 'teacher', 'admin'] as const).map((r) => (
              <div class="stat" key={r}>
                <span class="stat-label">{t(`admin.${r}s` as MessageKey)}</span>
                <span class="stat-value">{s.users[r]?.active ?? 0}</span>
              </div>
            ))}
            <div class="stat">
              <span class="stat-label">{t('admin.sessionsToday')}</span>
              <span class="stat-value">{s.sessions.today}</span>
            </div>
            <div class="stat">
              <span class="stat-label">{t('admin.openNow')}</span>
              <span class="stat-value">{s.sessions.open_now}</span>
            </div>
            <div class="stat">
              <span class="stat-label">{t('admin.checkinsToday')}</span>
              <span class="stat-value">{s.check_ins_today}</span>
            </div>
            <div class="stat">
              <span class="stat-label">{t('admin.rate7')}</span>
              <span class="stat-value">{percent(s.attendance_rate_7d)}</span>
            </div>
            <div class="stat">
              <span class="stat-label">{t('admin.rate30')}</span>
              <span class="stat-value">{percent(s.attendance_rate_30d)}</span>
            </div>
          </>
        ) : (
          <Loading lines={2} />
        )}
      </div>
      <section aria-labelledby="trend">
        <h2 id="trend">{t('admin.trend')}</h2>
        <div class="chart-box">
          {trend.error ? (
            <ErrorNote error={trend.error} onRetry={trend.reload} />
          ) : !trend.data ? (
            <Loading lines={5} />
          ) : points.every((p) => p.rate === null) ? (
            <Empty>{t('admin.trendEmpty')}</Empty>
          ) : (
            <TrendChart points={points} label={t('admin.trend')} />
          )}
        </div>
      </section>
      <section aria-labelledby="next">
        <h2 id="next">{t('admin.nextSessions')}</h2>
        {!s ? (
          <Loading lines={2} />
        ) : s.next_sessions.length === 0 ? (
          <Empty>{t('teacher.empty')}</Empty>
        ) : (
          <ul class="list">
            {s.next_sessions.map((n) => (
              <li key={n.session_id} class="list-row">
                <a href={`/app/admin/sessions/${n.session_id}`} onClick={linkClick}>
                  {n.session_name}
                </a>
                <span class="muted">{dateTime(n.start_time)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
