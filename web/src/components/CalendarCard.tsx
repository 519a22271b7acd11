/**
 * "Subscribe to my calendar": makes the caller's calendar feed link (POST /auth/calendar-token), shows
 * it with a Copy button, replaces it (the old one stops working) or stops sharing (DELETE). The API
 * keeps only a digest of the token and has no GET for it, so the card cannot say whether a link
 * exists: it offers to create one and shows the url only right after creating it.
 */
import { useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { t } from '../i18n';
import { useConfirm } from './Dialog';
import { errorText } from './errors';
import { Note } from './ui';

type Msg = { kind: 'ok' | 'info' | 'error'; text: string };

export function CalendarCard() {
  const [url, setUrl] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>();
  const input = useRef<HTMLTextAreaElement>(null);
  const { ask, dialog } = useConfirm();

  const create = async () => {
    setBusy(true);
    setMsg(undefined);
    try {
      const r = unwrap(await api.POST('/auth/calendar-token'));
      setUrl(r.url);
      setMsg({ kind: 'ok', text: t('calendar.created') });
      // The field appears in this render; focus it next frame so a screen reader reads the link.
      requestAnimationFrame(() => input.current?.focus());
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    const el = input.current;
    if (!url || !el) return;
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setMsg({ kind: 'ok', text: t('calendar.copied') });
    } catch {
      // No clipboard (an http page, a refused permission): select the text for the user to copy.
      el.focus();
      el.select();
      el.setSelectionRange(0, url.length);
      setMsg({ kind: 'info', text: t('calendar.copyManual') });
    }
  };

  const renew = () =>
    ask({
      title: t('calendar.renewTitle'),
      body: <p>{t('calendar.renewBody')}</p>,
      confirm: t('calendar.renewConfirm'),
      onConfirm: create,
    });

  const stop = () =>
    ask({
      title: t('calendar.stopTitle'),
      body: <p>{t('calendar.stopBody')}</p>,
      confirm: t('calendar.stop'),
      danger: true,
      onConfirm: async () => {
        const r = unwrap(await api.DELETE('/auth/calendar-token'));
        setUrl(undefined);
        setMsg(
          r.revoked
            ? { kind: 'ok', text: t('calendar.stopped') }
            : { kind: 'info', text: t('calendar.nothingToStop') },
        );
      },
    });

  return (
    <section class="card calendar-card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">{t('calendar.title')}</h2>
      <p>{t('calendar.lead')}</p>
      {url ? (
        <div class="field">
          <label for="calendar-url">{t('calendar.url')}</label>
          <div class="copy-row">
            {/* A textarea: the whole link wraps into view, even at 360 px. */}
            <textarea
              id="calendar-url"
              ref={input}
              readOnly
              rows={2}
              spellcheck={false}
              value={url}
              class="mono copy-input"
              aria-describedby="calendar-url-hint"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" class="btn btn-primary" onClick={copy}>
              {t('calendar.copy')}
            </button>
          </div>
          <small id="calendar-url-hint" class="hint">
            {t('calendar.urlHint')}
          </small>
        </div>
      ) : (
        <p class="hint">{t('calendar.notShown')}</p>
      )}
      <div class="toolbar">
        <button
          type="button"
          class={`btn ${url ? 'btn-secondary' : 'btn-primary'}`}
          disabled={busy}
          onClick={url ? renew : create}
        >
          {t(url ? 'calendar.renew' : 'calendar.create')}
        </button>
        <button type="button" class="btn btn-secondary" disabled={busy} onClick={stop}>
          {t('calendar.stop')}
        </button>
      </div>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {dialog}
    </section>
  );
}
