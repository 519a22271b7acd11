/** My attendance: the rate overall and per course, and the latest records. */
import { api, unwrapPage } from '../../api/client';
import type { HistoryRow } from '../../api/types';
import { Empty, ErrorNote, Loading, StatusBadge } from '../../components/ui';
import { t } from '../../i18n';
import { dateTime, percent } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

const attended = (r: HistoryRow) => r.status === 'present' || r.status === 'late';

export function History({ version }: { version: number }) {
  const h = useAsync(
    async () => unwrapPage(await api.GET('/attendance/my-history', { params: { query: { per_page: 100 } } })),
    [version],
  );
  const rows = h.data?.items ?? [];
  const byCourse = new Map<string, { total: number; attended: number }>();
  for (const r of rows) {
    const c = byCourse.get(r.session_name) ?? { total: 0, attended: 0 };
    c.total++;
    if (attended(r)) c.attended++;
    byCourse.set(r.session_name, c);
  }
  const total = rows.length;
  const ok = rows.filter(attended).length;

  return (
    <section aria-labelledby="history">
      <h2 id="history">{t('student.history')}</h2>
      {h.error ? <ErrorNote error={h.error} onRetry={h.reload} /> : null}
      {!h.data ? (
        <Loading lines={3} />
      ) : total === 0 ? (
        <Empty>{t('student.historyEmpty')}</Empty>
      ) : (
        <>
          <div class="stats">
            <div class="stat">
              <span class="stat-label">{t('student.rate')}</span>
              <span class="stat-value">{percent(ok / total)}</span>
              <span class="muted">{t('student.rateOf', { attended: ok, total })}</span>
            </div>
            {[...byCourse].map(([name, c]) => (
              <div class="stat" key={name}>
                <span class="stat-label">{name}</span>
                <span class="stat-value">{percent(c.attended / c.total)}</span>
                <span class="muted">{t('student.rateOf', { attended: c.attended, total: c.total })}</span>
              </div>
            ))}
          </div>
          <ul class="list">
            {rows.slice(0, 20).map((r) => (
              <li key={r.record_id} class="list-row">
                <span>
                  <strong>{r.session_name}</strong>
                  <br />
                  <span class="muted">{dateTime(r.session_start_time)}</span>
                </span>
                <StatusBadge status={r.status} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
