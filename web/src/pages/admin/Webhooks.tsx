/**
 * Webhook endpoints: create (the signing secret is shown once), pause, rotate the secret, delete,
 * and each endpoint's delivery log with every attempt and a manual retry.
 */
import { useState } from 'preact/hooks';
import { api, ensureOk, unwrap, unwrapPage } from '../../api/client';
import type { Data } from '../../api/types';
import { useConfirm } from '../../components/Dialog';
import { errorText } from '../../components/errors';
import { Empty, ErrorNote, Field, Loading, Note, Pager, SaveCancel } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { dateTime } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

type Hook = Data<'/admin/webhooks/{webhook_id}', 'get'>;
type Delivery = Data<'/admin/webhooks/{webhook_id}/deliveries', 'get'>[number];

const EVENTS = [
  'attendance.recorded',
  'attendance.changed',
  'session.closed',
  'warning.triggered',
  'user.created',
] as const;
type Event = (typeof EVENTS)[number];

export function Webhooks() {
  const hooks = useAsync(
    async () => unwrapPage(await api.GET('/admin/webhooks', { params: { query: { per_page: 100 } } })).items,
    [],
  );
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string }>();
  const [open, setOpen] = useState<string>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const { ask, dialog } = useConfirm();

  const toggle = async (h: Hook) => {
    try {
      unwrap(
        await api.PUT('/admin/webhooks/{webhook_id}', {
          params: { path: { webhook_id: h.webhook_id } },
          body: { is_active: !h.is_active },
        }),
      );
      setMsg({ kind: 'ok', text: t('app.saved') });
      hooks.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const rotate = (h: Hook) =>
    ask({
      title: t('hooks.rotateTitle'),
      body: <p>{t('hooks.rotateBody', { url: h.url })}</p>,
      confirm: t('hooks.rotate'),
      danger: true,
      async onConfirm() {
        const r = unwrap(
          await api.POST('/admin/webhooks/{webhook_id}/rotate-secret', {
            params: { path: { webhook_id: h.webhook_id } },
          }),
        );
        setSecret({ url: h.url, secret: r.secret });
        setMsg(undefined);
      },
    });
  const remove = (h: Hook) =>
    ask({
      title: t('hooks.deleteTitle'),
      body: <p>{t('hooks.deleteBody', { url: h.url })}</p>,
      confirm: t('hooks.delete'),
      danger: true,
      async onConfirm() {
        ensureOk(
          await api.DELETE('/admin/webhooks/{webhook_id}', {
            params: { path: { webhook_id: h.webhook_id } },
          }),
        );
        setMsg({ kind: 'ok', text: t('hooks.deleted') });
        hooks.reload();
      },
    });

  return (
    <>
      <p class="lead">{t('hooks.lead')}</p>
      <p>
        <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
          {t('hooks.new')}
        </button>
      </p>
      {creating && (
        <HookForm
          onDone={(created) => {
            setCreating(false);
            if (created) {
              setSecret({ url: created.url, secret: created.secret });
              hooks.reload();
            }
          }}
        />
      )}
      <div class="note-slot" aria-live="polite">
        {secret && (
          <Note kind="warn">
            <p>{t('hooks.secretOnce', { url: secret.url })}</p>
            <p>
              <code class="secret">{secret.secret}</code>
            </p>
            <button type="button" class="btn btn-secondary btn-small" onClick={() => setSecret(undefined)}>
              {t('hooks.secretSaved')}
            </button>
          </Note>
        )}
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {hooks.error ? <ErrorNote error={hooks.error} onRetry={hooks.reload} /> : null}
      {!hooks.data ? (
        <Loading lines={3} />
      ) : hooks.data.length === 0 ? (
        <Empty>{t('hooks.empty')}</Empty>
      ) : (
        <ul class="cards cards-wide">
          {hooks.data.map((h) => (
            <li key={h.webhook_id}>
              <article class="card" aria-label={h.url}>
                <div class="card-head">
                  <h3 class="wrap-anywhere">{h.url}</h3>
                  {!h.is_active && <span class="badge badge-none">{t('hooks.paused')}</span>}
                </div>
                {h.description && <p class="muted">{h.description}</p>}
                <p class="small">{h.events.map((e) => t(`hooks.event.${e}` as MessageKey)).join(', ')}</p>
                <div class="toolbar">
                  <button
                    type="button"
                    class="btn btn-small btn-secondary"
                    aria-expanded={open === h.webhook_id}
                    onClick={() => setOpen(open === h.webhook_id ? undefined : h.webhook_id)}
                  >
                    {t('hooks.deliveries')}
                  </button>
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => toggle(h)}>
                    {h.is_active ? t('hooks.pause') : t('hooks.resume')}
                  </button>
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => rotate(h)}>
                    {t('hooks.rotate')}
                  </button>
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => remove(h)}>
                    {t('hooks.delete')}
                  </button>
                </div>
                {open === h.webhook_id && <Deliveries hook={h} />}
              </article>
            </li>
          ))}
        </ul>
      )}
      {dialog}
    </>
  );
}

