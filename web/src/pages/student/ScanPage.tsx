/**
 * `/c/{session_id}#k=<code>`: the page the projector's QR opens on a phone. The code rides in the
 * fragment (it never reaches a server log). A rotating code lives ~15 s, a sign-in takes longer, so
 * the page trades the code for a scan ticket at once (POST /attendance/scan, no login needed; the
 * ticket lasts 120 s and is bound to an HttpOnly cookie), keeps the ticket through the sign-in (and a
 * reload: this tab's sessionStorage), then checks in with it. A fixed (static) code is kept as is.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { errorText } from '../../components/errors';
import { Layout } from '../../components/Layout';
import { ErrorNote, Loading, Note } from '../../components/ui';
import { t } from '../../i18n';
import { auth } from '../../lib/auth';
import { timeSeconds } from '../../lib/format';
import { linkClick } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useAsync } from '../../lib/use-async';
import { SignIn } from '../SignIn';
import { CheckInPanel } from './CheckInPanel';

interface Kept {
  /** The code from the fragment (a static code is used as is). */
  code?: string;
  ticket?: string;
  expires_at?: string;
}
type ScanState =
  | { phase: 'none' }
  | { phase: 'scanning' }
  | { phase: 'ticket'; ticket: string; expiresAt: string }
  | { phase: 'failed'; text: string; retry: boolean };

const keyOf = (sessionId: string) => `attendance.scan.${sessionId}`;

function codeFromFragment(): string | undefined {
  const k = new URLSearchParams(location.hash.slice(1)).get('k');
  return k && /^[A-Za-z0-9-]{1,32}$/.test(k) ? k : undefined;
}
function readKept(sessionId: string): Kept {
  try {
    return JSON.parse(sessionStorage.getItem(keyOf(sessionId)) ?? '{}') as Kept;
  } catch {
    return {};
  }
}
function keep(sessionId: string, k: Kept): void {
  try {
    sessionStorage.setItem(keyOf(sessionId), JSON.stringify(k));
  } catch {
    // Storage off: the ticket lives in memory, which is enough without a reload.
  }
}

/** Trades the scanned code for a ticket once, on arrival; keeps what it got. */
function useScanTicket(sessionId: string) {
  const [code] = useState(() => {
    const fromUrl = codeFromFragment();
    // The code has done its job once read: out of the address bar (and the history).
    if (fromUrl) history.replaceState(history.state, '', location.pathname + location.search);
    return fromUrl ?? readKept(sessionId).code;
  });
  const [state, setState] = useState<ScanState>(() => {
    const k = readKept(sessionId);
    if (k.ticket && k.expires_at && Date.parse(k.expires_at) > Date.now() && (!code || k.code === code))
      return { phase: 'ticket', ticket: k.ticket, expiresAt: k.expires_at };
    return code && /^\d{6}$/.test(code) ? { phase: 'scanning' } : { phase: 'none' };
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (state.phase !== 'scanning' || !code) return;
    let stop = false;
    (async () => {
      try {
        const r = unwrap(await api.POST('/attendance/scan', { body: { session_id: sessionId, code } }));
        if (stop) return;
        keep(sessionId, { code, ticket: r.scan_ticket, expires_at: r.expires_at });
        setState({ phase: 'ticket', ticket: r.scan_ticket, expiresAt: r.expires_at });
      } catch (err) {
        if (stop) return;
        keep(sessionId, { code });
        const invalid = err instanceof ApiError && (err.code === 'INVALID_CODE' || err.status === 400);
        setState({
          phase: 'failed',
          text: invalid ? t('scan.expired') : errorText(err),
          retry: err instanceof ApiError && (err.status === 0 || err.status >= 500),
        });
      }
    })();
    return () => {
      stop = true;
    };
  }, [attempt]);

  return {
    code,
    state,
    retry: () => {
      setState({ phase: 'scanning' });
      setAttempt((n) => n + 1);
    },
    /** The ticket was refused at check-in (expired, used): fall back to a typed code. */
    drop: (text: string) => {
      keep(sessionId, {});
      setState({ phase: 'failed', text, retry: false });
    },
  };
}

