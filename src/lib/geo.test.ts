import { describe, expect, it } from 'vitest';
import {
  distanceToPolygonM,
  EARTH_MEAN_RADIUS_M,
  type GeoJsonPolygon,
  haversineDistanceM,
  isValidLatLon,
  type LatLon,
  pointInPolygon,
  validatePolygon,
} from './geo.js';

const ll = (lat: number, lon: number): LatLon => ({ lat, lon });
const poly = (...rings: number[][][]): GeoJsonPolygon => ({ type: 'Polygon', coordinates: rings });
const M_PER_DEG = (EARTH_MEAN_RADIUS_M * Math.PI) / 180; // ≈ 111,195 m

describe('haversineDistanceM', () => {
  const cases: [string, LatLon, LatLon, number, number][] = [
    ['identical points', ll(48.8566, 2.3522), ll(48.8566, 2.3522), 0, 1e-9],
    ['one degree of latitude', ll(10, 5), ll(11, 5), 111_195, 1],
    ['Paris - London', ll(48.8566, 2.3522), ll(51.5074, -0.1278), 343_500, 500],
    ['New York - Los Angeles', ll(40.7128, -74.006), ll(34.0522, -118.2437), 3_936_000, 5_000],
    ['across the antimeridian', ll(0, 179.9), ll(0, -179.9), 22_239, 2],
    ['over the pole', ll(89.9, 0), ll(89.9, 180), 22_239, 2],
    ['antipodal on the equator', ll(0, 0), ll(0, 180), Math.PI * EARTH_MEAN_RADIUS_M, 1],
    ['antipodal off-axis', ll(10, 20), ll(-10, -160), Math.PI * EARTH_MEAN_RADIUS_M, 1],
    ['pole to pole', ll(90, 0), ll(-90, 0), Math.PI * EARTH_MEAN_RADIUS_M, 1],
    // Rounding makes h = 1.0000000000000002 here; unclamped, sqrt(1 - h) is NaN.
    [
      'antipodal, h rounds above 1',
      ll(18.31719012791659, -42.66197792073217),
      ll(-18.31719012791659, 137.33802207926783),
      Math.PI * EARTH_MEAN_RADIUS_M,
      1,
    ],
  ];

  it.each(cases)('%s', (_name, a, b, expected, tolerance) => {
    const d = haversineDistanceM(a, b);
    expect(Number.isNaN(d)).toBe(false);
    expect(Math.abs(d - expected)).toBeLessThanOrEqual(tolerance);
  });

  it.each(cases)('is symmetric: %s', (_name, a, b) => {
    expect(haversineDistanceM(b, a)).toBeCloseTo(haversineDistanceM(a, b), 6);
  });
});

// [lon, lat] throughout, as in GeoJSON.
const square = poly([
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
]);
// A "U": open at the top, notch between lon 3 and 7 above lat 3.
const uShape = poly([
  [0, 0],
  [10, 0],
  [10, 10],
  [7, 10],
  [7, 3],
  [3, 3],
  [3, 10],
  [0, 10],
  [0, 0],
]);
const withHole = poly(square.coordinates[0]!, [
  [3, 3],
  [7, 3],
  [7, 7],
  [3, 7],
  [3, 3],
]);
// Straddles the antimeridian: from lon 179 eastwards to lon -179 (2° wide).
const antimeridian = poly([
  [179, -1],
  [-179, -1],
  [-179, 1],
  [179, 1],
  [179, -1],
]);

describe('pointInPolygon', () => {
  const cases: [string, GeoJsonPolygon, LatLon, boolean][] = [
    ['square: centre', square, ll(5, 5), true],
    ['square: east of it', square, ll(5, 15), false],
    ['square: south of it', square, ll(-1, 5), false],
    ['square: level with a vertex, outside', square, ll(10, -5), false],
    ['U: notch is outside', uShape, ll(6, 5), false],
    ['U: left arm is inside', uShape, ll(8, 1.5), true],
    ['U: right arm is inside', uShape, ll(8, 8.5), true],
    ['U: base is inside', uShape, ll(1.5, 5), true],
    ['U: west of it, ray crosses both arms', uShape, ll(8, -1), false],
    ['hole: in the hole is outside', withHole, ll(5, 5), false],
    ['hole: in the ring is inside', withHole, ll(1, 1), true],
    ['hole: above the hole is inside', withHole, ll(8, 5), true],
    ['antimeridian: lon 179.5', antimeridian, ll(0, 179.5), true],
    ['antimeridian: lon -179.5', antimeridian, ll(0, -179.5), true],
    ['antimeridian: lon 180', antimeridian, ll(0.5, 180), true],
    ['antimeridian: lon -180', antimeridian, ll(-0.5, -180), true],
    ['antimeridian: lon 0', antimeridian, ll(0, 0), false],
    ['antimeridian: lon 178.5', antimeridian, ll(0, 178.5), false],
    ['antimeridian: lon -178.5', antimeridian, ll(0, -178.5), false],
    ['antimeridian: north of it', antimeridian, ll(2, 179.5), false],
    ['empty polygon', poly(), ll(0, 0), false],
  ];

  it.each(cases)('%s', (_name, polygon, p, expected) => {
    expect(pointInPolygon(p, polygon)).toBe(expected);
  });
});

