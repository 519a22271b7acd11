/**
 * "Where": the centre (typed, or "use my current location") and the radius, for a session and for a
 * series alike. The form reads `lat`, `lon` and `radius` by name when it is submitted; this component
 * only fills them in and says what the browser's fix was.
 */
import { useState } from 'preact/hooks';
import { Field } from '../../components/ui';
import { type MessageKey, t } from '../../i18n';
import { currentLocation, type Fix } from '../../lib/geo';

const numOrUndef = (e: Event): number | undefined => {
  const v = (e.currentTarget as HTMLInputElement).value;
  return v === '' ? undefined : Number(v);
};

const GEO_ERRORS: Record<string, MessageKey> = {
  denied: 'checkin.geoDenied',
  insecure: 'checkin.geoInsecure',
};

/** `onError`: a sentence for the form's error slot (undefined clears it). */
export function PlaceFields({ onError }: { onError: (message: string | undefined) => void }) {
  const [fix, setFix] = useState<Partial<Fix>>({});
  const [locating, setLocating] = useState(false);

  const useMine = async () => {
    setLocating(true);
    onError(undefined);
    try {
      setFix(await currentLocation());
    } catch (err) {
      onError(t(GEO_ERRORS[(err as Error).message] ?? 'checkin.geoTimeout'));
    } finally {
      setLocating(false);
    }
  };

  return (
    <fieldset>
      <legend>{t('teacher.where')}</legend>
      <button type="button" class="btn btn-secondary" onClick={useMine} disabled={locating}>
        {locating ? t('checkin.locating') : t('teacher.useLocation')}
      </button>
      <p class="muted" aria-live="polite">
        {fix.lat !== undefined && fix.lon !== undefined && fix.accuracy !== undefined
          ? t('teacher.locationSet', {
              lat: fix.lat.toFixed(5),
              lon: fix.lon.toFixed(5),
              accuracy: Math.round(fix.accuracy ?? 0),
            })
          : t('teacher.noLocation')}
      </p>
      <div class="row">
        <Field label={t('teacher.lat')} id="lat">
          <input
            id="lat"
            name="lat"
            type="number"
            step="any"
            min={-90}
            max={90}
            value={fix.lat ?? ''}
            onInput={(e) => setFix({ ...fix, lat: numOrUndef(e) })}
          />
        </Field>
        <Field label={t('teacher.lon')} id="lon">
          <input
            id="lon"
            name="lon"
            type="number"
            step="any"
            min={-180}
            max={180}
            value={fix.lon ?? ''}
            onInput={(e) => setFix({ ...fix, lon: numOrUndef(e) })}
          />
        </Field>
        <Field label={t('teacher.radius')} id="radius">
          <input id="radius" name="radius" type="number" min={1} max={50000} placeholder="100" />
        </Field>
      </div>
    </fieldset>
  );
}
