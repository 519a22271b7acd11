/**
 * The teacher's live room: expected attendees filling in as they check in (live feed, no reload),
 * counts, the review queue (accept / reject), present / excused with a note, close the session.
 */
import { useState } from 'preact/hooks';
import { useConfirm } from '../../components/Dialog';
import { ErrorNote, Loading, Note, StatusBadge } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { dateTime, metres, time } from '../../lib/format';
import { linkClick } from '../../lib/router';
import { closeRequest, markRequest, reviewRequest } from './actions';
import { FeedStatus } from './FeedStatus';
import { type LiveRow, type LiveSession, useLiveSession } from './live-session';

export function LiveRoom({ sessionId, reportHref }: { sessionId: string; reportHref: string }) {
  const live = useLiveSession(sessionId);
  const { ask, dialog } = useConfirm();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const done = (r: Parameters<LiveSession['apply']>[0], text: string) => {
    live.apply(r);
    setMsg({ kind: 'ok', text });
  };

  if (live.error && !live.report) return <ErrorNote error={live.error} onRetry={() => live.reload()} />;
  if (!live.report) return <Loading lines={8} />;
  const s = live.report.session;
  const c = live.counts;
  const queue = live.rows.filter((r) => r.review_state === 'pending' && r.record_id);

  return (
    <>
      <h2 class="session-title">{s.session_name}</h2>
      <p class="muted">
        {dateTime(s.start_time)} – {time(s.end_time)}
      </p>
      <FeedStatus live={live} />
      <div class="stats live-stats">
        <Stat label={t('live.checkedIn')} value={t('live.inOf', { in: c.in, expected: c.expected })} />
        <Stat label={t('status.present')} value={c.present} />
        <Stat label={t('status.late')} value={c.late} />
        <Stat label={t('live.waiting')} value={c.waiting} />
        <Stat label={t('live.toReview')} value={c.pending} />
        <Stat label={t('status.absent')} value={c.absent} />
        <Stat label={t('status.excused')} value={c.excused} />
      </div>
      <div class="toolbar">
        {!live.closed && (
          <a
            class="btn btn-secondary"
            href={`${location.pathname.replace(/\/live$/, '')}/projector`}
            onClick={linkClick}
          >
            {t('projector.open')}
          </a>
        )}
        <a class="btn btn-secondary" href={reportHref} onClick={linkClick}>
          {t('teacher.report')}
        </a>
        {!live.closed && !live.cancelled && (
          <button
            type="button"
            class="btn btn-danger"
            onClick={() =>
              ask(
                closeRequest(sessionId, () => {
                  setMsg({ kind: 'ok', text: t('teacher.closed') });
                  live.reload().catch(() => undefined);
                }),
              )
            }
          >
            {t('teacher.closeSession')}
          </button>
        )}
      </div>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
        {live.closed && !msg && <Note kind="info">{t('live.isClosed')}</Note>}
        {live.cancelled && <Note kind="warn">{t('live.isCancelled')}</Note>}
      </div>

      <section aria-labelledby="review-h">
        <h2 id="review-h">
          {t('live.reviewQueue')} <span class="count-pill">{queue.length}</span>
        </h2>
        {queue.length === 0 ? (
          <p class="empty">{t('live.reviewEmpty')}</p>
        ) : (
          <ul class="list review-list">
            {queue.map((r) => (
              <li key={r.user_id} class={`list-row review-row ${live.fresh.has(r.user_id) ? 'fresh' : ''}`}>
                <span>
                  <strong>{r.name}</strong>{' '}
                  <StatusBadge status={r.status === 'not_checked_in' ? null : r.status} />
                  <br />
                  <span class="muted small">{why(r)}</span>
                </span>
                <span class="review-actions">
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() =>
                      ask(reviewRequest({ name: r.name, record_id: r.record_id! }, 'accept', done))
                    }
                  >
                    {t('live.accept')}
                    <span class="visually-hidden"> {r.name}</span>
                  </button>
                  <button
                    type="button"
                    class="btn btn-small btn-danger"
                    onClick={() =>
                      ask(reviewRequest({ name: r.name, record_id: r.record_id! }, 'reject', done))
                    }
                  >
                    {t('live.reject')}
                    <span class="visually-hidden"> {r.name}</span>
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="roster-h">
        <h2 id="roster-h">{t('live.roster')}</h2>
        <div class="table-wrap">
          <table class="roster">
            <caption class="visually-hidden">{t('live.roster')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('teacher.student')}</th>
                <th scope="col">{t('teacher.status')}</th>
                <th scope="col">{t('teacher.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {live.rows.map((r) => (
                <tr key={r.user_id} class={live.fresh.has(r.user_id) ? 'fresh' : ''}>
                  <th scope="row">
                    {r.name}
                    {r.check_in_time && (
                      <>
                        <br />
                        <span class="muted small">{t('live.at', { time: time(r.check_in_time) })}</span>
                      </>
                    )}
                  </th>
                  <td>
                    {r.status === 'not_checked_in' ? (
                      <span class="badge badge-none">{t('live.notYet')}</span>
                    ) : (
                      <StatusBadge status={r.status} />
                    )}
                    {r.review_state === 'pending' && <span class="badge badge-late">{t('live.review')}</span>}
                  </td>
                  <td class="actions">
                    {r.status !== 'present' && r.status !== 'late' && (
                      <button
                        type="button"
                        class="btn btn-small"
                        onClick={() => ask(markRequest(r, 'present', sessionId, done))}
                      >
                        {t('teacher.markPresent')}
                        <span class="visually-hidden"> {r.name}</span>
                      </button>
                    )}
                    {r.status !== 'excused' && (
                      <button
                        type="button"
                        class="btn btn-small btn-secondary"
                        onClick={() => ask(markRequest(r, 'excused', sessionId, done))}
                      >
                        {t('teacher.markExcused')}
                        <span class="visually-hidden"> {r.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {dialog}
    </>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
    </div>
  );
}

/** Why a check-in waits for review, in words, with the figures. */
function why(r: LiveRow): string {
  const parts = r.flags.map((f) => t(`flag.${f}` as MessageKey));
  if (r.distance_m !== null) parts.push(t('live.distance', { m: metres(r.distance_m) }));
  if (r.accuracy_m !== null) parts.push(t('live.accuracy', { m: metres(r.accuracy_m) }));
  if (r.check_in_time) parts.push(time(r.check_in_time));
  return parts.join(' · ');
}