export function ScanPage({ sessionId }: { sessionId: string }) {
  const state = useStore(auth);
  const scan = useScanTicket(sessionId);
  if (state.status === 'unknown')
    return (
      <main id="main" class="boot">
        <Loading />
      </main>
    );
  if (state.status !== 'signed-in') return <SignIn lead={t('signin.scanKept')} onDone={() => undefined} />;
  return (
    <Layout nav={[{ href: '/app/student', label: 'app.home' }]} title={t('checkin.scanTitle')}>
      <ScanCheckIn sessionId={sessionId} scan={scan} />
      <p>
        <a href="/app/student" onClick={linkClick}>
          {t('checkin.backHome')}
        </a>
      </p>
    </Layout>
  );
}

function ScanCheckIn({ sessionId, scan }: { sessionId: string; scan: ReturnType<typeof useScanTicket> }) {
  const open = useAsync(
    async () =>
      unwrap(await api.GET('/attendance/active-sessions', { params: { query: { per_page: 100 } } })),
    [],
  );
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState(false);
  if (open.error) return <ErrorNote error={open.error} onRetry={open.reload} />;
  if (!open.data) return <Loading lines={2} />;
  const s = open.data.find((x) => x.session_id === sessionId);
  const mode = s?.code_mode ?? (scan.code && !/^\d{6}$/.test(scan.code) ? 'static' : 'rotating');
  const st = scan.state;
  // What the check-in carries: the ticket; a fixed code; or the 6 digits typed when the scan failed.
  const needsTyping = mode === 'rotating' && (st.phase === 'failed' || st.phase === 'none');
  const ticket = mode === 'rotating' && st.phase === 'ticket' ? st.ticket : undefined;
  const code =
    mode === 'static' ? scan.code : needsTyping ? (/^\d{6}$/.test(typed) ? typed : undefined) : undefined;
  const ready = mode === 'none' || Boolean(ticket ?? code);
  if (s?.checked_in)
    return (
      <article class="card session-card">
        <h2>{s.session_name}</h2>
        <Note kind="ok">{t('checkin.already')}</Note>
      </article>
    );
  return (
    <article class="card session-card">
      <h2>{s?.session_name ?? t('checkin.scanTitle')}</h2>
      <div class="note-slot" aria-live="polite">
        {st.phase === 'scanning' && <p class="muted">{t('checkin.scanOpening')}</p>}
        {st.phase === 'ticket' && mode === 'rotating' && !done && (
          <p class="muted small">
            {t('scan.kept', { time: timeSeconds(new Date(st.expiresAt), s?.timezone) })}
          </p>
        )}
        {st.phase === 'failed' && mode === 'rotating' && !done && (
          <Note kind="warn">
            <p>{st.text}</p>
            {st.retry && (
              <button type="button" class="btn btn-secondary" onClick={scan.retry}>
                {t('app.retry')}
              </button>
            )}
          </Note>
        )}
      </div>
      {needsTyping && !done && (
        <div class="field">
          <label for="scan-code">{t('student.code')}</label>
          <input
            id="scan-code"
            class="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            value={typed}
            aria-describedby="scan-code-hint"
            onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value.replace(/\D/g, ''))}
          />
          <small id="scan-code-hint" class="hint">
            {t('student.codeLead')}
          </small>
        </div>
      )}
      <CheckInPanel
        target={{
          session_id: sessionId,
          session_name: s?.session_name ?? '',
          timezone: s?.timezone,
          // Unknown session (not open for me): ask for the location anyway; the answer will say why.
          hasLocation: s ? s.location_lat !== null || s.geofence !== null : true,
        }}
        code={code}
        scanTicket={ticket}
        blocked={!ready || st.phase === 'scanning'}
        onRefused={(err) => {
          if (ticket && err instanceof ApiError && err.code === 'INVALID_CODE')
            scan.drop(t('scan.ticketGone'));
        }}
        onDone={() => {
          keep(sessionId, {});
          setDone(true);
        }}
      />
    </article>
  );
}
