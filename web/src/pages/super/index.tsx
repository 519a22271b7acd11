/** Super admin: organizations (list, create, open one's settings). */
import { useState } from 'preact/hooks';
import { api, unwrap, unwrapPage } from '../../api/client';
import { errorText } from '../../components/errors';
import { Layout } from '../../components/Layout';
import { Empty, ErrorNote, Field, Loading, Note, Pager } from '../../components/ui';
import { t } from '../../i18n';
import { useAsync } from '../../lib/use-async';
import { OrgSettings } from '../admin/OrgSettings';

export function SuperPages(_: { path: string }) {
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const list = useAsync(
    async () =>
      unwrapPage(await api.GET('/admin/organizations', { params: { query: { page, per_page: 20 } } })),
    [page],
  );
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    try {
      unwrap(
        await api.POST('/admin/organizations', {
          body: { name: String(f.get('name')).trim(), timezone: String(f.get('timezone') || 'UTC') },
        }),
      );
      form.reset();
      setMsg({ kind: 'ok', text: t('app.saved') });
      list.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  return (
    <Layout nav={[{ href: '/app/super', label: 'super.title' }]} title={t('super.title')}>
      <form class="card form" onSubmit={create}>
        <h2>{t('super.new')}</h2>
        <div class="row">
          <Field label={t('admin.orgName')} id="new-org-name">
            <input id="new-org-name" name="name" required />
          </Field>
          <Field label={t('admin.timezone')} id="new-org-tz">
            <input id="new-org-tz" name="timezone" placeholder="Europe/Berlin" />
          </Field>
        </div>
        <button class="btn btn-primary" type="submit">
          {t('super.new')}
        </button>
      </form>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={5} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('super.empty')}</Empty>
      ) : (
        <ul class="list">
          {list.data.items.map((o) => (
            <li key={o.org_id} class="group">
              <button
                type="button"
                class="list-row linkish"
                aria-expanded={open === o.org_id}
                onClick={() => setOpen(open === o.org_id ? undefined : o.org_id)}
              >
                <strong>{o.name}</strong>
                <span class="muted">{o.timezone}</span>
              </button>
              {open === o.org_id && <OrgSettings orgId={o.org_id} />}
            </li>
          ))}
        </ul>
      )}
      {list.data && <Pager page={list.data.page} pages={list.data.pages} onPage={setPage} />}
    </Layout>
  );
}
