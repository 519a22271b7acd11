/** A session's report: counts, every expected attendee, corrections, close, CSV/XLSX download. */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { DetailedReport } from '../../api/types';
import { useConfirm } from '../../components/Dialog';
import { errorText } from '../../components/errors';
import { ErrorNote, Loading, Note, StatusBadge } from '../../components/ui';
import { t } from '../../i18n';
import { downloadFile } from '../../lib/download';
import { dateTime, percent, time } from '../../lib/format';
import { linkClick } from '../../lib/router';
import { useAsync } from '../../lib/use-async';
import { closeRequest, type Marked, markRequest } from './actions';

type Attendee = DetailedReport['attendees'][number];

export function SessionReport({ sessionId }: { base: string; sessionId: string }) {
  const r = useAsync(
    async () =>
      unwrap(await api.GET('/reports/session/{id}/detailed', { params: { path: { id: sessionId } } })),
    [sessionId],
  );
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const { ask, dialog } = useConfirm();

  const act = async (what: () => Promise<string>) => {
    setMsg(undefined);
    try {
      setMsg({ kind: 'ok', text: await what() });
      r.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const close = () =>
    ask(
      closeRequest(sessionId, () => {
        setMsg({ kind: 'ok', text: t('teacher.closed') });
        r.reload();
      }),
    );
  const mark = (a: Attendee, status: Marked) =>
    ask(
      markRequest(a, status, sessionId, (_rec, text) => {
        setMsg({ kind: 'ok', text });
        r.reload();
      }),
    );
  const download = (kind: 'csv' | 'xlsx') =>
    act(async () => {
      await downloadFile(
        `/reports/export/${kind}?session_id=${encodeURIComponent(sessionId)}`,
        `attendance.${kind}`,
      );
      return t('app.saved');
    });

  if (r.error && !r.data) return <ErrorNote error={r.error} onRetry={r.reload} />;
  if (!r.data) return <Loading lines={6} />;
  const d = r.data;
  return (
    <>
      <h2 class="session-title">{d.session.session_name}</h2>
      <p class="muted">
        {dateTime(d.session.start_time)} – {time(d.session.end_time)}
      </p>
      <div class="stats">
        {(['present', 'late', 'absent', 'excused'] as const).map((k) => (
          <div class="stat" key={k}>
            <span class="stat-label">{t(`status.${k}`)}</span>
            <span class="stat-value">{d[k]}</span>
          </div>
        ))}
        <div class="stat">
          <span class="stat-label">{t('teacher.expected')}</span>
          <span class="stat-value">{d.expected}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t('teacher.rate')}</span>
          <span class="stat-value">{percent(d.attendance_rate)}</span>
        </div>
      </div>
      <div class="toolbar">
        <span>{t('teacher.download')}:</span>
        <button type="button" class="btn btn-secondary" onClick={() => download('csv')}>
          {t('teacher.csv')}
        </button>
        <button type="button" class="btn btn-secondary" onClick={() => download('xlsx')}>
          {t('teacher.xlsx')}
        </button>
        {!d.session.closed && (
          <a class="btn btn-primary" href={`${location.pathname}/live`} onClick={linkClick}>
            {t('live.open')}
          </a>
        )}
        {!d.session.closed && (
          <a class="btn btn-secondary" href={`${location.pathname}/projector`} onClick={linkClick}>
            {t('projector.open')}
          </a>
        )}
        {!d.session.closed && (
          <button type="button" class="btn btn-danger" onClick={close}>
            {t('teacher.closeSession')}
          </button>
        )}
      </div>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{d.session.session_name}</caption>
          <thead>
            <tr>
              <th scope="col">{t('teacher.student')}</th>
              <th scope="col">{t('teacher.status')}</th>
              <th scope="col">{t('teacher.checkInTime')}</th>
              <th scope="col">{t('teacher.distance')}</th>
              <th scope="col">{t('teacher.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {d.attendees.map((a) => (
              <AttendeeRow key={a.user_id} a={a} mark={mark} />
            ))}
          </tbody>
        </table>
      </div>
      {dialog}
    </>
  );
}

function AttendeeRow({ a, mark }: { a: Attendee; mark: (a: Attendee, s: Marked) => void }) {
  const status = ['present', 'late', 'absent', 'excused'].includes(a.status)
    ? (a.status as 'present' | 'late' | 'absent' | 'excused')
    : null;
  return (
    <tr>
      <th scope="row">
        {a.name}
        <br />
        <span class="muted small">{a.email}</span>
      </th>
      <td>
        <StatusBadge status={status} />
      </td>
      <td>{time(a.check_in_time)}</td>
      <td>{a.distance_m === null ? '—' : `${Math.round(a.distance_m)} m`}</td>
      <td class="actions">
        {status !== 'present' && status !== 'late' && (
          <button type="button" class="btn btn-small" onClick={() => mark(a, 'present')}>
            {t('teacher.markPresent')}
          </button>
        )}
        {status !== 'excused' && (
          <button type="button" class="btn btn-small btn-secondary" onClick={() => mark(a, 'excused')}>
            {t('teacher.markExcused')}
          </button>
        )}
      </td>
    </tr>
  );
}
