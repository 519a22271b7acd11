/**
 * Create a session series: weekdays, a date range and local times (in the organization's zone, kept
 * across DST by the server), optional group, place and late threshold. The server creates every session
 * at once and answers with them; this page reports how many and returns to the list.
 */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { Body } from '../../api/types';
import { errorText } from '../../components/errors';
import { Field, Note } from '../../components/ui';
import { t } from '../../i18n';
import { navigate } from '../../lib/router';
import { SessionSettingsFields, sessionSettings, sessionSettingsLabels } from './SessionSettings';

type NewSeries = Body<'/admin/session-series', 'post'>;

/** ISO weekdays 1..7 with the browser's short names (2024-01-01 was a Monday). */
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7].map((d) => ({
  iso: d,
  label: new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, d)),
  ),
}));

export function CreateSeries({ base }: { base: string }) {
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  // A default only (UTC date): the series' dates are read in the organization's zone by the server.
  const [today] = useState(() => new Date().toISOString().slice(0, 10));

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const body: NewSeries = {
      session_name: text('name'),
      description: text('description') || null,
      weekdays: f.getAll('weekday').map(Number),
      start_date: text('startDate'),
      end_date: text('endDate'),
      start_local: text('startLocal'),
      end_local: text('endLocal'),
      interval_weeks: Number(text('interval') || 1),
      skip_dates: text('skip')
        .split(/[\s,]+/)
        .filter(Boolean),
      ...sessionSettings(f),
    };
    setBusy(true);
    setError(undefined);
    try {
      const series = unwrap(await api.POST('/admin/session-series', { body }));
      setDone(t('series.created', { count: series.sessions.length }));
      setTimeout(() => navigate(base), 1200);
    } catch (err) {
      setError(
        errorText(err, {
          ...sessionSettingsLabels(),
          session_name: t('teacher.name'),
          description: t('teacher.description'),
          weekdays: t('series.weekdays'),
          start_date: t('series.startDate'),
          end_date: t('series.endDate'),
          start_local: t('series.startLocal'),
          end_local: t('series.endLocal'),
          interval_weeks: t('series.interval'),
          skip_dates: t('series.skip'),
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
      <fieldset>
        <legend>{t('series.weekdays')}</legend>
        <div class="row">
          {WEEKDAYS.map((d) => (
            <label key={d.iso} class="check weekday">
              <input type="checkbox" name="weekday" value={d.iso} /> {d.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="row">
        <Field label={t('series.startDate')} id="startDate">
          <input id="startDate" name="startDate" type="date" required defaultValue={today} />
        </Field>
        <Field label={t('series.endDate')} id="endDate">
          <input id="endDate" name="endDate" type="date" required />
        </Field>
      </div>
      <div class="row">
        <Field label={t('series.startLocal')} id="startLocal">
          <input id="startLocal" name="startLocal" type="time" required defaultValue="09:00" />
        </Field>
        <Field label={t('series.endLocal')} id="endLocal">
          <input id="endLocal" name="endLocal" type="time" required defaultValue="10:00" />
        </Field>
        <Field label={t('series.interval')} id="interval">
          <select id="interval" name="interval">
            {[1, 2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {t('series.everyWeeks', { n })}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t('series.skip')} id="skip">
        <input id="skip" name="skip" placeholder="2026-11-26, 2026-12-24" />
      </Field>
      <p class="muted">{t('series.dstNote')}</p>
      <SessionSettingsFields onError={setError} />
      <div class="note-slot">
        {error && <Note kind="error">{error}</Note>}
        {done && <Note kind="ok">{done}</Note>}
      </div>
      <button class="btn btn-primary" type="submit" disabled={busy}>
        {t('series.create')}
      </button>
    </form>
  );
}
