/**
 * CSV import of users: a file or pasted text, run as a job (`Prefer: respond-async` → 202 {job_id};
 * GET /admin/jobs/{id} is polled for progress); per-row results, generated passwords shown once.
 */
import { useState } from 'preact/hooks';
import { api, authFetch, toApiError, unwrap } from '../../api/client';
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
  const [progress, setProgress] = useState<{ done: number; total: number }>();

  const pick = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    setProgress(undefined);
    try {
      const res = await authFetch(
        new Request(new URL('/admin/users/bulk', location.origin), {
          method: 'POST',
          headers: { 'content-type': 'text/csv', prefer: 'respond-async' },
          body: text,
        }),
      );
      const body = await res.json();
      if (!res.ok) throw toApiError(res, body);
      if (res.status !== 202) return setResult(body.data as Result);
      const jobId = (body.data as { job_id: string }).job_id;
      for (;;) {
        const job = unwrap(await api.GET('/admin/jobs/{job_id}', { params: { path: { job_id: jobId } } }));
        setProgress(job.progress);
        if (job.state === 'done') return setResult(job.result as unknown as Result);
        if (job.state === 'failed') throw new Error(job.error ?? 'failed');
        await new Promise((r) => setTimeout(r, 700));
      }
    } catch (err) {
      setError(
        err instanceof Error && !('status' in err)
          ? t('admin.importFailed', { reason: err.message })
          : errorText(err),
      );
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
          {busy && (
            <div role="status" class="import-progress">
              <progress
                max={progress?.total || 1}
                value={progress?.total ? progress.done : undefined}
                aria-label={t('admin.importProgressLabel')}
              />
              <p>
                {progress?.total
                  ? t('admin.importProgress', { done: progress.done, total: progress.total })
                  : t('admin.importStarting')}
              </p>
            </div>
          )}
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
