/**
 * Kusto's geospatial polygon functions. Kusto models the Earth as a sphere of radius 6371010 m
 * (the S2 library's) with geodesic (great-circle) edges; the documented example values match this
 * model to ~1e-10. Rings are normalized to enclose the smaller of the two regions they bound, so
 * their orientation in the input does not matter. Boolean operations (union of a multipolygon's
 * parts, intersections) run on a gnomonic projection, where great circles are straight lines.
 */

import { KqlError } from '../errors.js';
import { type Dynamic, isPlainObject, type Value } from '../values.js';
import {
  add,
  angleBetween,
  cross,
  dot,
  EARTH_RADIUS_METERS,
  type LngLat,
  norm,
  normalize,
  parsePosition as parseCommonPosition,
  scale,
  toLngLat,
  toVec3 as toVec,
  type Vec3,
} from './geo-common.js';
import { polyclipLibrary, s2Library } from './geo-libraries.js';
import { registerScalar } from './registry.js';

export type Vec = Vec3;

/** A ring: its distinct vertices (no closing repeat) as given and as unit vectors. */
export interface Ring {
  coords: LngLat[];
  points: Vec[];
}

/** A polygon: shell first, then holes; every ring CCW around the region it encloses. */
export type Polygon = Ring[];

/** Sign of the triple product (a×b)·c: +1 when c is left of the great circle a→b. */
function orientation(a: Vec, b: Vec, c: Vec): number {
  return Math.sign(dot(cross(a, b), c));
}

/** Signed area of the spherical triangle abc (Van Oosterom–Strackee), positive when CCW. */
function triangleArea(a: Vec, b: Vec, c: Vec): number {
  const numerator = dot(a, cross(b, c));
  const denominator = 1 + dot(a, b) + dot(b, c) + dot(c, a);
  return 2 * Math.atan2(numerator, denominator);
}

// ---- edges ----

/** Whether arcs ab and cd cross at a point interior to both (S2's CrossingSign > 0). */
function arcsCross(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  const acb = -orientation(a, b, c);
  if (acb === 0 || acb !== orientation(a, b, d)) return false;
  if (-orientation(c, d, b) !== acb) return false;
  return orientation(c, d, a) === acb;
}

/** The crossing point of two arcs known to cross. */
function arcIntersection(a: Vec, b: Vec, c: Vec, d: Vec): Vec {
  const x = normalize(cross(cross(a, b), cross(c, d)));
  return dot(x, add(a, b)) >= 0 ? x : scale(x, -1);
}

/** The point of arc ab closest to p. */
function closestOnArc(p: Vec, a: Vec, b: Vec): Vec {
  const n = cross(a, b);
  const nn = dot(n, n);
  if (nn > 0) {
    const projected = add(p, scale(n, -dot(p, n) / nn));
    if (norm(projected) > 0 && dot(cross(a, projected), n) > 0 && dot(cross(projected, b), n) > 0) {
      return normalize(projected);
    }
  }
  return angleBetween(p, a) <= angleBetween(p, b) ? a : b;
}

// ---- rings ----

function ringEdges(ring: Ring): [Vec, Vec][] {
  const { points } = ring;
  return points.map((p, i) => [p, points[(i + 1) % points.length] as Vec]);
}

function ringSignedArea(points: Vec[]): number {
  const origin = points[0] as Vec;
  let sum = 0;
  for (let i = 1; i + 1 < points.length; i++)
    sum += triangleArea(origin, points[i] as Vec, points[i + 1] as Vec);
  return sum;
}

export function ringArea(ring: Ring): number {
  return ringSignedArea(ring.points);
}

export function ringLength(ring: Ring): number {
  return ringEdges(ring).reduce((sum, [a, b]) => sum + angleBetween(a, b), 0);
}

/** ∫ x dA over the ring's region: half the sum of each edge's angle times its unit normal. */
function ringCentroidSum(ring: Ring): Vec {
  let sum: Vec = [0, 0, 0];
  for (const [a, b] of ringEdges(ring)) {
    const n = cross(a, b);
    const length = norm(n);
    if (length > 0) sum = add(sum, scale(n, (0.5 * angleBetween(a, b)) / length));
  }
  return sum;
}

/**
 * Whether p lies in the region left of the ring: the winding angle of the ring seen from p is 2π
 * (it is 0 when p is outside and −2π when only −p is inside).
 */
export function ringContains(ring: Ring, p: Vec): boolean {
  let winding = 0;
  for (const [a, b] of ringEdges(ring)) {
    const pa = cross(p, a);
    const pb = cross(p, b);
    winding += Math.atan2(dot(cross(pa, pb), p), dot(pa, pb));
  }
  return winding > Math.PI;
}

function ringsCross(ring: Ring): boolean {
  const edges = ringEdges(ring);
  for (let i = 0; i < edges.length; i++) {
    const [a, b] = edges[i] as [Vec, Vec];
    for (let j = i + 2; j < edges.length; j++) {
      if (i === 0 && j === edges.length - 1) continue;
      const [c, d] = edges[j] as [Vec, Vec];
      if (arcsCross(a, b, c, d)) return true;
    }
  }
  return false;
}

// ---- parsing GeoJSON ----

