/**
 * What a session and a series of sessions ask alike: the group, the place, the late threshold and
 * the check-in code. The fields are read by name when the form is submitted (`sessionSettings`).
 */
import { api, unwrapPage } from '../../api/client';
import { Field } from '../../components/ui';
import { t } from '../../i18n';
import { useAsync } from '../../lib/use-async';
import { CodeFields, codeSettings } from './CodeFields';
import { PlaceFields } from './PlaceFields';

export function SessionSettingsFields({ onError }: { onError: (message: string | undefined) => void }) {
  const groups = useAsync(
    async () => unwrapPage(await api.GET('/admin/groups', { params: { query: { per_page: 100 } } })).items,
    [],
  );
  return (
    <>
      <Field label={t('teacher.group')} id="group">
        <select id="group" name="group">
          <option value="">{t('teacher.groupAll')}</option>
          {groups.data?.map((g) => (
            <option key={g.group_id} value={g.group_id}>
              {g.name}
            </option>
          ))}
        </select>
      </Field>
      <PlaceFields onError={onError} />
      <div class="row">
        <Field label={t('teacher.late')} id="late">
          <input id="late" name="late" type="number" min={0} max={1440} />
        </Field>
        <CodeFields />
      </div>
    </>
  );
}

/** The labels of those fields, by the name both request bodies give them (for errorText). */
export const sessionSettingsLabels = (): Record<string, string> => ({
  group_id: t('teacher.group'),
  location_lat: t('teacher.lat'),
  location_lon: t('teacher.lon'),
  location_radius: t('teacher.radius'),
  late_after_minutes: t('teacher.late'),
  code_mode: t('teacher.codeMode'),
  require_code: t('teacher.codeMode'),
  code: t('teacher.codeValue'),
  code_period_seconds: t('teacher.codePeriod'),
});

/** Those fields of a submitted form, named as both request bodies name them. */
export function sessionSettings(f: FormData) {
  const num = (k: string) => (String(f.get(k) ?? '').trim() === '' ? null : Number(f.get(k)));
  const lat = num('lat');
  const lon = num('lon');
  return {
    group_id: String(f.get('group') ?? '').trim() || null,
    location_lat: lat,
    location_lon: lon,
    // A radius without a centre means nothing: it is sent only with one.
    location_radius: lat !== null && lon !== null ? num('radius') : null,
    late_after_minutes: num('late'),
    ...codeSettings(f),
  };
}
