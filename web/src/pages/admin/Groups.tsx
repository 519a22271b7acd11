/** Groups and rosters: create, open one, add students (searched), remove members, delete. */
import { useState } from 'preact/hooks';
import { api, unwrap, unwrapPage } from '../../api/client';
import { errorText } from '../../components/errors';
import { Empty, ErrorNote, Field, Loading, Note } from '../../components/ui';
import { t } from '../../i18n';
import { useAsync } from '../../lib/use-async';

export function Groups() {
  const [open, setOpen] = useState<string>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const list = useAsync(
    async () => unwrapPage(await api.GET('/admin/groups', { params: { query: { per_page: 100 } } })).items,
    [],
  );
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name')).trim();
    try {
      const g = unwrap(await api.POST('/admin/groups', { body: { name } }));
      form.reset();
      setOpen(g.group_id);
      setMsg({ kind: 'ok', text: t('app.saved') });
      list.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  return (
    <>
      <form class="toolbar" onSubmit={create}>
        <label for="group-name">{t('admin.groupName')}</label>
        <input id="group-name" name="name" required maxLength={200} />
        <button class="btn btn-primary" type="submit">
          {t('admin.newGroup')}
        </button>
      </form>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={4} />
      ) : list.data.length === 0 ? (
        <Empty>{t('admin.noGroups')}</Empty>
      ) : (
        <ul class="list">
          {list.data.map((g) => (
            <li key={g.group_id} class="group">
              <button
                type="button"
                class="list-row linkish"
                aria-expanded={open === g.group_id}
                onClick={() => setOpen(open === g.group_id ? undefined : g.group_id)}
              >
                <strong>{g.name}</strong>
                <span class="muted">{t('admin.memberCount', { count: g.member_count })}</span>
              </button>
              {open === g.group_id && <Roster groupId={g.group_id} onChanged={list.reload} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Roster({ groupId, onChanged }: { groupId: string; onChanged: () => void }) {
  const g = useAsync(
    async () =>
      unwrap(await api.GET('/admin/groups/{group_id}', { params: { path: { group_id: groupId } } })),
    [groupId],
  );
  const [q, setQ] = useState('');
  const found = useAsync(
    async () =>
      q.length < 2
        ? []
        : unwrapPage(
            await api.GET('/admin/users', { params: { query: { q, role: 'student', per_page: 10 } } }),
          ).items,
    [q],
  );
  const [error, setError] = useState<unknown>();
  const change = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      g.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const members = new Set(g.data?.members.map((m) => m.user_id));
  return (
    <div class="roster">
      {error ? <ErrorNote error={error} /> : null}
      {!g.data ? (
        <Loading lines={2} />
      ) : g.data.members.length === 0 ? (
        <Empty>{t('admin.noMembers')}</Empty>
      ) : (
        <ul class="list">
          {g.data.members.map((m) => (
            <li key={m.user_id} class="list-row">
              <span>
                {m.name} <span class="muted small">{m.email}</span>
              </span>
              <button
                type="button"
                class="btn btn-small btn-secondary"
                onClick={() =>
                  change(async () =>
                    unwrap(
                      await api.DELETE('/admin/groups/{group_id}/members/{user_id}', {
                        params: { path: { group_id: groupId, user_id: m.user_id } },
                      }),
                    ),
                  )
                }
              >
                {t('admin.remove')}
                <span class="visually-hidden"> {m.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <Field label={t('admin.addMembers')} id={`add-${groupId}`}>
        <input
          id={`add-${groupId}`}
          type="search"
          placeholder={t('admin.search')}
          value={q}
          onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        />
      </Field>
      <ul class="list">
        {(found.data ?? [])
          .filter((u) => !members.has(u.user_id))
          .map((u) => (
            <li key={u.user_id} class="list-row">
              <span>
                {u.name} <span class="muted small">{u.email}</span>
              </span>
              <button
                type="button"
                class="btn btn-small"
                onClick={() =>
                  change(async () =>
                    unwrap(
                      await api.POST('/admin/groups/{group_id}/members', {
                        params: { path: { group_id: groupId } },
                        body: { user_ids: [u.user_id] },
                      }),
                    ),
                  )
                }
              >
                + <span class="visually-hidden">{t('admin.addMembers')}: </span>
                {u.name}
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}
