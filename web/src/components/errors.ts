/** Turns an ApiError into words a user understands (the catalog), with what to do next. */
import { ApiError } from '../api/errors';
import { t } from '../i18n';
import { timeSeconds } from '../lib/format';

export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('app.unexpected');
  if (err.status === 0) return t('app.offline');
  if (err.status === 429) {
    const s = err.retryAfterS ?? 60;
    return t('app.rateLimited', { time: timeSeconds(new Date(Date.now() + s * 1000)), seconds: s });
  }
  if (err.status === 401) return t('app.sessionEnded');
  if (err.status === 403) return t('app.forbidden');
  if (err.status >= 500) return t('app.unexpected');
  if (err.fields.length)
    return `${err.message}: ${err.fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
  return err.message;
}
