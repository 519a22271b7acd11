/** Turns an ApiError into words a user understands (the catalog), with what to do next. */
import { ApiError } from '../api/errors';
import { t } from '../i18n';
import { timeSeconds } from '../lib/format';

/**
 * `labels` names a form's fields as its labels do (`end_time` → "Ends"): the API's field names, in the
 * field and inside its message ("must be after start_time"), are shown as the person filling it reads them.
 */
export function errorText(err: unknown, labels?: Readonly<Record<string, string>>): string {
  if (!(err instanceof ApiError)) return t('app.unexpected');
  if (err.status === 0) return t('app.offline');
  if (err.status === 429) {
    const s = err.retryAfterS ?? 60;
    return t('app.rateLimited', { time: timeSeconds(new Date(Date.now() + s * 1000)), seconds: s });
  }
  if (err.status === 401) return t('app.sessionEnded');
  if (err.status === 403) return t('app.forbidden');
  if (err.status >= 500) return t('app.unexpected');
  if (err.fields.length && labels) {
    // Only snake_case words are field names; plain words of a message stay as they are.
    const named = (text: string) => text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (w) => labels[w] ?? w);
    return t('app.checkFields', {
      problems: err.fields.map((f) => `${labels[f.field] ?? f.field} ${named(f.message)}`).join('; '),
    });
  }
  if (err.fields.length)
    return `${err.message}: ${err.fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
  return err.message;
}
