/** Organization settings: name, time zone, default radius, late threshold, self-registration. */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { errorText } from '../../components/errors';
import { ErrorNote, Field, Loading, Note } from '../../components/ui';
import { t } from '../../i18n';
import { auth } from '../../lib/auth';
import { zone } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

export function OrgSettings({ orgId }: { orgId?: string }) {
  const id = orgId ?? auth.get().user?.org_id ?? '';
  const org = useAsync(
    async () => unwrap(await api.GET('/admin/organizations/{org_id}', { params: { path: { org_id: id } } })),
    [id],
  );
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string }>();
  if (org.error && !org.data) return <ErrorNote error={org.error} onRetry={org.reload} />;
  if (!org.data) return <Loading lines={6} />;
  const o = org.data;

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const saved = unwrap(
        await api.PUT('/admin/organizations/{org_id}', {
          params: { path: { org_id: id } },
          body: {
            name: String(f.get('name')).trim(),
            contact_email: String(f.get('contact_email') ?? '').trim() || null,
            timezone: String(f.get('timezone')),
            default_geofence_radius: Number(f.get('radius')),
            late_after_minutes: Number(f.get('late')),
            self_registration: f.get('self_registration') === 'on',
          },
        }),
      );
      if (!orgId) zone.set(saved.timezone);
      setMsg({ kind: 'ok', text: t('app.saved') });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <form class="card form" onSubmit={submit}>
      <div class="row">
        <Field label={t('admin.orgName')} id="org-name">
          <input id="org-name" name="name" required defaultValue={o.name} />
        </Field>
        <Field label={t('admin.contactEmail')} id="org-email">
          <input id="org-email" name="contact_email" type="email" defaultValue={o.contact_email ?? ''} />
        </Field>
      </div>
      <div class="row">
        <Field label={t('admin.timezone')} id="org-tz">
          <select id="org-tz" name="timezone" defaultValue={o.timezone}>
            {(ZONES.includes(o.timezone) ? ZONES : [o.timezone, ...ZONES]).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.defaultRadius')} id="org-radius">
          <input
            id="org-radius"
            name="radius"
            type="number"
            min={1}
            max={50000}
            required
            defaultValue={String(o.default_geofence_radius ?? 100)}
          />
        </Field>
        <Field label={t('admin.lateAfter')} id="org-late">
          <input
            id="org-late"
            name="late"
            type="number"
            min={0}
            max={1440}
            required
            defaultValue={String(o.late_after_minutes)}
          />
        </Field>
      </div>
      <div class="check">
        <input id="org-self" name="self_registration" type="checkbox" defaultChecked={o.self_registration} />
        <label for="org-self">{t('admin.selfRegistration')}</label>
      </div>
      <div class="note-slot" aria-live="polite">
        {msg && <Note kind={msg.kind}>{msg.text}</Note>}
      </div>
      <button class="btn btn-primary" type="submit">
        {t('app.save')}
      </button>
    </form>
  );
}
