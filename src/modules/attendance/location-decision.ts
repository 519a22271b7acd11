/**
 * The location decision of a self check-in (API.md Part 2 "Location decision and flags"), in the
 * contract's order: a location is required when the session has a fence; an accuracy worse than
 * MAX_LOCATION_ACCURACY is refused; then, with a = the reported accuracy (0 when none is given) and
 * m = the margin inside the fence (r − d for a circle, the signed distance to the polygon's edge),
 *   m ≥ a  → accepted;   −m > a → 422 OUTSIDE_GEOFENCE (reason "outside");
 *   otherwise the accuracy circle crosses the fence → the boundary policy decides: flag (accepted,
 *   `uncertain_location`) or reject (422 OUTSIDE_GEOFENCE, reason "uncertain").
 * Flags `no_accuracy` (no accuracy given) and `low_accuracy` (a > 100 m) come from here too.
 */
import { ruleViolation } from '../../lib/errors.js';
import { distanceToBoundaryM, haversineDistanceM, pointInPolygon } from '../../lib/geo.js';
import { parseGeofence } from '../sessions/sessions.mapper.js';
import type { BoundaryPolicy } from '../sessions/sessions.table.js';
import type { Flag } from './record-flags.js';

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

export const LOW_ACCURACY_M = 100;

/** Tenths of a metre for storage; an outside distance is rounded up so it never reads as "= radius". */
const tenths = (m: number) => Math.round(m * 10) / 10;
const tenthsUp = (m: number) => Math.ceil(m * 10) / 10;

export function decideLocation(
  s: FenceSession,
  fix: Fix,
  rules: { maxAccuracyM: number; defaultRadiusM: number; policy: BoundaryPolicy },
): { distanceM: number | null; flags: Flag[] } {
  const polygon = parseGeofence(s.geofence);
  const hasCircle = s.location_lat !== null && s.location_lon !== null;
  if (!polygon && !hasCircle) return { distanceM: null, flags: [] }; // an online session: no location rules
  if (fix.lat === undefined || fix.lon === undefined) {
    throw ruleViolation('LOCATION_REQUIRED', 'This session needs your location (lat and lon) to check in');
  }
  if (fix.accuracy !== undefined && fix.accuracy > rules.maxAccuracyM) {
    throw ruleViolation(
      'LOCATION_TOO_INACCURATE',
      'Your location is not accurate enough; try again outdoors',
      {
        accuracy_m: fix.accuracy,
        max_accuracy_m: rules.maxAccuracyM,
      },
    );
  }
  const a = fix.accuracy ?? 0;
  const flags: Flag[] = [];
  if (fix.accuracy === undefined) flags.push('no_accuracy');
  if (a > LOW_ACCURACY_M) flags.push('low_accuracy');

  const here = { lat: fix.lat, lon: fix.lon };
  let margin: number;
  let distanceM: number;
  let radius: number | null = null;
  if (polygon) {
    const edge = distanceToBoundaryM(here, polygon);
    const inside = pointInPolygon(here, polygon);
    margin = inside ? edge : -edge;
    distanceM = inside ? 0 : edge;
  } else {
    radius = s.location_radius ?? rules.defaultRadiusM;
    distanceM = haversineDistanceM(here, { lat: s.location_lat!, lon: s.location_lon! });
    margin = radius - distanceM;
  }
  const refuse = (reason: 'outside' | 'uncertain') => {
    const message =
      reason === 'uncertain'
        ? 'Your location is too uncertain to tell whether you are inside the area; try again with a better fix'
        : polygon
          ? 'You are outside the area of this session'
          : `You are ${Math.ceil(distanceM)} m from the session; the limit is ${radius} m`;
    return ruleViolation('OUTSIDE_GEOFENCE', message, {
      distance_m: margin < 0 ? tenthsUp(distanceM) : tenths(distanceM),
      radius_m: radius,
      accuracy_m: a,
      reason,
      fence: polygon ? 'polygon' : 'circle',
    });
  };
  if (margin >= a) return { distanceM: tenths(distanceM), flags };
  if (-margin > a) throw refuse('outside');
  if (rules.policy === 'reject') throw refuse('uncertain');
  flags.unshift('uncertain_location');
  return { distanceM: tenths(distanceM), flags };
}
