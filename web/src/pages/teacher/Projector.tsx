/**
 * The projector view: full screen, the QR of the check-in link (`/c/{id}#k=<code>`), the code in
 * digits readable from the back row, the live count and a visible warning when updates stop.
 * Today it shows a session's fixed code and polls the session report; the rotating code with its
 * countdown and the SSE feed replace both when those routes exist.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { ErrorNote, Loading } from '../../components/ui';
import { t } from '../../i18n';
import { timeSeconds } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

const POLL_MS = 4000;

export function Projector({ sessionId }: { sessionId: string }) {
  const session = useAsync(
    async () =>
      unwrap(await api.GET('/admin/sessions/{session_id}', { params: { path: { session_id: sessionId } } })),
    [sessionId],
  );
  const code = session.data?.code ?? undefined;
  const link = code
    ? `${location.origin}/c/${encodeURIComponent(sessionId)}#k=${encodeURIComponent(code)}`
    : '';
  const [svg, setSvg] = useState<string>();
  useEffect(() => {
    if (!link) return;
    import('qrcode').then((QR) =>
      QR.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }).then(setSvg),
    );
  }, [link]);

  const [count, setCount] = useState<{ in: number; expected: number; at: Date }>();
  const [stale, setStale] = useState(false);
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        const r = unwrap(
          await api.GET('/attendance/session/{session_id}/report', {
            params: { path: { session_id: sessionId } },
          }),
        );
        if (stop) return;
        setCount({ in: r.counts.present + r.counts.late, expected: r.expected, at: new Date() });
        setStale(false);
      } catch {
        if (!stop) setStale(true);
      }
    };
    tick();
    const id = setInterval(tick, POLL_MS);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [sessionId]);

  if (session.error) return <ErrorNote error={session.error} onRetry={session.reload} />;
  if (!session.data) return <Loading lines={6} />;
  return (
    <div class="projector">
      <div class="projector-head">
        <h2>{session.data.session_name}</h2>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => document.documentElement.requestFullscreen?.().catch(() => undefined)}
        >
          {t('projector.fullscreen')}
        </button>
      </div>
      {stale && (
        <p class="note note-error projector-warning" role="alert">
          {t('projector.feedLost', { time: count ? timeSeconds(count.at) : '—' })}
        </p>
      )}
      {code ? (
        <div class="projector-body">
          {/* The SVG comes from the qrcode library, generated here from our own link: no user markup. */}
          <div
            class="qr"
            role="img"
            aria-label={t('projector.qrLabel')}
            dangerouslySetInnerHTML={{ __html: svg ?? '' }}
          />
          <div class="projector-side">
            <p class="projector-hint">{t('projector.scan')}</p>
            <p class="projector-code">
              <span class="visually-hidden">{t('projector.codeLabel')} </span>
              {code}
            </p>
            <p class="projector-count" aria-live="polite">
              {count ? t('projector.count', { in: count.in, expected: count.expected }) : '…'}
            </p>
          </div>
        </div>
      ) : (
        <p class="empty">{t('projector.noCode')}</p>
      )}
    </div>
  );
}
