/**
 * Geodesy helpers for geofenced check-in: great-circle distance, point-in-polygon and
 * "how far outside the fence" for GeoJSON polygons. Spherical model only: geofences are a
 * few km wide and GPS error is tens of metres, so ellipsoidal precision would buy nothing.
 */

/** IUGG mean Earth radius (R1) for WGS84; minimises the average error of a spherical model. */
export const EARTH_MEAN_RADIUS_M = 6_371_008.8;

export type LatLon = { lat: number; lon: number };

/** GeoJSON positions are [lon, lat]; ring 0 is the outer boundary, later rings are holes. */
export type GeoJsonPolygon = { type: 'Polygon'; coordinates: number[][][] };

/** Upper bound on vertices so a single geofence cannot make every check-in expensive. */
const MAX_POSITIONS = 1000;

const DEG = Math.PI / 180;

/** Maps a longitude difference into [-180, 180) so an edge always takes the short way round. */
const wrapDeg = (d: number): number => ((((d + 180) % 360) + 360) % 360) - 180;

export function haversineDistanceM(a: LatLon, b: LatLon): number {
  const sLat = Math.sin(((b.lat - a.lat) * DEG) / 2);
  const sLon = Math.sin(((b.lon - a.lon) * DEG) / 2);
  const h = sLat * sLat + Math.cos(a.lat * DEG) * Math.cos(b.lat * DEG) * sLon * sLon;
  // Rounding can push h a hair outside [0, 1] for (near-)antipodal points; clamp so sqrt never sees < 0.
  const hc = Math.min(1, Math.max(0, h));
  // atan2 stays well-conditioned at both ends, unlike asin(sqrt(h)) near h = 1.
  return 2 * EARTH_MEAN_RADIUS_M * Math.atan2(Math.sqrt(hc), Math.sqrt(1 - hc));
}

/**
 * Unwraps a ring's longitudes so that consecutive vertices never differ by more than 180°,
 * e.g. [179, -179] becomes [179, 181]. This is what makes fences across the antimeridian
 * work; the price is that an edge really spanning more than 180° cannot be expressed (and
 * rings that encircle a pole are not supported).
 */
function unwrapRing(ring: number[][]): { xs: number[]; ys: number[]; minX: number; maxX: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  let prevLon = 0;
  let prevX = 0;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const [i, pos] of ring.entries()) {
    const lon = pos[0] ?? 0;
    const x = i === 0 ? lon : prevX + wrapDeg(lon - prevLon);
    xs.push(x);
    ys.push(pos[1] ?? 0);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    prevLon = lon;
    prevX = x;
  }
  return { xs, ys, minX, maxX };
}

/** Even-odd ray cast (ray towards +x) against one ring, in unwrapped coordinates. */
function insideRing(p: LatLon, ring: number[][]): boolean {
  const n = ring.length;
  if (n < 3) return false;
  const { xs, ys, minX, maxX } = unwrapRing(ring);
  // Move the point into [minX, minX + 360) - the one copy of it that can fall inside the ring.
  const px = minX + ((((p.lon - minX) % 360) + 360) % 360);
  if (px > maxX) return false;
  const py = p.lat;
  let inside = false;
  // j trails i, so the closing edge (last -> first) is included even for unclosed rings.
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xs[i]!;
    const yi = ys[i]!;
    const xj = xs[j]!;
    const yj = ys[j]!;
    // Half-open test on y counts a vertex touching the ray exactly once.
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInPolygon(p: LatLon, polygon: GeoJsonPolygon): boolean {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || !insideRing(p, outer)) return false;
  return !holes.some((hole) => insideRing(p, hole));
}

/**
 * 0 inside the polygon, otherwise the distance in metres to the nearest edge (of the outer
 * ring or of a hole the point sits in). Edges are projected into a local equirectangular
 * frame centred on the point: error is well under 1% for fences a few km across, which is
 * all the "you are 350 m outside" message needs. Not meaningful for edges thousands of km away.
 */
export function distanceToPolygonM(p: LatLon, polygon: GeoJsonPolygon): number {
  if (pointInPolygon(p, polygon)) return 0;
  return distanceToBoundaryM(p, polygon);
}

/** Distance from the point to the nearest edge of any ring, inside or outside. */
export function distanceToBoundaryM(p: LatLon, polygon: GeoJsonPolygon): number {
  const mPerDeg = EARTH_MEAN_RADIUS_M * DEG;
  const kx = mPerDeg * Math.cos(p.lat * DEG);
  let best = Number.POSITIVE_INFINITY;
  for (const ring of polygon.coordinates) {
    for (let i = 1; i < ring.length; i++) {
      const a = ring[i - 1]!;
      const b = ring[i]!;
      // Per-edge unwrapping relative to the point: the edge's first vertex lands within 180° of
      // the point and the second follows the short way, so antimeridian fences measure correctly.
      const ax = wrapDeg((a[0] ?? 0) - p.lon);
      const bx = ax + wrapDeg((b[0] ?? 0) - (a[0] ?? 0));
      best = Math.min(
        best,
        distToSegment(ax * kx, ((a[1] ?? 0) - p.lat) * mPerDeg, bx * kx, ((b[1] ?? 0) - p.lat) * mPerDeg),
      );
    }
  }
  return best;
}

/** Distance from the origin to segment (x1,y1)-(x2,y2) in a plane. */
function distToSegment(x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, -(x1 * dx + y1 * dy) / len2));
  return Math.hypot(x1 + t * dx, y1 + t * dy);
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function isValidLatLon(lat: unknown, lon: unknown): boolean {
  return isFiniteNumber(lat) && isFiniteNumber(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}

/** Returns a client-facing error message, or null when `polygon` is a usable geofence. */
export function validatePolygon(polygon: unknown): string | null {
  if (typeof polygon !== 'object' || polygon === null) return 'polygon must be a GeoJSON object';
  const { type, coordinates } = polygon as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon') return "polygon.type must be 'Polygon'";
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    return 'polygon.coordinates must be a non-empty array of linear rings';
  }
  let total = 0;
  for (const [r, ring] of coordinates.entries()) {
    if (!Array.isArray(ring)) return `ring ${r} must be an array of positions`;
    // Counted before looking at positions so a huge payload is rejected without walking it.
    total += ring.length;
    if (total > MAX_POSITIONS) return `polygon has more than ${MAX_POSITIONS} positions`;
    if (ring.length < 4) return `ring ${r} needs at least 4 positions (a closed triangle)`;
    for (const [i, pos] of ring.entries()) {
      if (!Array.isArray(pos) || pos.length !== 2 || !isFiniteNumber(pos[0]) || !isFiniteNumber(pos[1])) {
        return `ring ${r} position ${i} must be [lon, lat] with finite numbers`;
      }
      if (!isValidLatLon(pos[1], pos[0])) {
        return `ring ${r} position ${i} is out of range (lon -180..180, lat -90..90)`;
      }
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      return `ring ${r} must be closed (first position equal to last)`;
    }
    // Edges take the short way round (unwrapRing), so a ring wider than 180° would be read as its
    // complement and give wrong distances and inside tests (17.9): refuse it.
    const { minX, maxX } = unwrapRing(ring as number[][]);
    if (maxX - minX > 180) return `ring ${r} spans more than 180° of longitude`;
  }
  return null;
}
