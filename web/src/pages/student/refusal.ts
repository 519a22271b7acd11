/** A refused check-in in plain words, with what to do (API.md error codes and their `details`). */
import { ApiError, detailNumber } from '../../api/errors';
import { errorText } from '../../components/errors';
import { t } from '../../i18n';
import { dateTime, metres } from '../../lib/format';

export function refusalText(err: unknown, tz?: string): string {
  if (!(err instanceof ApiError)) return errorText(err);
  switch (err.code) {
    case 'OUTSIDE_GEOFENCE': {
      const distance = metres(detailNumber(err, 'distance_m') ?? 0);
      const radius = detailNumber(err, 'radius_m');
      if (err.details.reason === 'uncertain') {
        const accuracy = metres(detailNumber(err, 'accuracy_m') ?? 0);
        return t('checkin.outsideUncertain', { distance, accuracy });
      }
      return t('checkin.outside', { distance, radius: radius === undefined ? '?' : metres(radius) });
    }
    case 'LOCATION_TOO_INACCURATE':
      return t('checkin.inaccurate', { accuracy: metres(detailNumber(err, 'accuracy_m') ?? 0) });
    case 'SESSION_NOT_OPEN': {
      const at = typeof err.details.opens_at === 'string' ? err.details.opens_at : undefined;
      return at ? t('checkin.notOpen', { time: dateTime(at, tz) }) : t('checkin.notOpenNoTime');
    }
    case 'SESSION_CLOSED':
      return t('checkin.closed');
    case 'INVALID_CODE':
      return t('checkin.badCode');
    case 'LOCATION_REQUIRED':
      return t('checkin.locationRequired');
    case 'ALREADY_CHECKED_IN':
      return t('checkin.already');
    case 'NOT_FOUND':
      return t('checkin.notFound');
    case 'FORBIDDEN':
      return t('checkin.notExpected');
    default:
      return errorText(err);
  }
}
