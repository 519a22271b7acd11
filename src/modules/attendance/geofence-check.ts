/**
 * The location rules of a self check-in, in the contract's order: a location is required when the
 * session has one, its reported accuracy must be good enough, and it must lie inside the fence
 * (the polygon when there is one, else the circle). Returns the distance to store.
 */
import { ruleViolation } from '../../lib/errors.js';
import { distanceToPolygonM, haversineDistanceM } from '../../lib/geo.js';
import { parseGeofence } from '../sessions/sessions.mapper.js';

export interface FenceSession {
  location_lat: number | null;
  location_lon: number | null;
  location_radius: number | null;
  geofence: string | null;
}

export interface Fix {
  lat?: number;
  lon?: number;
  accuracy?: number;
}

/** Tenths of a metre for storage; an outside distance is rounded up so it never reads as "= radius". */
const tenths = (m: number) => Math.round(m * 10) / 10;
const tenthsUp = (m: number) => Math.ceil(m * 10) / 10;

export function checkFence(
  s: FenceSession,
  fix: Fix,
  limits: { maxAccuracyM: number; defaultRadiusM: number },
): { distanceM: number | null } {
  const polygon = parseGeofence(s.geofence);
  const hasCircle = s.location_lat !== null && s.location_lon !== null;
  if (!polygon && !hasCircle) return { distanceM: null }; // an online session: no location rules
  if (fix.lat === undefined || fix.lon === undefined) {
    throw ruleViolation('LOCATION_REQUIRED', 'This session needs your location (lat and lon) to check in');
  }
  if (fix.accuracy !== undefined && fix.accuracy > limits.maxAccuracyM) {
    throw ruleViolation(
      'LOCATION_TOO_INACCURATE',
      'Your location is not accurate enough; try again outdoors',
      {
        accuracy_m: fix.accuracy,
        max_accuracy_m: limits.maxAccuracyM,
      },
    );
  }
  const here = { lat: fix.lat, lon: fix.lon };
  if (polygon) {
    const outside = distanceToPolygonM(here, polygon);
    if (outside > 0) {
      throw ruleViolation('OUTSIDE_GEOFENCE', 'You are outside the area of this session', {
        distance_m: tenthsUp(outside),
        radius_m: null,
        fence: 'polygon',
      });
    }
    return { distanceM: 0 };
  }
  const radius = s.location_radius ?? limits.defaultRadiusM;
  const d = haversineDistanceM(here, { lat: s.location_lat!, lon: s.location_lon! });
  if (d > radius) {
    throw ruleViolation(
      'OUTSIDE_GEOFENCE',
      `You are ${Math.ceil(d)} m from the session; the limit is ${radius} m`,
      {
        distance_m: tenthsUp(d),
        radius_m: radius,
        fence: 'circle',
      },
    );
  }
  return { distanceM: tenths(d) };
}
