/**
 * The projector view: a QR of the check-in link (`{PUBLIC_URL}/c/{id}#k=<code>`, from
 * GET /admin/sessions/{id}/code) big enough for the back row, the code in digits, a countdown to the
 * next code (rotating codes), the live count, and a visible warning when updates stop.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Data } from '../../api/types';
import { errorText } from '../../components/errors';
import { ErrorNote, Loading } from '../../components/ui';
import { t } from '../../i18n';
import { FeedStatus } from './FeedStatus';
import { useLiveSession } from './live-session';

type Code = Data<'/admin/sessions/{session_id}/code', 'get'>;

/** The current code, fetched again when it expires; `skew` = server clock − this clock (ms). */
function useCode(sessionId: string) {
  const [code, setCode] = useState<Code>();
  const [skew, setSkew] = useState(0);
  const [error, setError] = useState<unknown>();
  const [none, setNone] = useState(false);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const sent = Date.now();
        const c = unwrap(
          await api.GET('/admin/sessions/{session_id}/code', {
            params: { path: { session_id: sessionId } },
          }),
        );
        if (stop) return;
        const got = Date.now();
        const offset = Date.parse(c.server_time) - (sent + got) / 2;
        setCode(c);
        setSkew(offset);
        setError(undefined);
        // Next fetch just after this code's step ends.
        if (c.expires_at)
          timer = setTimeout(load, Math.max(250, Date.parse(c.expires_at) - offset - Date.now() + 150));
      } catch (err) {
        if (stop) return;
        if (err instanceof ApiError && err.status === 409) return setNone(true);
        setError(err);
        timer = setTimeout(load, 3000);
      }
    };
    load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [sessionId]);
  return { code, skew, error, none };
}

/** Whole seconds left until `expiresAt` on the server's clock; ticks every 250 ms. */
function useSecondsLeft(expiresAt: string | null | undefined, skew: number): number | undefined {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!expiresAt) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [expiresAt]);
  if (!expiresAt) return undefined;
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - (now + skew)) / 1000));
}

export function Projector({ sessionId }: { sessionId: string }) {
  const live = useLiveSession(sessionId);
  const { code, skew, error, none } = useCode(sessionId);
  const left = useSecondsLeft(code?.expires_at, skew);
  const [svg, setSvg] = useState<string>();
  const box = useRef<HTMLDivElement>(null);

  const link = code?.checkin_url;
  useEffect(() => {
    if (!link) return;
    let stale = false;
    import('qrcode').then((QR) =>
      QR.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }).then((s) => {
        if (!stale) setSvg(s);
      }),
    );
    return () => {
      stale = true;
    };
  }, [link]);

  if (live.error && !live.report) return <ErrorNote error={live.error} onRetry={() => live.reload()} />;
  if (!live.report || (!code && !none && !error)) return <Loading lines={6} />;
  const expired = left === 0 && Boolean(code?.expires_at);
  return (
    <div class="projector" ref={box}>
      <div class="projector-head">
        <h2>{live.report.session.session_name}</h2>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => {
            if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
            else box.current?.requestFullscreen?.().catch(() => undefined);
          }}
        >
          {t('projector.fullscreen')}
        </button>
      </div>
      <FeedStatus
        live={live}
        big
        problem={error !== undefined ? t('projector.codeLost', { reason: errorText(error) }) : undefined}
      />
      {none ? (
        <p class="empty">{t('projector.noCode')}</p>
      ) : code ? (
        <div class="projector-body">
          {/* The SVG comes from the qrcode library, generated here from the server's link: no user markup. */}
          <div
            class={`qr ${expired || error !== undefined ? 'qr-stale' : ''}`}
            role="img"
            aria-label={t('projector.qrLabel')}
            dangerouslySetInnerHTML={{ __html: svg ?? '' }}
          />
          <div class="projector-side">
            <p class="projector-hint">{t('projector.scan')}</p>
            <p class="projector-code">
              <span class="visually-hidden">{t('projector.codeLabel')} </span>
              {code.code}
            </p>
            <div class="countdown">
              {left !== undefined && code.period_seconds ? (
                <>
                  <progress max={code.period_seconds} value={left} aria-hidden="true" />
                  <p class="muted">{t('projector.nextCode', { seconds: left })}</p>
                </>
              ) : (
                <p class="muted">{t('projector.fixedCode')}</p>
              )}
            </div>
            <p class="projector-count" aria-live="polite">
              {t('projector.count', { in: live.counts.in, expected: live.counts.expected })}
            </p>
          </div>
        </div>
      ) : null}
    </div>
  );
}
