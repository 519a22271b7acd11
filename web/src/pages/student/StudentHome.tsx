/** The student's home: sessions open now (one button each), a typed code where needed, history and rate. */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { OpenSession } from '../../api/types';
import { errorText } from '../../components/errors';
import { Layout } from '../../components/Layout';
import { Empty, ErrorNote, Loading, Note, StatusBadge } from '../../components/ui';
import { t } from '../../i18n';
import { time, zone } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { CheckInPanel } from './CheckInPanel';
import { History } from './History';
import { STUDENT_NAV } from './nav';

export function StudentHome() {
  const open = useAsync(async () => {
    const list = unwrap(
      await api.GET('/attendance/active-sessions', { params: { query: { per_page: 50 } } }),
    );
    if (list[0]) zone.set(list[0].timezone);
    return list;
  }, []);
  const [historyVersion, setHistoryVersion] = useState(0);
  const changed = () => {
    open.reload();
    setHistoryVersion((v) => v + 1);
  };

  return (
    <Layout nav={STUDENT_NAV} title={t('student.title')}>
      <section aria-labelledby="open-now">
        <h2 id="open-now">{t('student.openNow')}</h2>
        {open.error ? <ErrorNote error={open.error} onRetry={open.reload} /> : null}
        {!open.data ? (
          <Loading lines={2} />
        ) : open.data.length === 0 ? (
          <Empty>{t('student.noOpen')}</Empty>
        ) : (
          <ul class="cards">
            {open.data.map((s) => (
              <li key={s.session_id}>
                <OpenSessionCard s={s} onChanged={changed} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <History version={historyVersion} />
    </Layout>
  );
}

function OpenSessionCard({ s, onChanged }: { s: OpenSession; onChanged: () => void }) {
  const [started, setStarted] = useState(false);
  const [code, setCode] = useState('');
  const [out, setOut] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string }>();
  const codeId = `code-${s.session_id}`;

  const checkOut = async () => {
    try {
      const r = unwrap(await api.POST('/attendance/check-out', { body: { record_id: s.record_id! } }));
      setOut({ kind: 'ok', text: t('student.checkedOut', { time: time(r.check_out_time, s.timezone) }) });
      onChanged();
    } catch (err) {
      setOut({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <article class="card session-card" aria-labelledby={`s-${s.session_id}`}>
      <div class="card-head">
        <h3 id={`s-${s.session_id}`}>{s.session_name}</h3>
        {s.checked_in && <StatusBadge status={s.status} />}
      </div>
      <p class="muted">
        {t('student.until', { start: time(s.start_time, s.timezone), end: time(s.end_time, s.timezone) })}
      </p>
      {s.checked_in ? (
        <button type="button" class="btn btn-secondary btn-block" onClick={checkOut}>
          {t('student.checkOut')}
        </button>
      ) : !started ? (
        <button type="button" class="btn btn-primary btn-block" onClick={() => setStarted(true)}>
          {t('student.checkInTo', { name: s.session_name })}
        </button>
      ) : (
        <>
          {s.require_code && (
            <div class="field">
              <label for={codeId}>{t('student.code')}</label>
              <input
                id={codeId}
                class="code-input"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={32}
                value={code}
                aria-describedby={`${codeId}-hint`}
                onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value.trim())}
              />
              <small id={`${codeId}-hint`} class="hint">
                {t('student.codeLead')}
              </small>
            </div>
          )}
          <CheckInPanel
            target={{
              session_id: s.session_id,
              session_name: s.session_name,
              timezone: s.timezone,
              hasLocation: s.location_lat !== null || s.geofence !== null,
            }}
            code={s.require_code ? code : undefined}
            blocked={s.require_code && code === ''}
            onDone={(_r, outcome) => {
              setOut(outcome);
              onChanged();
            }}
          />
        </>
      )}
      {/* The panel says the outcome until the list reloads; then the card keeps saying it. */}
      {out && s.checked_in && <Note kind={out.kind}>{out.text}</Note>}
    </article>
  );
}
