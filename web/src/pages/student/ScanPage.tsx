/**
 * `/c/{session_id}#k=<code>`: the page the projector's QR opens on a phone. The code rides in the
 * fragment (it never reaches a server log); the page keeps it through the sign-in, finds the
 * session among those open for the student, and checks in.
 */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { Layout } from '../../components/Layout';
import { ErrorNote, Loading } from '../../components/ui';
import { t } from '../../i18n';
import { auth } from '../../lib/auth';
import { linkClick } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useAsync } from '../../lib/use-async';
import { SignIn } from '../SignIn';
import { CheckInPanel } from './CheckInPanel';

function codeFromFragment(): string | undefined {
  const k = new URLSearchParams(location.hash.slice(1)).get('k');
  return k && /^[A-Za-z0-9-]{1,32}$/.test(k) ? k : undefined;
}

export function ScanPage({ sessionId }: { sessionId: string }) {
  const state = useStore(auth);
  const [code] = useState(codeFromFragment);
  if (state.status === 'unknown')
    return (
      <main id="main" class="boot">
        <Loading />
      </main>
    );
  if (state.status !== 'signed-in') return <SignIn lead={t('signin.scanKept')} onDone={() => undefined} />;
  return (
    <Layout nav={[{ href: '/app/student', label: 'app.home' }]} title={t('checkin.scanTitle')}>
      <ScanCheckIn sessionId={sessionId} code={code} />
      <p>
        <a href="/app/student" onClick={linkClick}>
          {t('checkin.backHome')}
        </a>
      </p>
    </Layout>
  );
}

function ScanCheckIn({ sessionId, code }: { sessionId: string; code?: string }) {
  const open = useAsync(
    async () =>
      unwrap(await api.GET('/attendance/active-sessions', { params: { query: { per_page: 100 } } })),
    [],
  );
  if (open.error) return <ErrorNote error={open.error} onRetry={open.reload} />;
  if (!open.data) return <Loading lines={2} />;
  const s = open.data.find((x) => x.session_id === sessionId);
  return (
    <article class="card session-card">
      <h2>{s?.session_name ?? t('checkin.scanTitle')}</h2>
      <CheckInPanel
        target={{
          session_id: sessionId,
          session_name: s?.session_name ?? '',
          timezone: s?.timezone,
          // Unknown session (not open for me): ask for the location anyway; the answer will say why.
          hasLocation: s ? s.location_lat !== null || s.geofence !== null : true,
        }}
        code={code}
        onDone={() => open.reload()}
      />
    </article>
  );
}