describe('distanceToPolygonM', () => {
  // A ~1.5 km x 2.2 km fence near Paris.
  const fence = poly([
    [2.0, 48.0],
    [2.02, 48.0],
    [2.02, 48.02],
    [2.0, 48.02],
    [2.0, 48.0],
  ]);
  const lonDeg = (m: number, lat: number) => m / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));
  const cases: [string, GeoJsonPolygon, LatLon, number, number][] = [
    ['inside', fence, ll(48.01, 2.01), 0, 0],
    ['1 km north of the north edge', fence, ll(48.02 + 1000 / M_PER_DEG, 2.01), 1000, 20],
    ['500 m east of the east edge', fence, ll(48.01, 2.02 + lonDeg(500, 48.01)), 500, 10],
    ['beyond a corner', fence, ll(48.0 - 300 / M_PER_DEG, 2.0 - lonDeg(400, 48.0)), 500, 10],
    ['inside the hole: nearest hole edge', withHole, ll(5, 6.9), 0.1 * M_PER_DEG, 0.01 * M_PER_DEG],
    ['across the antimeridian', antimeridian, ll(0, -178.99), 0.01 * M_PER_DEG, 2],
    ['antimeridian, inside', antimeridian, ll(0, 180), 0, 0],
  ];

  it.each(cases)('%s', (_name, polygon, p, expected, tolerance) => {
    expect(Math.abs(distanceToPolygonM(p, polygon) - expected)).toBeLessThanOrEqual(tolerance);
  });

  it('agrees with haversine for a point outside a small fence', () => {
    const p = ll(48.03, 2.01);
    const nearest = ll(48.02, 2.01);
    const exact = haversineDistanceM(p, nearest);
    expect(Math.abs(distanceToPolygonM(p, fence) - exact) / exact).toBeLessThan(0.01);
  });
});

describe('validatePolygon', () => {
  const ring = square.coordinates[0]!;
  const big = Array.from({ length: 1001 }, (_, i) => [Math.cos(i) * 0.01, Math.sin(i) * 0.01]);
  big[1000] = big[0]!;
  const cases: [string, unknown, RegExp | null][] = [
    ['valid square', square, null],
    ['valid with hole', withHole, null],
    ['valid across the antimeridian', antimeridian, null],
    ['null', null, /GeoJSON object/],
    ['a string', 'Polygon', /GeoJSON object/],
    ['wrong type', { type: 'Point', coordinates: [0, 0] }, /type/],
    ['missing coordinates', { type: 'Polygon' }, /coordinates/],
    ['no rings', poly(), /coordinates/],
    ['ring not an array', { type: 'Polygon', coordinates: [5] }, /ring 0/],
    ['triangle without closing position', poly(ring.slice(0, 3)), /at least 4/],
    ['not closed', poly([...ring.slice(0, 4), [1, 1]]), /closed/],
    ['lon out of range', poly([[181, 0], ...ring.slice(1, 4), [181, 0]]), /out of range/],
    ['lat out of range', poly([[0, -91], ...ring.slice(1, 4), [0, -91]]), /out of range/],
    ['NaN', poly([[Number.NaN, 0], ...ring.slice(1)]), /finite/],
    ['Infinity', poly([[0, Number.POSITIVE_INFINITY], ...ring.slice(1)]), /finite/],
    ['string coordinate', { type: 'Polygon', coordinates: [[['0', '0'], ...ring.slice(1)]] }, /finite/],
    ['position with altitude', poly([[0, 0, 5], ...ring.slice(1)]), /\[lon, lat\]/],
    ['bad hole', poly(ring, [[1, 1]]), /ring 1/],
    ['too many positions', poly(big), /more than 1000/],
    [
      'wider than 180° of longitude',
      poly([
        [-100, 0],
        [0, 1],
        [100, 0],
        [0, -1],
        [-100, 0],
      ]),
      /more than 180°/,
    ],
    [
      'exactly 180° wide',
      poly([
        [-90, 0],
        [0, 1],
        [90, 0],
        [0, -1],
        [-90, 0],
      ]),
      null,
    ],
    [
      'wide across the antimeridian',
      poly([
        [100, 0],
        [-170, 1],
        [-60, 0],
        [-170, -1],
        [100, 0],
      ]),
      /more than 180°/,
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const result = validatePolygon(input);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });
});

describe('isValidLatLon', () => {
  const cases: [unknown, unknown, boolean][] = [
    [0, 0, true],
    [90, 180, true],
    [-90, -180, true],
    [48.8566, 2.3522, true],
    [90.0001, 0, false],
    [0, -180.0001, false],
    [Number.NaN, 0, false],
    [0, Number.POSITIVE_INFINITY, false],
    ['48.8', 2.3, false],
    [null, 0, false],
    [undefined, undefined, false],
  ];

  it.each(cases)('(%s, %s) -> %s', (lat, lon, expected) => {
    expect(isValidLatLon(lat, lon)).toBe(expected);
  });
});
