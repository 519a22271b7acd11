/** The audit log: who did what when, filtered by kind of action and dates, with a CSV export. */
import { useState } from 'preact/hooks';
import { api, unwrapPage } from '../../api/client';
import { errorText } from '../../components/errors';
import { Empty, ErrorNote, Field, Loading, Note, Pager } from '../../components/ui';
import { t } from '../../i18n';
import { downloadFile } from '../../lib/download';
import { dateTime } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

/** Object prefixes the filter offers (the API matches `user.` as a prefix). */
const OBJECTS = [
  'auth.',
  'user.',
  'group.',
  'session.',
  'record.',
  'review.',
  'organization.',
  'webhook.',
  'warning_rule.',
  'job.',
  'maintenance.',
] as const;

export function Audit() {
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const [msg, setMsg] = useState<string>();
  const query = {
    action: action || undefined,
    from: from || undefined,
    to: to || undefined,
  };
  const list = useAsync(
    async () =>
      unwrapPage(await api.GET('/admin/audit', { params: { query: { ...query, page, per_page: 25 } } })),
    [action, from, to, page],
  );
  const exportCsv = async () => {
    setMsg(undefined);
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => Boolean(e[1])));
    try {
      await downloadFile(`/admin/audit/export.csv?${qs}`, 'audit.csv');
    } catch (err) {
      setMsg(errorText(err));
    }
  };

  return (
    <>
      <search class="toolbar filters">
        <Field label={t('audit.action')} id="audit-action">
          <select
            id="audit-action"
            value={action}
            onChange={(e) => {
              setAction((e.currentTarget as HTMLSelectElement).value);
              setPage(1);
            }}
          >
            <option value="">{t('audit.anyAction')}</option>
            {OBJECTS.map((o) => (
              <option key={o} value={o}>
                {t(`audit.object.${o.slice(0, -1)}` as Parameters<typeof t>[0])}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('audit.from')} id="audit-from">
          <input
            id="audit-from"
            type="date"
            value={from}
            onChange={(e) => {
              setFrom((e.currentTarget as HTMLInputElement).value);
              setPage(1);
            }}
          />
        </Field>
        <Field label={t('audit.to')} id="audit-to">
          <input
            id="audit-to"
            type="date"
            value={to}
            onChange={(e) => {
              setTo((e.currentTarget as HTMLInputElement).value);
              setPage(1);
            }}
          />
        </Field>
        <button type="button" class="btn btn-secondary" onClick={exportCsv}>
          {t('audit.export')}
        </button>
      </search>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind="error">{msg}</Note>}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={8} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('audit.empty')}</Empty>
      ) : (
        <ul class="list audit-list">
          {list.data.items.map((a) => (
            <li key={a.audit_id} class="list-row list-row-top">
              <div class="audit-entry">
                <p>
                  <code class="audit-action">{a.action}</code>
                  {a.target_type && (
                    <span class="muted small">
                      {' '}
                      {t('audit.on', {
                        type: a.target_type,
                        id: a.target_id ? `…${a.target_id.slice(-8)}` : '',
                      })}
                    </span>
                  )}
                </p>
                <p class="muted small">
                  {dateTime(a.created_at)} · {a.actor_name ?? t('audit.system')}
                  {a.actor_email && ` (${a.actor_email})`}
                  {a.ip_address && ` · ${a.ip_address}`}
                </p>
                {a.details && Object.keys(a.details).length > 0 && (
                  <details>
                    <summary>{t('audit.show')}</summary>
                    <pre>{JSON.stringify(a.details, null, 2)}</pre>
                  </details>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.data && <Pager page={list.data.page} pages={list.data.pages} onPage={setPage} />}
    </>
  );
}
