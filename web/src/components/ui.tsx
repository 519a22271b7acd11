/** Small shared pieces: loading placeholder, empty and error notes, pager, status badge. */
import type { ComponentChildren } from 'preact';
import type { Status } from '../api/types';
import { type MessageKey, t } from '../i18n';
import { errorText } from './errors';

/** Placeholder with the height of what will come, so the page does not jump when data arrives. */
export function Loading({ lines = 3 }: { lines?: number }) {
  return (
    <div class="skeleton" aria-busy="true" role="status">
      <span class="visually-hidden">{t('app.loading')}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="skeleton-line" />
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="note note-error" role="alert">
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" class="btn btn-secondary" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

export function Note({
  kind,
  children,
}: {
  kind: 'ok' | 'warn' | 'error' | 'info';
  children: ComponentChildren;
}) {
  return (
    <div class={`note note-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: Status | null | undefined }) {
  const key = (status ? `status.${status}` : 'status.none') as MessageKey;
  return <span class={`badge badge-${status ?? 'none'}`}>{t(key)}</span>;
}

export function Pager(p: { page: number; pages: number; onPage: (n: number) => void }) {
  if (p.pages <= 1) return null;
  return (
    <nav class="pager" aria-label={t('app.page', { page: p.page, pages: p.pages })}>
      <button
        type="button"
        class="btn btn-secondary"
        disabled={p.page <= 1}
        onClick={() => p.onPage(p.page - 1)}
      >
        {t('app.previous')}
      </button>
      <span>{t('app.page', { page: p.page, pages: p.pages })}</span>
      <button
        type="button"
        class="btn btn-secondary"
        disabled={p.page >= p.pages}
        onClick={() => p.onPage(p.page + 1)}
      >
        {t('app.next')}
      </button>
    </nav>
  );
}

export function Field(p: { label: string; id: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.children}
      {p.hint && (
        <small id={`${p.id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
    </div>
  );
}

/** The end of an edit form: its error (a reserved slot, so nothing jumps), Save and Cancel. */
export function SaveCancel({ error, onCancel }: { error?: string; onCancel: () => void }) {
  return (
    <>
      <div class="note-slot">{error && <Note kind="error">{error}</Note>}</div>
      <div class="toolbar">
        <button class="btn btn-primary" type="submit">
          {t('app.save')}
        </button>
        <button class="btn btn-secondary" type="button" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </div>
    </>
  );
}
