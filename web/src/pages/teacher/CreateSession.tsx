/** Create a session: times in the organization's zone, "use my current location" for the centre. */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { Body } from '../../api/types';
import { errorText } from '../../components/errors';
import { Field, Note } from '../../components/ui';
import { t } from '../../i18n';
import { localInput } from '../../lib/format';
import { navigate } from '../../lib/router';
import { reportPath } from './paths';
import { SessionSettingsFields, sessionSettings, sessionSettingsLabels } from './SessionSettings';

type NewSession = Body<'/admin/sessions', 'post'>;

export function CreateSession({ base }: { base: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const now = new Date();
  const [start] = useState(() => localInput(now));
  const [end] = useState(() => localInput(new Date(now.getTime() + 90 * 60_000)));

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    // Naive local times: the server reads them in the organization's zone (API.md conventions).
    const body: NewSession = {
      session_name: String(f.get('name')).trim(),
      description: String(f.get('description') ?? '').trim() || null,
      start_time: `${f.get('start')}:00`,
      end_time: `${f.get('end')}:00`,
      ...sessionSettings(f),
    };
    setBusy(true);
    setError(undefined);
    try {
      const s = unwrap(await api.POST('/admin/sessions', { body }));
      navigate(reportPath(base, s.session_id));
    } catch (err) {
      setError(
        errorText(err, {
          ...sessionSettingsLabels(),
          session_name: t('teacher.name'),
          description: t('teacher.description'),
          start_time: t('teacher.start'),
          end_time: t('teacher.end'),
        }),
      );
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={submit}>
      <Field label={t('teacher.name')} id="name">
        <input id="name" name="name" required maxLength={200} />
      </Field>
      <Field label={t('teacher.description')} id="description">
        <input id="description" name="description" maxLength={1000} />
      </Field>
      <div class="row">
        <Field label={t('teacher.start')} id="start">
          <input id="start" name="start" type="datetime-local" required defaultValue={start} />
        </Field>
        <Field label={t('teacher.end')} id="end">
          <input id="end" name="end" type="datetime-local" required defaultValue={end} />
        </Field>
      </div>
      <SessionSettingsFields onError={setError} />
      <div class="note-slot">{error && <Note kind="error">{error}</Note>}</div>
      <button class="btn btn-primary" type="submit" disabled={busy}>
        {t('teacher.create')}
      </button>
    </form>
  );
}
