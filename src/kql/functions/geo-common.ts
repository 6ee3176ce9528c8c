/**
 * Shared geodesy for Kusto's geo_* functions. Kusto computes on the sphere of the S2 library (radius
 * 6,371,010 m; the documented distances match it to 1e-12), with geodesic (great-circle) edges, and
 * optionally on the WGS-84 ellipsoid (`use_spheroid`). Shapes come and go as GeoJSON in dynamic values.
 *
 * Stable exports (other geo families import them; keep their meaning):
 * - Constants and coordinates: `EARTH_RADIUS_METERS`, `LngLat`, `Vec3`, `numberArg`, `isValidLongitude`,
 *   `isValidLatitude`, `isValidCoordinate`.
 * - Sphere geometry on unit vectors: `toVec3`, `toLngLat`, `dot`, `cross`, `add`, `scale`, `norm`,
 *   `normalize`, `angleBetween`, `isSamePoint`, `isAntipodal`, `interpolate`, `closestPointOnEdge`,
 *   `edgeCrossing`, `onEdge`.
 * - Metrics: `distanceMeters` (sphere), `spheroidDistanceMeters` (WGS-84), `azimuthRadians`.
 * - GeoJSON in: `parsePosition`, `parseLineStrings` (LineString / MultiLineString), `parsePolygons`
 *   (Polygon / MultiPolygon, rings closed with at least 4 positions; orientation and self-intersection
 *   are not checked), `parseGeometry` (any type, GeometryCollection included).
 * - GeoJSON out: `pointGeoJson`, `linesGeoJson`.
 * Parsers return null for anything invalid: a wrong type name, a missing or malformed coordinates
 * array, a position that is not [longitude, latitude] of finite numbers in range (positions with an
 * altitude throw NotSupported).
 */

import { KqlError } from '../errors.js';
import { type Dynamic, isPlainObject, type Value } from '../values.js';
import { geodesicLibrary } from './geo-libraries.js';

/** The S2 library's mean Earth radius, which Kusto's spherical results are scaled by. */
export const EARTH_RADIUS_METERS = 6_371_010;

/** [longitude, latitude] in degrees. */
export type LngLat = [number, number];
/** A point on the unit sphere. */
export type Vec3 = [number, number, number];

const DEGREE = Math.PI / 180;

