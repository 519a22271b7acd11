/** Users: search, filter by role, create, edit, deactivate / reactivate. */
import { useState } from 'preact/hooks';
import { api, ensureOk, unwrap, unwrapPage } from '../../api/client';
import type { Role, User } from '../../api/types';
import { useConfirm } from '../../components/Dialog';
import { errorText } from '../../components/errors';
import { Empty, ErrorNote, Field, Loading, Note, Pager, SaveCancel } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { dateTime } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

const ROLES: Role[] = ['student', 'teacher', 'admin'];

export function Users() {
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<User | 'new'>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const { ask, dialog } = useConfirm();
  const list = useAsync(
    async () =>
      unwrapPage(
        await api.GET('/admin/users', {
          params: { query: { q: q || undefined, role: role || undefined, page, per_page: 20 } },
        }),
      ),
    [q, role, page],
  );

  const setActive = async (u: User, active: boolean) => {
    if (active)
      unwrap(
        await api.PUT('/admin/users/{user_id}', {
          params: { path: { user_id: u.user_id } },
          body: { is_active: true },
        }),
      );
    else ensureOk(await api.DELETE('/admin/users/{user_id}', { params: { path: { user_id: u.user_id } } }));
    setMsg({ kind: 'ok', text: t('app.saved') });
    list.reload();
  };
  const deactivate = (u: User) => {
    if (!u.is_active)
      return setActive(u, true).catch((err) => setMsg({ kind: 'error', text: errorText(err) }));
    ask({
      title: t('admin.deactivateTitle', { name: u.name }),
      body: <p>{t('admin.confirmDeactivate', { name: u.name })}</p>,
      confirm: t('admin.deactivate'),
      danger: true,
      onConfirm: () => setActive(u, false),
    });
  };

  return (
    <>
      <search class="toolbar">
        <label class="visually-hidden" for="user-q">
          {t('admin.search')}
        </label>
        <input
          id="user-q"
          type="search"
          placeholder={t('admin.search')}
          value={q}
          onInput={(e) => {
            setQ((e.currentTarget as HTMLInputElement).value);
            setPage(1);
          }}
        />
        <label class="visually-hidden" for="user-role">
          {t('admin.role')}
        </label>
        <select
          id="user-role"
          value={role}
          onChange={(e) => {
            setRole((e.currentTarget as HTMLSelectElement).value as Role | '');
            setPage(1);
          }}
        >
          <option value="">{t('admin.anyRole')}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
          {t('admin.newUser')}
        </button>
      </search>
      {editing && (
        <UserForm
          user={editing === 'new' ? undefined : editing}
          onDone={(text) => {
            setEditing(undefined);
            if (text) {
              setMsg({ kind: 'ok', text });
              list.reload();
            }
          }}
        />
      )}
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={6} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('admin.noUsers')}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('admin.users')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('admin.role')}</th>
                <th scope="col">{t('admin.lastLogin')}</th>
                <th scope="col">{t('teacher.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((u) => (
                <tr key={u.user_id} class={u.is_active ? '' : 'inactive'}>
                  <th scope="row">
                    {u.name}
                    <br />
                    <span class="muted small">{u.email}</span>
                  </th>
                  <td>
                    {t(`role.${u.role}` as MessageKey)}
                    {!u.is_active && <span class="badge badge-none">{t('admin.inactive')}</span>}
                  </td>
                  <td>{u.last_login_at ? dateTime(u.last_login_at) : t('admin.never')}</td>
                  <td class="actions">
                    <button type="button" class="btn btn-small btn-secondary" onClick={() => setEditing(u)}>
                      {t('admin.edit')}
                      <span class="visually-hidden"> {u.name}</span>
                    </button>
                    <button type="button" class="btn btn-small btn-secondary" onClick={() => deactivate(u)}>
                      {u.is_active ? t('admin.deactivate') : t('admin.reactivate')}
                      <span class="visually-hidden"> {u.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager page={list.data.page} pages={list.data.pages} onPage={setPage} />}
      {dialog}
    </>
  );
}

function UserForm({ user, onDone }: { user?: User; onDone: (msg?: string) => void }) {
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const name = String(f.get('name')).trim();
    const email = String(f.get('email')).trim();
    const role = String(f.get('role')) as Role;
    const password = String(f.get('password') ?? '');
    try {
      if (user) {
        unwrap(
          await api.PUT('/admin/users/{user_id}', {
            params: { path: { user_id: user.user_id } },
            body: { name, email, role, ...(password ? { password } : {}) },
          }),
        );
      } else {
        unwrap(await api.POST('/admin/users', { body: { name, email, role, password } }));
      }
      onDone(t('app.saved'));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const id = user?.user_id ?? 'new';
  return (
    <form
      class="card form"
      onSubmit={submit}
      aria-label={user ? t('admin.editUser', { name: user.name }) : t('admin.newUser')}
    >
      <h2>{user ? t('admin.editUser', { name: user.name }) : t('admin.newUser')}</h2>
      <div class="row">
        <Field label={t('admin.name')} id={`u-name-${id}`}>
          <input id={`u-name-${id}`} name="name" required defaultValue={user?.name} />
        </Field>
        <Field label={t('admin.email')} id={`u-email-${id}`}>
          <input id={`u-email-${id}`} name="email" type="email" required defaultValue={user?.email} />
        </Field>
        <Field label={t('admin.role')} id={`u-role-${id}`}>
          <select id={`u-role-${id}`} name="role" defaultValue={user?.role ?? 'student'}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={user ? t('admin.passwordKeep') : t('admin.password')} id={`u-pw-${id}`}>
          <input
            id={`u-pw-${id}`}
            name="password"
            type="password"
            autoComplete="new-password"
            required={!user}
          />
        </Field>
      </div>
      <SaveCancel error={error} onCancel={() => onDone()} />
    </form>
  );
}