function HookForm({ onDone }: { onDone: (created?: { url: string; secret: string }) => void }) {
  const [error, setError] = useState<string>();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const events = EVENTS.filter((ev) => f.get(`ev-${ev}`) === 'on') as Event[];
    if (!events.length) return setError(t('hooks.pickEvent'));
    try {
      const r = unwrap(
        await api.POST('/admin/webhooks', {
          body: {
            url: String(f.get('url')).trim(),
            events,
            description: String(f.get('description') ?? '').trim() || null,
          },
        }),
      );
      onDone({ url: r.url, secret: r.secret });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-label={t('hooks.new')}>
      <h2>{t('hooks.new')}</h2>
      <Field label={t('hooks.url')} id="hook-url" hint={t('hooks.urlHint')}>
        <input
          id="hook-url"
          name="url"
          type="url"
          required
          maxLength={2048}
          aria-describedby="hook-url-hint"
        />
      </Field>
      <Field label={t('hooks.description')} id="hook-desc">
        <input id="hook-desc" name="description" maxLength={500} />
      </Field>
      <fieldset>
        <legend>{t('hooks.events')}</legend>
        {EVENTS.map((ev) => (
          <label class="check" key={ev}>
            <input type="checkbox" name={`ev-${ev}`} defaultChecked={ev !== 'user.created'} />
            {t(`hooks.event.${ev}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <SaveCancel error={error} onCancel={() => onDone()} />
    </form>
  );
}

function Deliveries({ hook }: { hook: Hook }) {
  const [page, setPage] = useState(1);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const list = useAsync(
    async () =>
      unwrapPage(
        await api.GET('/admin/webhooks/{webhook_id}/deliveries', {
          params: { path: { webhook_id: hook.webhook_id }, query: { page, per_page: 10 } },
        }),
      ),
    [hook.webhook_id, page],
  );
  const retry = async (d: Delivery) => {
    try {
      unwrap(
        await api.POST('/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry', {
          params: { path: { webhook_id: hook.webhook_id, delivery_id: d.delivery_id } },
        }),
      );
      setMsg({ kind: 'ok', text: t('hooks.retried') });
      list.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  return (
    <section aria-label={t('hooks.deliveriesOf', { url: hook.url })} class="deliveries">
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={2} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('hooks.noDeliveries')}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('hooks.deliveriesOf', { url: hook.url })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('hooks.event')}</th>
                <th scope="col">{t('hooks.state')}</th>
                <th scope="col">{t('hooks.lastAttempt')}</th>
                <th scope="col">{t('teacher.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.delivery_id}>
                  <td>
                    {d.event_type}
                    <br />
                    <span class="muted small">{dateTime(d.created_at)}</span>
                  </td>
                  <td>
                    <span
                      class={`badge badge-${d.state === 'delivered' ? 'present' : d.state === 'failed' ? 'absent' : 'none'}`}
                    >
                      {t(`hooks.state.${d.state}` as MessageKey)}
                    </span>
                    <br />
                    <span class="muted small">{t('hooks.attempts', { n: d.attempts })}</span>
                  </td>
                  <td>
                    {d.last_status_code ?? '—'}
                    {d.last_error && <span class="muted small"> {d.last_error}</span>}
                    {d.next_attempt_at && d.state === 'pending' && (
                      <>
                        <br />
                        <span class="muted small">
                          {t('hooks.next', { time: dateTime(d.next_attempt_at) })}
                        </span>
                      </>
                    )}
                  </td>
                  <td class="actions">
                    {d.state !== 'delivered' && (
                      <button type="button" class="btn btn-small btn-secondary" onClick={() => retry(d)}>
                        {t('hooks.retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager page={list.data.page} pages={list.data.pages} onPage={setPage} />}
    </section>
  );
}
