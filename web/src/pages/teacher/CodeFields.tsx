/**
 * "Check-in code": none, rotating (with its period) or static, for a session and for each session of a
 * series alike. The fields are read by name when the form is submitted (`codeSettings`).
 */
import { useState } from 'preact/hooks';
import type { CodeMode } from '../../api/types';
import { Field } from '../../components/ui';
import { t } from '../../i18n';

/** The body fields of the code choice in a submitted form (API.md Part 2, "Check-in codes"). */
export function codeSettings(f: FormData) {
  const mode = String(f.get('code_mode') ?? 'none') as CodeMode;
  if (mode === 'static') return { require_code: true, code: String(f.get('code') ?? '').trim() };
  if (mode === 'rotating') {
    const period = String(f.get('period') ?? '').trim();
    return { code_mode: 'rotating' as const, code_period_seconds: period === '' ? 15 : Number(period) };
  }
  return {};
}

export function CodeFields() {
  const [codeMode, setCodeMode] = useState<CodeMode>('none');
  return (
    <>
      <Field label={t('teacher.codeMode')} id="codeMode">
        <select
          id="codeMode"
          name="code_mode"
          value={codeMode}
          onChange={(e) => setCodeMode((e.currentTarget as HTMLSelectElement).value as CodeMode)}
        >
          <option value="none">{t('teacher.codeNone')}</option>
          <option value="rotating">{t('teacher.codeRotating')}</option>
          <option value="static">{t('teacher.codeStatic')}</option>
        </select>
      </Field>
      {codeMode === 'rotating' && (
        <Field label={t('teacher.codePeriod')} id="period" hint={t('teacher.codePeriodHint')}>
          <input
            id="period"
            name="period"
            type="number"
            min={5}
            max={300}
            defaultValue="15"
            aria-describedby="period-hint"
          />
        </Field>
      )}
      {codeMode === 'static' && (
        <Field label={t('teacher.codeValue')} id="code">
          <input id="code" name="code" required maxLength={32} />
        </Field>
      )}
    </>
  );
}