/** A numeric argument (int, long or real) as a JS number; null for null or non-numbers. */
export function numberArg(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

export function isValidLongitude(lng: number): boolean {
  return Number.isFinite(lng) && lng >= -180 && lng <= 180;
}

export function isValidLatitude(lat: number): boolean {
  return Number.isFinite(lat) && lat >= -90 && lat <= 90;
}

export function isValidCoordinate(lng: number | null, lat: number | null): boolean {
  return lng !== null && lat !== null && isValidLongitude(lng) && isValidLatitude(lat);
}

// ---- vectors on the unit sphere ----

export function toVec3([lng, lat]: LngLat): Vec3 {
  const phi = lat * DEGREE;
  const theta = lng * DEGREE;
  const cosPhi = Math.cos(phi);
  return [Math.cos(theta) * cosPhi, Math.sin(theta) * cosPhi, Math.sin(phi)];
}

export function toLngLat([x, y, z]: Vec3): LngLat {
  return [Math.atan2(y, x) / DEGREE, Math.atan2(z, Math.hypot(x, y)) / DEGREE];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

export function scale(a: Vec3, k: number): Vec3 {
  return [a[0] * k, a[1] * k, a[2] * k];
}

export function norm(a: Vec3): number {
  return Math.hypot(a[0], a[1], a[2]);
}

export function normalize(a: Vec3): Vec3 {
  const n = norm(a);
  return n === 0 ? a : scale(a, 1 / n);
}

/** The angle in radians between two unit vectors (accurate for tiny and near-π angles). */
export function angleBetween(a: Vec3, b: Vec3): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

/** Angles below this (about 0.1 mm on Earth) count as the same point. */
const SAME_POINT_RADIANS = 1e-14;

export function isSamePoint(a: Vec3, b: Vec3): boolean {
  return angleBetween(a, b) <= SAME_POINT_RADIANS;
}

export function isAntipodal(a: Vec3, b: Vec3): boolean {
  return Math.PI - angleBetween(a, b) <= SAME_POINT_RADIANS;
}

/** The point a fraction t of the way along the geodesic edge a→b (spherical linear interpolation). */
export function interpolate(a: Vec3, b: Vec3, t: number): Vec3 {
  if (t === 0) return a;
  if (t === 1) return b;
  const omega = angleBetween(a, b);
  if (omega === 0) return a;
  const s = Math.sin(omega);
  return normalize(add(scale(a, Math.sin((1 - t) * omega) / s), scale(b, Math.sin(t * omega) / s)));
}

/** The point of the geodesic edge a→b closest to x. */
export function closestPointOnEdge(x: Vec3, a: Vec3, b: Vec3): Vec3 {
  const normal = normalize(cross(a, b));
  if (norm(normal) === 0) return angleBetween(x, a) <= angleBetween(x, b) ? a : b;
  // x projected onto the edge's great circle; it lies on the edge when it is between a and b.
  const onCircle = normalize(add(x, scale(normal, -dot(x, normal))));
  if (norm(onCircle) > 0 && dot(cross(a, onCircle), normal) >= 0 && dot(cross(onCircle, b), normal) >= 0) {
    return onCircle;
  }
  return angleBetween(x, a) <= angleBetween(x, b) ? a : b;
}

/** The point where edges a→b and c→d cross or touch, or null when they share no point (collinear overlaps excluded). */
export function edgeCrossing(a: Vec3, b: Vec3, c: Vec3, d: Vec3): Vec3 | null {
  const n1 = cross(a, b);
  const n2 = cross(c, d);
  const line = cross(n1, n2);
  if (norm(line) <= 1e-15 * norm(n1) * norm(n2)) return null;
  for (const candidate of [normalize(line), scale(normalize(line), -1)]) {
    if (onEdge(candidate, a, b) && onEdge(candidate, c, d)) return candidate;
  }
  return null;
}

/** Whether p (on or near the great circle of a→b) lies within the edge. */
export function onEdge(p: Vec3, a: Vec3, b: Vec3): boolean {
  const whole = angleBetween(a, b);
  return angleBetween(a, p) + angleBetween(p, b) - whole <= 1e-13;
}

// ---- metrics ----

export function distanceMeters(p: LngLat, q: LngLat): number {
  return angleBetween(toVec3(p), toVec3(q)) * EARTH_RADIUS_METERS;
}

/** The geodesic distance on the WGS-84 ellipsoid (Karney's algorithm). */
export function spheroidDistanceMeters(p: LngLat, q: LngLat): number {
  const { Geodesic } = geodesicLibrary();
  return Geodesic.WGS84.Inverse(p[1], p[0], q[1], q[0], Geodesic.DISTANCE).s12 ?? Number.NaN;
}

/** The clockwise angle from true north of the geodesic from p to q, in [0, 2π); null when p and q coincide or are antipodal. */
export function azimuthRadians(p: LngLat, q: LngLat): number | null {
  const a = toVec3(p);
  const b = toVec3(q);
  if (isSamePoint(a, b) || isAntipodal(a, b)) return null;
  const phi1 = p[1] * DEGREE;
  const phi2 = q[1] * DEGREE;
  const dLambda = (q[0] - p[0]) * DEGREE;
  const y = Math.sin(dLambda) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLambda);
  const angle = Math.atan2(y, x);
  return angle < 0 ? angle + 2 * Math.PI : angle;
}

// ---- GeoJSON in ----

export type Geometry =
  | { type: 'Point'; coordinates: LngLat }
  | { type: 'MultiPoint'; coordinates: LngLat[] }
  | { type: 'LineString'; coordinates: LngLat[] }
  | { type: 'MultiLineString'; coordinates: LngLat[][] }
  | { type: 'Polygon'; coordinates: LngLat[][] }
  | { type: 'MultiPolygon'; coordinates: LngLat[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

function finiteNumber(value: Dynamic): number | null {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/**
 * A GeoJSON position [longitude, latitude] with both in range; null otherwise. A position with an
 * altitude (3 or 4 numbers) throws NotSupported: whether Kusto ignores or rejects it is undocumented.
 */
export function parsePosition(value: Dynamic): LngLat | null {
  if (!Array.isArray(value)) return null;
  if ((value.length === 3 || value.length === 4) && value.every((n) => finiteNumber(n) !== null)) {
    throw new KqlError('not supported: GeoJSON positions with an altitude', 'NotSupported');
  }
  if (value.length !== 2) return null;
  const lng = finiteNumber(value[0]);
  const lat = finiteNumber(value[1]);
  return isValidCoordinate(lng, lat) ? [lng as number, lat as number] : null;
}

function parsePositions(value: Dynamic, minimum: number): LngLat[] | null {
  if (!Array.isArray(value) || value.length < minimum) return null;
  const positions: LngLat[] = [];
  for (const item of value) {
    const position = parsePosition(item);
    if (!position) return null;
    positions.push(position);
  }
  return positions;
}

function parseList<T>(value: Dynamic, parseItem: (item: Dynamic) => T | null, minimum = 1): T[] | null {
  if (!Array.isArray(value) || value.length < minimum) return null;
  const items: T[] = [];
  for (const item of value) {
    const parsed = parseItem(item);
    if (parsed === null) return null;
    items.push(parsed);
  }
  return items;
}

const parseLine = (value: Dynamic) => parsePositions(value, 2);

function parseRing(value: Dynamic): LngLat[] | null {
  const ring = parsePositions(value, 4);
  if (!ring) return null;
  const first = ring[0];
  const last = ring[ring.length - 1];
  return first[0] === last[0] && first[1] === last[1] ? ring : null;
}

const parsePolygonRings = (value: Dynamic) => parseList(value, parseRing);

function typedCoordinates(value: Dynamic, type: string): Dynamic | undefined {
  if (!isPlainObject(value) || value.type !== type) return undefined;
  return value.coordinates;
}

/** A LineString or MultiLineString as its lines (each at least two valid positions); null otherwise. */
export function parseLineStrings(value: Dynamic): LngLat[][] | null {
  const single = typedCoordinates(value, 'LineString');
  if (single !== undefined) {
    const line = parseLine(single);
    return line && [line];
  }
  const multi = typedCoordinates(value, 'MultiLineString');
  return multi === undefined ? null : parseList(multi, parseLine);
}

/** A Polygon or MultiPolygon as its polygons (each a list of closed rings); null otherwise. */
export function parsePolygons(value: Dynamic): LngLat[][][] | null {
  const single = typedCoordinates(value, 'Polygon');
  if (single !== undefined) {
    const polygon = parsePolygonRings(single);
    return polygon && [polygon];
  }
  const multi = typedCoordinates(value, 'MultiPolygon');
  return multi === undefined ? null : parseList(multi, parsePolygonRings);
}

/** Any GeoJSON geometry, validated as the parsers above do; null otherwise. */
export function parseGeometry(value: Dynamic): Geometry | null {
  if (!isPlainObject(value) || typeof value.type !== 'string') return null;
  const coordinates = value.coordinates;
  switch (value.type) {
    case 'Point': {
      const point = parsePosition(coordinates);
      return point && { type: 'Point', coordinates: point };
    }
    case 'MultiPoint': {
      const points = parseList(coordinates, parsePosition);
      return points && { type: 'MultiPoint', coordinates: points };
    }
    case 'LineString': {
      const line = parseLine(coordinates);
      return line && { type: 'LineString', coordinates: line };
    }
    case 'MultiLineString': {
      const lines = parseList(coordinates, parseLine);
      return lines && { type: 'MultiLineString', coordinates: lines };
    }
    case 'Polygon': {
      const rings = parsePolygonRings(coordinates);
      return rings && { type: 'Polygon', coordinates: rings };
    }
    case 'MultiPolygon': {
      const polygons = parseList(coordinates, parsePolygonRings);
      return polygons && { type: 'MultiPolygon', coordinates: polygons };
    }
    case 'GeometryCollection': {
      const geometries = parseList(value.geometries, parseGeometry, 0);
      return geometries && { type: 'GeometryCollection', geometries };
    }
    default:
      return null;
  }
}

// ---- GeoJSON out ----

export function pointGeoJson(point: LngLat): Dynamic {
  return { type: 'Point', coordinates: [point[0], point[1]] };
}

/** One line as a LineString, several as a MultiLineString. */
export function linesGeoJson(lines: LngLat[][]): Dynamic {
  const copy = (line: LngLat[]): Dynamic => line.map(([lng, lat]) => [lng, lat]);
  return lines.length === 1
    ? { type: 'LineString', coordinates: copy(lines[0]) }
    : { type: 'MultiLineString', coordinates: lines.map(copy) };
}
