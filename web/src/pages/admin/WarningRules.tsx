/**
 * Warning rules (evaluated when a session closes: attendance rate below a threshold, or N absences
 * in a row) and the warnings already sent, with whom they went to and why.
 */
import { useState } from 'preact/hooks';
import { api, ensureOk, unwrap, unwrapPage } from '../../api/client';
import type { Body, Data } from '../../api/types';
import { useConfirm } from '../../components/Dialog';
import { errorText } from '../../components/errors';
import { Empty, ErrorNote, Field, Loading, Note, Pager, SaveCancel } from '../../components/ui';
import { t } from '../../i18n';
import { dateTime, percent } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

type Rule = Data<'/admin/warning-rules/{rule_id}', 'get'>;
type RuleBody = Body<'/admin/warning-rules', 'post'>;
type Kind = Rule['kind'];

const describe = (r: Rule): string =>
  r.kind === 'rate_below'
    ? t('rules.rateBelowIs', { rate: percent(r.threshold), min: r.min_sessions })
    : t('rules.absencesIs', { count: r.threshold, min: r.min_sessions });

function notifyText(r: Rule): string {
  const who = [
    r.notify.student && t('rules.notifyStudent'),
    r.notify.teachers && t('rules.notifyTeachers'),
    r.notify.admins && t('rules.notifyAdmins'),
    ...r.notify.emails,
  ].filter(Boolean);
  return who.length ? who.join(', ') : '—';
}

export function WarningRules() {
  const rules = useAsync(
    async () =>
      unwrapPage(await api.GET('/admin/warning-rules', { params: { query: { per_page: 100 } } })).items,
    [],
  );
  const groups = useAsync(
    async () => unwrapPage(await api.GET('/admin/groups', { params: { query: { per_page: 100 } } })).items,
    [],
  );
  const [editing, setEditing] = useState<Rule | 'new'>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const { ask, dialog } = useConfirm();
  const groupName = (id: string | null) =>
    id ? (groups.data?.find((g) => g.group_id === id)?.name ?? '—') : t('rules.allGroups');

  const toggle = async (r: Rule) => {
    try {
      unwrap(
        await api.PUT('/admin/warning-rules/{rule_id}', {
          params: { path: { rule_id: r.rule_id } },
          body: { is_active: !r.is_active },
        }),
      );
      setMsg({ kind: 'ok', text: t('app.saved') });
      rules.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const remove = (r: Rule) =>
    ask({
      title: t('rules.deleteTitle', { name: r.name }),
      body: <p>{t('rules.deleteBody')}</p>,
      confirm: t('rules.delete'),
      danger: true,
      async onConfirm() {
        ensureOk(
          await api.DELETE('/admin/warning-rules/{rule_id}', { params: { path: { rule_id: r.rule_id } } }),
        );
        setMsg({ kind: 'ok', text: t('rules.deleted', { name: r.name }) });
        rules.reload();
      },
    });

  return (
    <>
      <p class="lead">{t('rules.lead')}</p>
      <p>
        <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
          {t('rules.new')}
        </button>
      </p>
      {editing && (
        <RuleForm
          rule={editing === 'new' ? undefined : editing}
          groups={groups.data ?? []}
          onDone={(text) => {
            setEditing(undefined);
            if (text) {
              setMsg({ kind: 'ok', text });
              rules.reload();
            }
          }}
        />
      )}
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      {rules.error ? <ErrorNote error={rules.error} onRetry={rules.reload} /> : null}
      {!rules.data ? (
        <Loading lines={3} />
      ) : rules.data.length === 0 ? (
        <Empty>{t('rules.empty')}</Empty>
      ) : (
        <ul class="cards cards-wide">
          {rules.data.map((r) => (
            <li key={r.rule_id}>
              <article class={`card ${r.is_active ? '' : 'inactive'}`} aria-labelledby={`rule-${r.rule_id}`}>
                <div class="card-head">
                  <h3 id={`rule-${r.rule_id}`}>{r.name}</h3>
                  {!r.is_active && <span class="badge badge-none">{t('rules.paused')}</span>}
                </div>
                <p>{describe(r)}</p>
                <p class="muted small">
                  {groupName(r.group_id)} · {t('rules.notifyIs', { who: notifyText(r) })} ·{' '}
                  {t('rules.cooldownIs', { days: r.cooldown_days })}
                </p>
                <div class="toolbar">
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => setEditing(r)}>
                    {t('admin.edit')}
                    <span class="visually-hidden"> {r.name}</span>
                  </button>
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => toggle(r)}>
                    {r.is_active ? t('rules.pause') : t('rules.resume')}
                    <span class="visually-hidden"> {r.name}</span>
                  </button>
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => remove(r)}>
                    {t('rules.delete')}
                    <span class="visually-hidden"> {r.name}</span>
                  </button>
                </div>
              </article>
            </li>
          ))}
        </ul>
      )}
      <SentWarnings />
      {dialog}
    </>
  );
}

