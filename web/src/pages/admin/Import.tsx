/** CSV import of users: a file or pasted text; per-row results, generated passwords shown once. */
import { useState } from 'preact/hooks';
import { authFetch, toApiError } from '../../api/client';
import type { Data } from '../../api/types';
import { errorText } from '../../components/errors';
import { Field, Note } from '../../components/ui';
import { t } from '../../i18n';

type Result = Data<'/admin/users/bulk', 'post'>;

export function Import() {
  const [text, setText] = useState('name,email,role,password\n');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();

  const pick = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const res = await authFetch(
        new Request(new URL('/admin/users/bulk', location.origin), {
          method: 'POST',
          headers: { 'content-type': 'text/csv' },
          body: text,
        }),
      );
      const body = await res.json();
      if (!res.ok) throw toApiError(res, body);
      setResult(body.data as Result);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="card form" onSubmit={run}>
        <p id="import-lead">{t('admin.importLead')}</p>
        <Field label={t('admin.importFile')} id="import-file">
          <input id="import-file" type="file" accept=".csv,text/csv" onChange={pick} />
        </Field>
        <Field label={t('admin.importText')} id="import-text">
          <textarea
            id="import-text"
            rows={8}
            value={text}
            aria-describedby="import-lead"
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </Field>
        <div class="note-slot" aria-live="polite">
          {busy && <p role="status">{t('app.loading')}</p>}
          {error && <Note kind="error">{error}</Note>}
          {result && (
            <Note kind={result.failed ? 'warn' : 'ok'}>
              {t('admin.importDone', { created: result.created, failed: result.failed })}
            </Note>
          )}
        </div>
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {t('admin.importRun')}
        </button>
      </form>
      {result && result.results.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('admin.import')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.row')}</th>
                <th scope="col">{t('admin.email')}</th>
                <th scope="col">{t('admin.result')}</th>
                <th scope="col">{t('admin.importPassword')}</th>
              </tr>
            </thead>
            <tbody>
              {result.results.map((r) => (
                <tr key={r.row}>
                  <td>{r.row}</td>
                  <td>{r.email ?? '—'}</td>
                  <td>
                    {r.status === 'created'
                      ? '✓'
                      : (r.errors ?? []).map((x) => `${x.field}: ${x.message}`).join('; ')}
                  </td>
                  <td>{r.password ? <code>{r.password}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
