/**
 * An in-page confirmation (instead of confirm()/prompt()): a modal <dialog> — focus moves into it
 * and stays there, Escape cancels, focus returns to the button that opened it — with an optional
 * note field and the action's own words on the confirm button.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { errorText } from './errors';
import { Note } from './ui';

export interface ConfirmRequest {
  title: string;
  body?: ComponentChildren;
  confirm: string;
  danger?: boolean;
  /** Shows a note field with this label; its text is passed to onConfirm. */
  noteLabel?: string;
  /** Runs the action; a thrown error is shown in the dialog, which stays open. */
  onConfirm: (note: string) => Promise<void> | void;
}

let seq = 0;

export function ConfirmDialog({ req, onClose }: { req: ConfirmRequest; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [id] = useState(() => `dlg-${++seq}`);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => opener?.focus?.();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await req.onConfirm(note.trim());
      ref.current?.close();
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form method="dialog" onSubmit={submit}>
        <h2 id={`${id}-title`}>{req.title}</h2>
        {req.body && <div class="dialog-body">{req.body}</div>}
        {req.noteLabel && (
          <div class="field">
            <label for={`${id}-note`}>{req.noteLabel}</label>
            <textarea
              id={`${id}-note`}
              rows={2}
              maxLength={2000}
              value={note}
              onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </div>
        )}
        <div class="note-slot" aria-live="polite">
          {error && <Note kind="error">{error}</Note>}
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('app.cancel')}
          </button>
          <button type="submit" class={`btn ${req.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {req.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** One dialog at a time for a page: `ask({...})` opens it, `dialog` renders it. */
export function useConfirm(): { ask: (r: ConfirmRequest) => void; dialog: ComponentChildren } {
  const [req, setReq] = useState<ConfirmRequest>();
  return {
    ask: setReq,
    dialog: req ? <ConfirmDialog req={req} onClose={() => setReq(undefined)} /> : null,
  };
}