function RuleForm(p: {
  rule?: Rule;
  groups: { group_id: string; name: string }[];
  onDone: (msg?: string) => void;
}) {
  const r = p.rule;
  const [kind, setKind] = useState<Kind>(r?.kind ?? 'rate_below');
  const [error, setError] = useState<string>();
  const id = r?.rule_id ?? 'new';
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const n = (k: string) => Number(f.get(k));
    const body: RuleBody = {
      name: String(f.get('name')).trim(),
      kind,
      threshold: kind === 'rate_below' ? n('threshold') / 100 : n('threshold'),
      min_sessions: n('min'),
      cooldown_days: n('cooldown'),
      group_id: String(f.get('group') ?? '') || null,
      notify: {
        student: f.get('n-student') === 'on',
        teachers: f.get('n-teachers') === 'on',
        admins: f.get('n-admins') === 'on',
        emails: String(f.get('emails') ?? '')
          .split(/[\s,;]+/)
          .filter(Boolean),
      },
      is_active: f.get('active') === 'on',
    };
    try {
      if (r)
        unwrap(
          await api.PUT('/admin/warning-rules/{rule_id}', { params: { path: { rule_id: r.rule_id } }, body }),
        );
      else unwrap(await api.POST('/admin/warning-rules', { body }));
      p.onDone(t('app.saved'));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const title = r ? t('rules.editTitle', { name: r.name }) : t('rules.new');
  return (
    <form class="card form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div class="row">
        <Field label={t('rules.name')} id={`r-name-${id}`}>
          <input id={`r-name-${id}`} name="name" required maxLength={255} defaultValue={r?.name} />
        </Field>
        <Field label={t('rules.kind')} id={`r-kind-${id}`}>
          <select
            id={`r-kind-${id}`}
            value={kind}
            onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as Kind)}
          >
            <option value="rate_below">{t('rules.rateBelow')}</option>
            <option value="consecutive_absences">{t('rules.absences')}</option>
          </select>
        </Field>
        <Field
          label={kind === 'rate_below' ? t('rules.thresholdRate') : t('rules.thresholdCount')}
          id={`r-threshold-${id}`}
        >
          <input
            id={`r-threshold-${id}`}
            name="threshold"
            type="number"
            required
            min={kind === 'rate_below' ? 0 : 1}
            max={kind === 'rate_below' ? 100 : 1000}
            step={kind === 'rate_below' ? 'any' : 1}
            defaultValue={
              r ? String(r.kind === 'rate_below' ? Math.round(r.threshold * 1000) / 10 : r.threshold) : '75'
            }
            key={kind}
          />
        </Field>
      </div>
      <div class="row">
        <Field label={t('rules.minSessions')} id={`r-min-${id}`}>
          <input
            id={`r-min-${id}`}
            name="min"
            type="number"
            min={0}
            max={1000}
            required
            defaultValue={String(r?.min_sessions ?? 5)}
          />
        </Field>
        <Field label={t('rules.cooldown')} id={`r-cd-${id}`}>
          <input
            id={`r-cd-${id}`}
            name="cooldown"
            type="number"
            min={0}
            max={365}
            required
            defaultValue={String(r?.cooldown_days ?? 7)}
          />
        </Field>
        <Field label={t('teacher.group')} id={`r-group-${id}`}>
          <select id={`r-group-${id}`} name="group" defaultValue={r?.group_id ?? ''}>
            <option value="">{t('rules.allGroups')}</option>
            {p.groups.map((g) => (
              <option key={g.group_id} value={g.group_id}>
                {g.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset>
        <legend>{t('rules.notify')}</legend>
        <label class="check">
          <input type="checkbox" name="n-student" defaultChecked={r?.notify.student ?? true} />
          {t('rules.notifyStudent')}
        </label>
        <label class="check">
          <input type="checkbox" name="n-teachers" defaultChecked={r?.notify.teachers ?? false} />
          {t('rules.notifyTeachers')}
        </label>
        <label class="check">
          <input type="checkbox" name="n-admins" defaultChecked={r?.notify.admins ?? false} />
          {t('rules.notifyAdmins')}
        </label>
        <Field label={t('rules.emails')} id={`r-emails-${id}`}>
          <input id={`r-emails-${id}`} name="emails" defaultValue={r?.notify.emails.join(', ')} />
        </Field>
      </fieldset>
      <label class="check">
        <input type="checkbox" name="active" defaultChecked={r?.is_active ?? true} />
        {t('admin.active')}
      </label>
      <SaveCancel error={error} onCancel={() => p.onDone()} />
    </form>
  );
}

function SentWarnings() {
  const [page, setPage] = useState(1);
  const list = useAsync(
    async () => unwrapPage(await api.GET('/admin/warnings', { params: { query: { page, per_page: 20 } } })),
    [page],
  );
  return (
    <section aria-labelledby="sent-h">
      <h2 id="sent-h">{t('rules.sent')}</h2>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data ? (
        <Loading lines={3} />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('rules.sentEmpty')}</Empty>
      ) : (
        <ul class="list">
          {list.data.items.map((w) => (
            <li key={w.warning_id} class="list-row list-row-top">
              <span>
                <strong>{w.user_name ?? '—'}</strong>{' '}
                <span class="muted small">{dateTime(w.created_at)}</span>
                <br />
                {w.message}
                <br />
                <span class="muted small">{t('rules.sentTo', { to: w.recipients.join(', ') || '—' })}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {list.data && <Pager page={list.data.page} pages={list.data.pages} onPage={setPage} />}
    </section>
  );
}
