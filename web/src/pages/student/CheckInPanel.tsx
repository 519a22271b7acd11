/**
 * The check-in itself: asks for the location with a word on why, shows the accuracy while it
 * improves, sends the check-in with one Idempotency-Key across retries, and says the outcome.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { AttendanceRecord } from '../../api/types';
import { Note } from '../../components/ui';
import { t } from '../../i18n';
import { newIdempotencyKey, withRetries } from '../../lib/retry';
import { type Fix, type GeoProblem, metresFix, watchLocation } from './location';
import { refusalText } from './refusal';

/** An opaque id kept per install (API.md: device_id; the server keeps only an HMAC of it). */
function deviceId(): string | undefined {
  try {
    let id = localStorage.getItem('attendance.device');
    if (!id) {
      id = newIdempotencyKey();
      localStorage.setItem('attendance.device', id);
    }
    return id;
  } catch {
    return undefined;
  }
}

export interface CheckInTarget {
  session_id: string;
  session_name: string;
  timezone?: string;
  /** false for an online session: no location needed. */
  hasLocation: boolean;
}

const GEO_TEXT: Record<GeoProblem, Parameters<typeof t>[0]> = {
  unsupported: 'checkin.noGeo',
  insecure: 'checkin.geoInsecure',
  denied: 'checkin.geoDenied',
  timeout: 'checkin.geoTimeout',
};

export function CheckInPanel(p: {
  target: CheckInTarget;
  code?: string;
  scanTicket?: string;
  /** The check-in cannot be sent yet (a scan is being traded, a code is missing). */
  blocked?: boolean;
  /** Told of every refusal (the scan page drops a refused ticket). */
  onRefused?: (err: unknown) => void;
  /** Called with the record and the sentence that says the outcome (the caller keeps showing it). */
  onDone: (r: AttendanceRecord, outcome: { kind: 'ok' | 'warn'; text: string }) => void;
}) {
  const [fix, setFix] = useState<Fix>();
  const [geoProblem, setGeoProblem] = useState<GeoProblem>();
  const [watching, setWatching] = useState(false);
  const [phase, setPhase] = useState<'idle' | 'sending' | 'done'>('idle');
  const [retry, setRetry] = useState<string>();
  const [result, setResult] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string }>();
  const stop = useRef<(() => void) | undefined>(undefined);
  const key = useRef(newIdempotencyKey());

  useEffect(() => () => stop.current?.(), []);

  const locate = () => {
    setGeoProblem(undefined);
    setWatching(true);
    stop.current?.();
    stop.current = watchLocation(setFix, setGeoProblem);
  };

  const send = async () => {
    setPhase('sending');
    setResult(undefined);
    const body: Record<string, unknown> = { session_id: p.target.session_id };
    if (fix)
      Object.assign(body, { lat: fix.lat, lon: fix.lon, accuracy: Math.round(fix.accuracy * 10) / 10 });
    if (p.code) body.code = p.code;
    if (p.scanTicket) body.scan_ticket = p.scanTicket;
    const device = deviceId();
    if (device) body.device_id = device;
    try {
      const record = await withRetries(
        async () =>
          unwrap(
            await api.POST('/attendance/check-in', {
              body: body as { session_id: string; lat: number; lon: number },
              headers: { 'Idempotency-Key': key.current },
            }),
          ),
        { onRetry: (n, max) => setRetry(t('checkin.retrying', { attempt: n, max })) },
      );
      stop.current?.();
      setPhase('done');
      setRetry(undefined);
      const review = (record as { review_state?: string }).review_state === 'pending';
      const outcome = {
        kind: review || record.status === 'late' ? ('warn' as const) : ('ok' as const),
        text: review
          ? t('checkin.review')
          : record.status === 'late'
            ? t('checkin.late')
            : t('checkin.present'),
      };
      setResult(outcome);
      p.onDone(record, outcome);
    } catch (err) {
      setRetry(undefined);
      setPhase('idle');
      // A refusal that depends on input is not stored: the next press runs afresh with a new key.
      if (err instanceof ApiError && err.status !== 0) key.current = newIdempotencyKey();
      const done = err instanceof ApiError && err.code === 'ALREADY_CHECKED_IN';
      setResult({ kind: done ? 'ok' : 'error', text: refusalText(err, p.target.timezone) });
      p.onRefused?.(err);
    }
  };

  const needsFix = p.target.hasLocation;
  const canSend = phase === 'idle' && !p.blocked && (!needsFix || fix !== undefined);
  return (
    <div class="checkin">
      {needsFix && phase !== 'done' && (
        <>
          <p class="why">{t('checkin.why')}</p>
          <div class="accuracy" aria-live="polite">
            {fix ? (
              <p>
                <span class={`dot ${fix.accuracy <= 30 ? 'dot-good' : 'dot-wait'}`} aria-hidden="true" />
                {fix.accuracy <= 30
                  ? t('checkin.accuracyGood', { m: metresFix(fix) })
                  : t('checkin.accuracyImproving', { m: metresFix(fix) })}
              </p>
            ) : watching && !geoProblem ? (
              <p>{t('checkin.locating')}</p>
            ) : (
              <p class="muted">&nbsp;</p>
            )}
          </div>
          {geoProblem && <Note kind="error">{t(GEO_TEXT[geoProblem])}</Note>}
          {!watching || geoProblem ? (
            <button type="button" class="btn btn-primary btn-block" onClick={locate}>
              {t('checkin.useLocation')}
            </button>
          ) : null}
        </>
      )}
      {phase !== 'done' && (!needsFix || (watching && !geoProblem)) && (
        <button type="button" class="btn btn-primary btn-block" disabled={!canSend} onClick={send}>
          {phase === 'sending' ? t('checkin.sending') : t('checkin.submit')}
        </button>
      )}
      <div aria-live="polite">
        {retry && <p class="muted">{retry}</p>}
        {result && <Note kind={result.kind}>{result.text}</Note>}
      </div>
    </div>
  );
}