/** A [lng, lat] position within range, or undefined (an altitude throws NotSupported). */
export function parsePosition(value: Dynamic): LngLat | undefined {
  return parseCommonPosition(value) ?? undefined;
}

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

/** A closed ring of ≥4 positions with ≥3 distinct vertices, as given (no normalization). */
function parseRawRing(value: Dynamic): Ring | undefined {
  if (!Array.isArray(value) || value.length < 4) return undefined;
  const coords: LngLat[] = [];
  for (const item of value) {
    const position = parsePosition(item as Dynamic);
    if (!position) return undefined;
    coords.push(position);
  }
  const first = coords[0] as LngLat;
  const last = coords[coords.length - 1] as LngLat;
  if (first[0] !== last[0] || first[1] !== last[1]) return undefined;
  return distinctRing(coords.slice(0, -1));
}

/** Drops consecutive repeats (as vectors, so both poles' longitudes collapse); needs ≥3 vertices. */
function distinctRing(coords: LngLat[]): Ring | undefined {
  const kept: LngLat[] = [];
  const points: Vec[] = [];
  for (const c of coords) {
    const v = toVec(c);
    const previous = points[points.length - 1];
    if (previous && angleBetween(previous, v) === 0) continue;
    kept.push(c);
    points.push(v);
  }
  while (points.length > 1 && angleBetween(points[0] as Vec, points[points.length - 1] as Vec) === 0) {
    points.pop();
    kept.pop();
  }
  if (points.length < 3) return undefined;
  return { coords: kept, points };
}

/** Reverses a ring when it winds clockwise, so that it encloses the smaller region. */
function normalizeRing(ring: Ring): Ring | undefined {
  const area = ringSignedArea(ring.points);
  if (area === 0 || Number.isNaN(area)) return undefined;
  if (area > 0) return ring;
  return { coords: [...ring.coords].reverse(), points: [...ring.points].reverse() };
}

function validRing(ring: Ring): boolean {
  const seen = new Set<string>();
  for (const p of ring.points) {
    const key = p.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
  }
  for (const [a, b] of ringEdges(ring)) if (dot(a, b) <= -1 + 1e-15) return false;
  return !ringsCross(ring);
}

type RingParser = (value: Dynamic) => Ring | undefined;

/** A valid geodesic ring, normalized to wind CCW around the smaller region it bounds. */
function parseRing(value: Dynamic): Ring | undefined {
  const raw = parseRawRing(value);
  if (!raw || !validRing(raw)) return undefined;
  return normalizeRing(raw);
}

function parsePolygonRings(value: Dynamic, parse: RingParser): Polygon | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const rings: Ring[] = [];
  for (const item of value) {
    const ring = parse(item as Dynamic);
    if (!ring) return undefined;
    rings.push(ring);
  }
  return rings;
}

function parsePolygonsWith(value: Value, parse: RingParser): Polygon[] | undefined {
  if (!isPlainObject(value)) return undefined;
  const { type, coordinates } = value;
  if (!Array.isArray(coordinates)) return undefined;
  if (type === 'Polygon') {
    const polygon = parsePolygonRings(coordinates, parse);
    return polygon ? [polygon] : undefined;
  }
  if (type !== 'MultiPolygon' || coordinates.length === 0) return undefined;
  const polygons: Polygon[] = [];
  for (const item of coordinates) {
    const polygon = parsePolygonRings(item as Dynamic, parse);
    if (!polygon) return undefined;
    polygons.push(polygon);
  }
  return polygons;
}

/** Parsed polygons by GeoJSON object: a constant polygon is validated once, not once per row. */
const parsedPolygons = new WeakMap<object, Polygon[] | undefined>();

/** A GeoJSON Polygon or MultiPolygon as a list of polygons, or undefined when invalid. */
export function parsePolygons(value: Value): Polygon[] | undefined {
  if (!isPlainObject(value)) return undefined;
  if (parsedPolygons.has(value)) return parsedPolygons.get(value);
  const polygons = parsePolygonsWith(value, parseRing);
  parsedPolygons.set(value, polygons);
  return polygons;
}

// ---- polygon measures ----

export function polygonContains(polygon: Polygon, p: Vec): boolean {
  const [shell, ...holes] = polygon;
  return !!shell && ringContains(shell, p) && !holes.some((hole) => ringContains(hole, p));
}

export function polygonsContain(polygons: Polygon[], p: Vec): boolean {
  return polygons.some((polygon) => polygonContains(polygon, p));
}

function polygonArea(polygon: Polygon): number {
  const [shell, ...holes] = polygon;
  return ringArea(shell as Ring) - holes.reduce((sum, hole) => sum + ringArea(hole), 0);
}

function allRings(polygons: Polygon[]): Ring[] {
  return polygons.flat();
}

/** The closest boundary point of the polygons to p. */
function closestBoundaryPoint(polygons: Polygon[], p: Vec): Vec {
  let best: Vec = p;
  let bestAngle = Number.POSITIVE_INFINITY;
  for (const ring of allRings(polygons)) {
    for (const [a, b] of ringEdges(ring)) {
      const candidate = closestOnArc(p, a, b);
      const angle = angleBetween(p, candidate);
      if (angle < bestAngle) {
        bestAngle = angle;
        best = candidate;
      }
    }
  }
  return best;
}

// ---- boolean operations on a gnomonic projection ----

interface Projection {
  forward(v: Vec): [number, number];
  inverse(xy: [number, number]): Vec;
}

/** Gnomonic projection centred on the rings' mean vertex; great-circle arcs map to segments. */
function gnomonicFor(rings: Ring[]): Projection {
  let sum: Vec = [0, 0, 0];
  for (const ring of rings) for (const p of ring.points) sum = add(sum, p);
  const center = normalize(sum);
  const helper: Vec = Math.abs(center[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const east = normalize(cross(helper, center));
  const north = cross(center, east);
  for (const ring of rings) {
    for (const p of ring.points) {
      // Far from the centre the projection loses precision and, past 90°, is undefined.
      if (dot(p, center) < 0.2) throw notSupported('geospatial polygons spanning more than ~75° of arc');
    }
  }
  return {
    forward: (v) => {
      const k = EARTH_RADIUS_METERS / dot(v, center);
      return [dot(v, east) * k, dot(v, north) * k];
    },
    inverse: ([x, y]) =>
      normalize(
        add(center, add(scale(east, x / EARTH_RADIUS_METERS), scale(north, y / EARTH_RADIUS_METERS))),
      ),
  };
}

type PlanarRing = [number, number][];
type PlanarPolygon = PlanarRing[];

function projectPolygon(polygon: Polygon, projection: Projection): PlanarPolygon {
  return polygon.map((ring) => {
    const projected = ring.points.map(projection.forward);
    projected.push(projected[0] as [number, number]);
    return projected;
  });
}

/** Back to rings, keeping the caller's exact coordinates for vertices that were not moved. */
function unprojectPolygons(
  planar: PlanarPolygon[],
  projection: Projection,
  originals: Map<string, LngLat>,
): Polygon[] {
  const result: Polygon[] = [];
  for (const planarPolygon of planar) {
    const rings: Ring[] = [];
    for (const planarRing of planarPolygon) {
      const open = samePlanar(planarRing[0], planarRing[planarRing.length - 1])
        ? planarRing.slice(0, -1)
        : planarRing;
      const coords = open.map((xy) => originals.get(xy.join(',')) ?? toLngLat(projection.inverse(xy)));
      const ring = distinctRing(coords);
      const normalized = ring && normalizeRing(ring);
      if (normalized) rings.push(normalized);
    }
    if (rings.length > 0) result.push(rings);
  }
  return result;
}

function samePlanar(a: [number, number] | undefined, b: [number, number] | undefined): boolean {
  return !!a && !!b && a[0] === b[0] && a[1] === b[1];
}

function originalVertices(polygons: Polygon[], projection: Projection): Map<string, LngLat> {
  const originals = new Map<string, LngLat>();
  for (const ring of allRings(polygons)) {
    ring.points.forEach((p, i) => {
      originals.set(projection.forward(p).join(','), ring.coords[i] as LngLat);
    });
  }
  return originals;
}

function booleanOperation(groups: Polygon[][], operation: 'union' | 'intersection'): Polygon[] {
  const everything = groups.flat();
  const projection = gnomonicFor(allRings(everything));
  const planar = groups.map((polygons) => polygons.map((polygon) => projectPolygon(polygon, projection)));
  const [first, ...rest] = planar as [PlanarPolygon[], ...PlanarPolygon[][]];
  const result =
    operation === 'union'
      ? polyclipLibrary().union(first, ...rest)
      : polyclipLibrary().intersection(first, ...rest);
  return unprojectPolygons(result, projection, originalVertices(everything, projection));
}

// ---- S2's output order ----
// Kusto's results come from S2's builder: each loop ends with the edge that came from the
// highest-numbered input edge (input edges numbered operand by operand, loop by loop), and loops
// are listed by the input edge id of their first edge. Matching it makes the GeoJSON vertex order
// equal to Kusto's, not just the same shape.

function leafCell([lng, lat]: LngLat): bigint {
  return s2Library().cellid.fromLatLng(s2Library().LatLng.fromDegrees(lat, lng));
}

const ON_EDGE_RADIANS = 1e-11;

function liesOnArc(p: Vec, a: Vec, b: Vec): boolean {
  return angleBetween(p, closestOnArc(p, a, b)) < ON_EDGE_RADIANS;
}

interface InputEdges {
  edges: [Vec, Vec][];
  /** Ids of the input edges that start or end at a vertex, by the vertex's key. */
  incident: Map<string, number[]>;
}

function inputEdgesOf(operands: Polygon[][]): InputEdges {
  const edges: [Vec, Vec][] = [];
  const incident = new Map<string, number[]>();
  const note = (v: Vec, id: number) => {
    const key = v.join(',');
    const ids = incident.get(key);
    if (ids) ids.push(id);
    else incident.set(key, [id]);
  };
  for (const ring of operands.flat(2)) {
    for (const [a, b] of ringEdges(ring)) {
      note(a, edges.length);
      note(b, edges.length);
      edges.push([a, b]);
    }
  }
  return { edges, incident };
}

/** The lowest id of the input edges that the output edge ab lies on (-1 when none does). */
function sourceEdgeId(a: Vec, b: Vec, input: InputEdges): number {
  const fits = (id: number) => {
    const [c, d] = input.edges[id] as [Vec, Vec];
    return liesOnArc(a, c, d) && liesOnArc(b, c, d);
  };
  const candidates = [...(input.incident.get(a.join(',')) ?? []), ...(input.incident.get(b.join(',')) ?? [])];
  const found = candidates.filter(fits);
  if (found.length > 0) return Math.min(...found);
  return input.edges.findIndex((_, id) => fits(id));
}

/** S2Builder's CanonicalizeLoopOrder: the index the loop starts at, given its edges' input ids. */
function canonicalStart(ids: number[]): number {
  let position = 0;
  let sawGap = false;
  for (let i = 1; i < ids.length; i++) {
    const cmp = (ids[i] as number) - (ids[position] as number);
    if (cmp < 0) sawGap = true;
    else if (cmp > 0 || !sawGap) {
      position = i;
      sawGap = false;
    }
  }
  return (position + 1) % ids.length;
}

function rotateRing(ring: Ring, start: number): Ring {
  const rotate = <T>(items: T[]) => [...items.slice(start), ...items.slice(0, start)];
  return { coords: rotate(ring.coords), points: rotate(ring.points) };
}

function smallest(cells: bigint[]): bigint {
  let min = cells[0] as bigint;
  for (const cell of cells) if (cell < min) min = cell;
  return min;
}

interface CanonicalRing {
  ring: Ring;
  /** The input edge id of the ring's first edge: S2 lists loops in this order. */
  firstId: number;
}

/** The builder walks each loop from its vertex first in S2 cell order, then rotates it canonically. */
function canonicalRing(ring: Ring, input: InputEdges): CanonicalRing {
  const cells = ring.coords.map(leafCell);
  const fromFirstCell = rotateRing(ring, cells.indexOf(smallest(cells)));
  const ids = ringEdges(fromFirstCell).map(([a, b]) => sourceEdgeId(a, b, input));
  const start = canonicalStart(ids);
  return { ring: rotateRing(fromFirstCell, start), firstId: ids[start] as number };
}

function byFirstId(a: CanonicalRing, b: CanonicalRing): number {
  return a.firstId - b.firstId;
}

/** Rings rotated and ordered as S2's builder would output the result of the operands. */
function inS2Order(result: Polygon[], operands: Polygon[][]): Polygon[] {
  const input = inputEdgesOf(operands);
  const polygons = result.map(([shell, ...holes]) => ({
    shell: canonicalRing(shell as Ring, input),
    holes: holes.map((hole) => canonicalRing(hole, input)).sort(byFirstId),
  }));
  polygons.sort((a, b) => byFirstId(a.shell, b.shell));
  return polygons.map(({ shell, holes }) => [shell.ring, ...holes.map((hole) => hole.ring)]);
}

function s2BooleanOperation(
  operands: [Polygon[], Polygon[]],
  operation: 'union' | 'intersection',
): Polygon[] {
  return inS2Order(booleanOperation(operands, operation), operands);
}

function vertexCount(polygons: Polygon[]): number {
  return allRings(polygons).reduce((sum, ring) => sum + ring.points.length, 0);
}

/** S2Polygon::DestructiveUnion: repeatedly unites the two operands with the fewest vertices. */
function unionInS2Order(operands: Polygon[][]): Polygon[] {
  const queue = operands
    .map((polygons) => ({ size: vertexCount(polygons), polygons }))
    .sort((a, b) => a.size - b.size);
  while (queue.length > 1) {
    const a = queue.shift() as { size: number; polygons: Polygon[] };
    const b = queue.shift() as { size: number; polygons: Polygon[] };
    const united = { size: a.size + b.size, polygons: s2BooleanOperation([a.polygons, b.polygons], 'union') };
    const after = queue.findIndex((item) => item.size > united.size);
    queue.splice(after < 0 ? queue.length : after, 0, united);
  }
  return queue[0]?.polygons ?? [];
}

/** A multipolygon's parts may overlap: Kusto measures their union. */
export function unionOfParts(polygons: Polygon[]): Polygon[] {
  if (polygons.length < 2) return polygons;
  return booleanOperation(
    polygons.map((p) => [p]),
    'union',
  );
}

// ---- GeoJSON output ----

/** A closed GeoJSON ring: shells counterclockwise, holes clockwise, as Kusto defines them. */
function ringCoordinates(ring: Ring, index: number): LngLat[] {
  const coords = index === 0 ? ring.coords : [...ring.coords].reverse();
  return [...coords, coords[0] as LngLat];
}

export function polygonsGeoJson(polygons: Polygon[]): Dynamic {
  if (polygons.length === 0) return { type: 'GeometryCollection', geometries: [] };
  if (polygons.length === 1) {
    return { type: 'Polygon', coordinates: (polygons[0] as Polygon).map(ringCoordinates) };
  }
  return { type: 'MultiPolygon', coordinates: polygons.map((polygon) => polygon.map(ringCoordinates)) };
}

function pointGeoJson(v: Vec): Dynamic {
  return { type: 'Point', coordinates: toLngLat(v) };
}

// ---- argument helpers ----

function realArg(value: Value): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function pointArg(lng: Value, lat: Value): Vec | undefined {
  const lngNumber = realArg(lng);
  const latNumber = realArg(lat);
  if (lngNumber === undefined || latNumber === undefined) return undefined;
  const position = parsePosition([lngNumber, latNumber]);
  return position && toVec(position);
}

/** An optional tolerance in meters within [min, max]; undefined when invalid. */
function toleranceArg(value: Value | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return 10;
  const tolerance = realArg(value);
  if (tolerance === undefined || tolerance < min || tolerance > max) return undefined;
  return tolerance;
}

// ---- point functions ----

registerScalar('geo_point_in_polygon', () => (lng, lat, polygon) => {
  const p = pointArg(lng ?? null, lat ?? null);
  const polygons = parsePolygons(polygon ?? null);
  if (!p || !polygons) return null;
  return polygonsContain(polygons, p);
});

/** Meters from p to the polygons: 0 inside them. */
export function distanceToPolygons(polygons: Polygon[], p: Vec): number {
  if (polygonsContain(polygons, p)) return 0;
  return angleBetween(p, closestBoundaryPoint(polygons, p)) * EARTH_RADIUS_METERS;
}

registerScalar('geo_distance_point_to_polygon', () => (lng, lat, polygon) => {
  const p = pointArg(lng ?? null, lat ?? null);
  const polygons = parsePolygons(polygon ?? null);
  if (!p || !polygons) return null;
  return distanceToPolygons(polygons, p);
});

registerScalar('geo_closest_point_on_polygon', () => (lng, lat, polygon) => {
  const p = pointArg(lng ?? null, lat ?? null);
  const polygons = parsePolygons(polygon ?? null);
  if (!p || !polygons) return null;
  if (polygonsContain(polygons, p)) return { type: 'Point', coordinates: [Number(lng), Number(lat)] };
  return pointGeoJson(closestBoundaryPoint(polygons, p));
});

// ---- measures ----

registerScalar('geo_polygon_area', () => (polygon) => {
  const polygons = parsePolygons(polygon ?? null);
  if (!polygons) return null;
  const parts = unionOfParts(polygons);
  return parts.reduce((sum, part) => sum + polygonArea(part), 0) * EARTH_RADIUS_METERS ** 2;
});

registerScalar('geo_polygon_perimeter', () => (polygon) => {
  const polygons = parsePolygons(polygon ?? null);
  if (!polygons) return null;
  const rings = allRings(unionOfParts(polygons));
  return rings.reduce((sum, ring) => sum + ringLength(ring), 0) * EARTH_RADIUS_METERS;
});

registerScalar('geo_polygon_centroid', () => (polygon) => {
  const polygons = parsePolygons(polygon ?? null);
  if (!polygons) return null;
  let sum: Vec = [0, 0, 0];
  for (const [shell, ...holes] of unionOfParts(polygons)) {
    sum = add(sum, ringCentroidSum(shell as Ring));
    for (const hole of holes) sum = add(sum, scale(ringCentroidSum(hole), -1));
  }
  if (norm(sum) === 0) return null;
  return pointGeoJson(normalize(sum));
});

// ---- densify: planar edges to chains of geodesic edges ----

const MAX_DENSIFY_DEPTH = 30;

function planarMidpoint(a: LngLat, b: LngLat): LngLat {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

function wrapLongitude(lng: number): number {
  if (lng > 180) return lng - 360;
  if (lng < -180) return lng + 360;
  return lng;
}

/** Halves the planar edge until each piece's planar midpoint is within tolerance of its geodesic. */
function densifyEdge(a: LngLat, b: LngLat, toleranceRadians: number, out: LngLat[], depth = 0): void {
  const middle = planarMidpoint(a, b);
  const [va, vb, vm] = [toVec(a), toVec(b), toVec(middle)];
  const deviation = angleBetween(vm, closestOnArc(vm, va, vb));
  if (deviation <= toleranceRadians || depth >= MAX_DENSIFY_DEPTH) return;
  densifyEdge(a, middle, toleranceRadians, out, depth + 1);
  out.push(middle);
  densifyEdge(middle, b, toleranceRadians, out, depth + 1);
}

/** With preserve_crossing, an edge spanning more than 180° of longitude crosses the antimeridian. */
function densifyRing(coords: LngLat[], toleranceRadians: number, preserveCrossing: boolean): LngLat[] {
  const out: LngLat[] = [coords[0] as LngLat];
  for (let i = 0; i + 1 < coords.length; i++) {
    const a = coords[i] as LngLat;
    const b = coords[i + 1] as LngLat;
    const delta = b[0] - a[0];
    const shifted: LngLat =
      preserveCrossing && Math.abs(delta) > 180 ? [b[0] - Math.sign(delta) * 360, b[1]] : b;
    const inserted: LngLat[] = [];
    densifyEdge(a, shifted, toleranceRadians, inserted);
    for (const [lng, lat] of inserted) out.push([wrapLongitude(lng), lat]);
    out.push(b);
  }
  return out;
}

/** Rings exactly as given (closed, original order), checked only for shape and coordinate range. */
function parseGivenRings(value: Value): LngLat[][][] | undefined {
  const polygons = parsePolygonsWith(value, parseRawRing);
  if (!polygons || !isPlainObject(value)) return undefined;
  const given = value.coordinates as Dynamic[];
  const nested = value.type === 'Polygon' ? [given] : given;
  return nested.map((polygon) =>
    (polygon as Dynamic[]).map((ring) => (ring as Dynamic[]).map((p) => parsePosition(p) as LngLat)),
  );
}

function givenGeoJson(type: unknown, polygons: LngLat[][][]): Dynamic {
  return type === 'Polygon'
    ? { type: 'Polygon', coordinates: polygons[0] as LngLat[][] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

registerScalar('geo_polygon_densify', () => (polygon, tolerance, preserveCrossing) => {
  const polygons = parseGivenRings(polygon ?? null);
  const meters = toleranceArg(tolerance ?? undefined, 0.1, 10000);
  if (!polygons || meters === undefined || !isPlainObject(polygon)) return null;
  const radians = meters / EARTH_RADIUS_METERS;
  const preserve = preserveCrossing === true;
  const densified = polygons.map((rings) => rings.map((ring) => densifyRing(ring, radians, preserve)));
  return givenGeoJson(polygon.type, densified);
});

// ---- simplify: Douglas–Peucker with geodesic distances ----

function simplifyChain(points: Vec[], first: number, last: number, tolerance: number, keep: boolean[]): void {
  if (last - first < 2) return;
  const a = points[first] as Vec;
  const b = points[last] as Vec;
  let farthest = -1;
  let farthestAngle = -1;
  for (let i = first + 1; i < last; i++) {
    const p = points[i] as Vec;
    const angle = angleBetween(p, closestOnArc(p, a, b));
    if (angle > farthestAngle) {
      farthestAngle = angle;
      farthest = i;
    }
  }
  if (farthestAngle <= tolerance) return;
  keep[farthest] = true;
  simplifyChain(points, first, farthest, tolerance, keep);
  simplifyChain(points, farthest, last, tolerance, keep);
}

function simplifyRing(ring: Ring, tolerance: number): Ring | undefined {
  const closed = [...ring.points, ring.points[0] as Vec];
  const keep = closed.map((_, i) => i === 0 || i === closed.length - 1);
  simplifyChain(closed, 0, closed.length - 1, tolerance, keep);
  const coords = ring.coords.filter((_, i) => keep[i]);
  const simplified = distinctRing(coords);
  if (simplified) checkSimplifiedRing(simplified, tolerance);
  return simplified && normalizeRing(simplified);
}

/**
 * Kusto documents that no two output vertices are closer than the tolerance, and its simplifier
 * treats the first vertex like any other; Douglas–Peucker keeps it. Where the two could differ,
 * fail rather than guess.
 */
function checkSimplifiedRing(ring: Ring, tolerance: number): void {
  const { points } = ring;
  const tooClose = ringEdges(ring).some(([a, b]) => angleBetween(a, b) < tolerance);
  const first = points[0] as Vec;
  const before = points[points.length - 1] as Vec;
  const after = points[1] as Vec;
  const firstRemovable = angleBetween(first, closestOnArc(first, before, after)) <= tolerance;
  if (tooClose || firstRemovable) throw notSupported('geo_polygon_simplify() of this polygon');
}

/** Simplified polygons; a polygon whose shell collapses disappears, as do collapsed holes. */
function simplifyPolygons(polygons: Polygon[], tolerance: number): Polygon[] {
  const result: Polygon[] = [];
  for (const [shell, ...holes] of polygons) {
    const simplifiedShell = simplifyRing(shell as Ring, tolerance);
    if (!simplifiedShell) continue;
    const simplifiedHoles = holes.map((hole) => simplifyRing(hole, tolerance)).filter((h) => h !== undefined);
    result.push([simplifiedShell, ...simplifiedHoles]);
  }
  return result;
}

registerScalar('geo_polygon_simplify', () => (polygon, tolerance) => {
  const polygons = parsePolygons(polygon ?? null);
  const meters = toleranceArg(tolerance ?? undefined, 0.1, 10000);
  if (!polygons || meters === undefined) return null;
  const simplified = simplifyPolygons(unionOfParts(polygons), meters / EARTH_RADIUS_METERS);
  return simplified.length === 0 ? null : polygonsGeoJson(simplified);
});

// ---- geo_simplify_polygons_array ----

const MAX_ARRAY_SIMPLIFY_TOLERANCE = 7_800_000;
const MAX_PAIRWISE_VERTICES = 5000;

/** Whether every two vertices are within the angle of each other. */
function allWithin(points: Vec[], angle: number): boolean {
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      if (angleBetween(points[i] as Vec, points[j] as Vec) > angle) return false;
    }
  }
  return true;
}

/**
 * Kusto snaps the polygons' vertices together within the tolerance (S2's builder). Only the case
 * where every vertex snaps to the same site, so that the polygons disappear (null), is computed.
 */
registerScalar('geo_simplify_polygons_array', () => (array, tolerance) => {
  const meters = toleranceArg(tolerance ?? undefined, 0, MAX_ARRAY_SIMPLIFY_TOLERANCE);
  if (!Array.isArray(array) || array.length === 0 || meters === undefined) return null;
  const points: Vec[] = [];
  for (const item of array) {
    const polygons = parsePolygons(item as Value);
    if (!polygons) return null;
    for (const ring of allRings(polygons)) points.push(...ring.points);
  }
  if (points.length <= MAX_PAIRWISE_VERTICES && allWithin(points, meters / EARTH_RADIUS_METERS)) return null;
  throw notSupported('geo_simplify_polygons_array() of polygons larger than the tolerance');
});

// ---- polygon/polygon and line/polygon predicates and intersections ----

function ringVertexSet(polygons: Polygon[]): Set<string> {
  const keys = new Set<string>();
  for (const ring of allRings(polygons)) for (const p of ring.points) keys.add(p.join(','));
  return keys;
}

function sharesVertex(a: Polygon[], b: Polygon[]): boolean {
  const keys = ringVertexSet(a);
  return allRings(b).some((ring) => ring.points.some((p) => keys.has(p.join(','))));
}

function boundariesCross(a: Polygon[], b: Polygon[]): boolean {
  const edgesB = allRings(b).flatMap(ringEdges);
  for (const ring of allRings(a)) {
    for (const [p, q] of ringEdges(ring)) {
      if (edgesB.some(([r, s]) => arcsCross(p, q, r, s))) return true;
    }
  }
  return false;
}

function anyVertexInside(a: Polygon[], b: Polygon[]): boolean {
  return allRings(a).some((ring) => ring.points.some((p) => polygonsContain(b, p)));
}

export function polygonsIntersect(a: Polygon[], b: Polygon[]): boolean {
  return sharesVertex(a, b) || anyVertexInside(a, b) || anyVertexInside(b, a) || boundariesCross(a, b);
}

registerScalar('geo_intersects_2polygons', () => (first, second) => {
  const a = parsePolygons(first ?? null);
  const b = parsePolygons(second ?? null);
  if (!a || !b) return null;
  return polygonsIntersect(a, b);
});

function boundaryEdges(polygons: Polygon[]): [Vec, Vec][] {
  return allRings(polygons).flatMap(ringEdges);
}

function onBoundary(p: Vec, edges: [Vec, Vec][]): boolean {
  return edges.some(([a, b]) => liesOnArc(p, a, b));
}

/** Vertices of either operand that lie on the other's boundary, as the caller gave them. */
function touchingVertices(a: Polygon[], b: Polygon[]): { point: Vec; coords: LngLat }[] {
  const touching: { point: Vec; coords: LngLat }[] = [];
  const seen = new Set<string>();
  for (const [mine, theirs] of [
    [a, b],
    [b, a],
  ] as const) {
    const edges = boundaryEdges(theirs);
    for (const ring of allRings(mine)) {
      ring.points.forEach((point, i) => {
        const key = point.join(',');
        if (seen.has(key) || !onBoundary(point, edges)) return;
        seen.add(key);
        touching.push({ point, coords: ring.coords[i] as LngLat });
      });
    }
  }
  return touching;
}

function strictlyInside(x: Vec, a: Vec, b: Vec): boolean {
  return liesOnArc(x, a, b) && angleBetween(x, a) > ON_EDGE_RADIANS && angleBetween(x, b) > ON_EDGE_RADIANS;
}

/** Whether arcs pq and rs lie on one great circle and overlap in more than a point. */
function arcsOverlap(p: Vec, q: Vec, r: Vec, s: Vec): boolean {
  if (norm(cross(normalize(cross(p, q)), normalize(cross(r, s)))) > ON_EDGE_RADIANS) return false;
  const sameEnds =
    (angleBetween(p, r) <= ON_EDGE_RADIANS && angleBetween(q, s) <= ON_EDGE_RADIANS) ||
    (angleBetween(p, s) <= ON_EDGE_RADIANS && angleBetween(q, r) <= ON_EDGE_RADIANS);
  return (
    sameEnds ||
    strictlyInside(r, p, q) ||
    strictlyInside(s, p, q) ||
    strictlyInside(p, r, s) ||
    strictlyInside(q, r, s)
  );
}

/** Whether some edge of one operand runs along an edge of the other. */
function sharesBoundarySegment(a: Polygon[], b: Polygon[]): boolean {
  const edgesB = boundaryEdges(b);
  return boundaryEdges(a).some(([p, q]) => edgesB.some(([r, s]) => arcsOverlap(p, q, r, s)));
}

/**
 * Kusto's intersection is closed: polygons that only touch at a point add that point to the result
 * (a GeometryCollection). Only the single touching point beside polygons is known from its docs.
 */
function intersectionGeoJson(a: Polygon[], b: Polygon[]): Dynamic {
  if (sharesBoundarySegment(a, b))
    throw notSupported('geo_intersection_2polygons() of polygons sharing an edge');
  const polygons = polygonsIntersect(a, b) ? s2BooleanOperation([a, b], 'intersection') : [];
  const resultEdges = boundaryEdges(polygons);
  const isolated = touchingVertices(a, b).filter(({ point }) => !onBoundary(point, resultEdges));
  if (isolated.length === 0) return polygonsGeoJson(polygons);
  if (isolated.length > 1 || polygons.length === 0) {
    throw notSupported('geo_intersection_2polygons() of polygons touching at points');
  }
  const point = { type: 'Point', coordinates: (isolated[0] as { coords: LngLat }).coords };
  return { type: 'GeometryCollection', geometries: [point, polygonsGeoJson(polygons)] };
}

registerScalar('geo_intersection_2polygons', () => (first, second) => {
  const a = parsePolygons(first ?? null);
  const b = parsePolygons(second ?? null);
  if (!a || !b) return null;
  return intersectionGeoJson(a, b);
});

registerScalar('geo_union_polygons_array', () => (array) => {
  if (!Array.isArray(array) || array.length === 0) return null;
  const groups: Polygon[][] = [];
  for (const item of array) {
    const polygons = parsePolygons(item as Value);
    if (!polygons) return null;
    groups.push(polygons);
  }
  return polygonsGeoJson(unionInS2Order(groups));
});

// ---- lines ----

export interface Line {
  coords: LngLat[];
  points: Vec[];
}

function parseLineCoordinates(value: Dynamic): Line | undefined {
  if (!Array.isArray(value) || value.length < 2) return undefined;
  const coords: LngLat[] = [];
  const points: Vec[] = [];
  for (const item of value) {
    const position = parsePosition(item as Dynamic);
    if (!position) return undefined;
    const v = toVec(position);
    const previous = points[points.length - 1];
    if (previous && angleBetween(previous, v) === 0) continue;
    if (previous && dot(previous, v) <= -1 + 1e-15) return undefined;
    coords.push(position);
    points.push(v);
  }
  return points.length >= 2 ? { coords, points } : undefined;
}

/** A GeoJSON LineString or MultiLineString as a list of lines, or undefined when invalid. */
export function parseLines(value: Value): Line[] | undefined {
  if (!isPlainObject(value) || !Array.isArray(value.coordinates)) return undefined;
  if (value.type === 'LineString') {
    const line = parseLineCoordinates(value.coordinates);
    return line ? [line] : undefined;
  }
  if (value.type !== 'MultiLineString' || value.coordinates.length === 0) return undefined;
  const lines: Line[] = [];
  for (const item of value.coordinates) {
    const line = parseLineCoordinates(item as Dynamic);
    if (!line) return undefined;
    lines.push(line);
  }
  return lines;
}

function lineEdges(line: Line): [Vec, Vec][] {
  return line.points.slice(1).map((p, i) => [line.points[i] as Vec, p]);
}

/** Meters from p to the nearest point of the lines. */
export function distanceToLines(lines: Line[], p: Vec): number {
  let best = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    for (const [a, b] of lineEdges(line)) best = Math.min(best, angleBetween(p, closestOnArc(p, a, b)));
  }
  return best * EARTH_RADIUS_METERS;
}

export function lineIntersectsPolygons(lines: Line[], polygons: Polygon[]): boolean {
  const polygonEdges = allRings(polygons).flatMap(ringEdges);
  for (const line of lines) {
    if (line.points.some((p) => polygonsContain(polygons, p))) return true;
    for (const [a, b] of lineEdges(line)) {
      if (polygonEdges.some(([c, d]) => arcsCross(a, b, c, d))) return true;
    }
  }
  return false;
}

registerScalar('geo_intersects_line_with_polygon', () => (line, polygon) => {
  const lines = parseLines(line ?? null);
  const polygons = parsePolygons(polygon ?? null);
  if (!lines || !polygons) return null;
  return lineIntersectsPolygons(lines, polygons);
});

interface LinePoint {
  point: Vec;
  coords: LngLat;
}

/** The pieces of arc ab inside the polygons, split where it crosses their boundary. */
function clipEdge(
  a: LinePoint,
  b: LinePoint,
  polygons: Polygon[],
  polygonEdges: [Vec, Vec][],
): LinePoint[][] {
  const crossings: { angle: number; at: LinePoint }[] = [];
  for (const [c, d] of polygonEdges) {
    if (!arcsCross(a.point, b.point, c, d)) continue;
    const x = arcIntersection(a.point, b.point, c, d);
    crossings.push({ angle: angleBetween(a.point, x), at: { point: x, coords: toLngLat(x) } });
  }
  crossings.sort((x, y) => x.angle - y.angle);
  const stops = [a, ...crossings.map((c) => c.at), b];
  const pieces: LinePoint[][] = [];
  for (let i = 0; i + 1 < stops.length; i++) {
    const from = stops[i] as LinePoint;
    const to = stops[i + 1] as LinePoint;
    const middle = normalize(add(from.point, to.point));
    if (polygonsContain(polygons, middle)) pieces.push([from, to]);
  }
  return pieces;
}

function clipLine(line: Line, polygons: Polygon[]): LngLat[][] {
  const polygonEdges = allRings(polygons).flatMap(ringEdges);
  const chains: LinePoint[][] = [];
  const stops = line.points.map((point, i) => ({ point, coords: line.coords[i] as LngLat }));
  for (let i = 0; i + 1 < stops.length; i++) {
    for (const piece of clipEdge(stops[i] as LinePoint, stops[i + 1] as LinePoint, polygons, polygonEdges)) {
      const chain = chains[chains.length - 1];
      if (chain && chain[chain.length - 1] === piece[0]) chain.push(piece[1] as LinePoint);
      else chains.push(piece);
    }
  }
  return chains.map((chain) => chain.map((p) => p.coords));
}

registerScalar('geo_intersection_line_with_polygon', () => (line, polygon): Dynamic => {
  const lines = parseLines(line ?? null);
  const polygons = parsePolygons(polygon ?? null);
  if (!lines || !polygons) return null;
  const chains = lines.flatMap((l) => clipLine(l, polygons));
  if (chains.length === 0) return { type: 'GeometryCollection', geometries: [] };
  if (chains.length === 1) return { type: 'LineString', coordinates: chains[0] as LngLat[] };
  return { type: 'MultiLineString', coordinates: chains };
});
