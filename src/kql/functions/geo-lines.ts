/**
 * Kusto's geospatial point and line functions: distances, azimuth and angles between points, circles,
 * and measures of GeoJSON lines (length, centroid, closest point, interpolation, densification,
 * intersection, union), plus geo_from_wkt. Geometry is on the S2 sphere with geodesic edges (see
 * geo-common.ts); invalid input gives null. Shapes whose exact Kusto output depends on S2's snapping
 * (buffers, simplification) or on an unspecified ordering of parts fail as not supported.
 */
import { KqlError } from '../errors.js';
import type { Dynamic, Value } from '../values.js';
import {
  add,
  angleBetween,
  azimuthRadians,
  closestPointOnEdge,
  cross,
  distanceMeters,
  dot,
  EARTH_RADIUS_METERS,
  edgeCrossing,
  interpolate,
  isAntipodal,
  isSamePoint,
  isValidCoordinate,
  type LngLat,
  linesGeoJson,
  norm,
  normalize,
  numberArg,
  onEdge,
  parseLineStrings,
  parsePosition,
  pointGeoJson,
  scale,
  spheroidDistanceMeters,
  toLngLat,
  toVec3,
  type Vec3,
} from './geo-common.js';
import { registerScalar } from './registry.js';

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

/** Two numeric arguments as a valid coordinate, else null. */
function coordinateArgs(lngValue: Value, latValue: Value): LngLat | null {
  const lng = numberArg(lngValue);
  const lat = numberArg(latValue);
  return isValidCoordinate(lng, lat) ? [lng as number, lat as number] : null;
}

/** An optional bool argument, or its default when absent. Whether a null means the default is undocumented. */
function optionalBool(args: Value[], index: number, fallback: boolean): boolean | null {
  if (args.length <= index) return fallback;
  const value = args[index];
  if (value === null) throw notSupported('a null optional argument of a geo function');
  return typeof value === 'boolean' ? value : null;
}

/** An optional numeric argument, or its default when absent (a null one is not supported, as above). */
function optionalNumber(args: Value[], index: number, fallback: number): number | null {
  if (args.length <= index) return fallback;
  if (args[index] === null) throw notSupported('a null optional argument of a geo function');
  return numberArg(args[index]);
}

// ---- point functions ----

registerScalar('geo_distance_2points', () => (...args) => {
  const p = coordinateArgs(args[0], args[1]);
  const q = coordinateArgs(args[2], args[3]);
  const useSpheroid = optionalBool(args, 4, false);
  if (!p || !q || useSpheroid === null) return null;
  return useSpheroid ? spheroidDistanceMeters(p, q) : distanceMeters(p, q);
});

registerScalar('geo_azimuth', () => (lng1, lat1, lng2, lat2) => {
  const p = coordinateArgs(lng1, lat1);
  const q = coordinateArgs(lng2, lat2);
  if (!p || !q) return null;
  // At a pole "north" has no direction; Kusto's answer there is not documented.
  if (Math.abs(p[1]) === 90 && !isSamePoint(toVec3(p), toVec3(q)))
    throw notSupported('geo_azimuth() from a pole');
  return azimuthRadians(p, q);
});

/** The direction from p toward q, as a unit tangent vector at p. */
function tangentToward(p: Vec3, q: Vec3): Vec3 {
  return normalize(add(q, scale(p, -dot(p, q))));
}

registerScalar('geo_angle', () => (lng1, lat1, lng2, lat2, lng3, lat3) => {
  const p1 = coordinateArgs(lng1, lat1);
  const p2 = coordinateArgs(lng2, lat2);
  const p3 = coordinateArgs(lng3, lat3);
  if (!p1 || !p2 || !p3) return null;
  const [a, b, c] = [toVec3(p1), toVec3(p2), toVec3(p3)];
  if (isSamePoint(a, b) || isAntipodal(a, b) || isSamePoint(b, c) || isAntipodal(b, c)) return null;
  // Clockwise (seen from outside the sphere) from the way back to p1 to the way on to p3; this stays defined at the poles.
  const back = tangentToward(b, a);
  const forward = tangentToward(b, c);
  const angle = Math.atan2(dot(cross(forward, back), b), dot(back, forward));
  return angle < 0 ? angle + 2 * Math.PI : angle;
});

registerScalar('geo_point_in_circle', () => (lng, lat, centerLng, centerLat, radiusValue) => {
  const p = coordinateArgs(lng, lat);
  const center = coordinateArgs(centerLng, centerLat);
  const radius = numberArg(radiusValue);
  if (!p || !center || radius === null || !(radius > 0)) return null;
  return distanceMeters(p, center) <= radius;
});

// ---- lines as unit vectors ----

type Polyline = Vec3[];
type Edge = [Vec3, Vec3];

/**
 * Lines as unit-vector chains without repeated vertices; null when an edge joins antipodal points
 * (its geodesic is undefined). A line of one repeated point has no documented result.
 */
function polylines(lines: LngLat[][]): Polyline[] | null {
  const result: Polyline[] = [];
  for (const line of lines) {
    const chain: Polyline = [];
    for (const position of line) {
      const v = toVec3(position);
      const last = chain[chain.length - 1];
      if (last && isAntipodal(last, v)) return null;
      if (!last || !isSamePoint(last, v)) chain.push(v);
    }
    if (chain.length < 2) throw notSupported('a line whose vertices are all the same point');
    result.push(chain);
  }
  return result;
}

/** Parsed lines by dynamic object: a literal line passed on every row is parsed once. */
const parsedLines = new WeakMap<object, Polyline[] | null>();

function parsePolylines(value: Value): Polyline[] | null {
  if (typeof value !== 'object' || value === null) return null;
  const cached = parsedLines.get(value);
  if (cached !== undefined) return cached;
  const lines = parseLineStrings(value);
  const parsed = lines && polylines(lines);
  parsedLines.set(value, parsed);
  return parsed;
}

function edgesOf(lines: Polyline[]): Edge[] {
  const edges: Edge[] = [];
  for (const line of lines) for (let i = 1; i < line.length; i++) edges.push([line[i - 1], line[i]]);
  return edges;
}

function edgeLength([a, b]: Edge): number {
  return angleBetween(a, b);
}

/** An edge's centroid times its length (S2's TrueCentroid): toward the edge's midpoint, of length 2·sin(θ/2). */
function edgeCentroid([a, b]: Edge): Vec3 {
  const sum = add(a, b);
  const difference = add(a, scale(b, -1));
  const cos2 = norm(sum) ** 2;
  if (cos2 === 0) return [0, 0, 0];
  return scale(sum, Math.sqrt(norm(difference) ** 2 / cos2));
}

interface Projection {
  point: Vec3;
  /** Index of the edge holding the point. */
  edge: number;
  distance: number;
}

/** The point of the edges closest to x (the first edge wins ties). */
function project(x: Vec3, edges: Edge[]): Projection {
  let best: Projection = { point: edges[0][0], edge: 0, distance: Number.POSITIVE_INFINITY };
  edges.forEach(([a, b], edge) => {
    const point = closestPointOnEdge(x, a, b);
    const distance = angleBetween(x, point);
    if (distance < best.distance) best = { point, edge, distance };
  });
  return best;
}

// ---- noding: edges split where other edges cross or touch them ----

/** Points on edge a→b where any cutter edge crosses it or has a vertex on it. */
function splitPoints([a, b]: Edge, cutters: Edge[]): Vec3[] {
  const points: Vec3[] = [];
  for (const [c, d] of cutters) {
    const crossing = edgeCrossing(a, b, c, d);
    if (crossing) points.push(crossing);
    for (const v of [c, d]) if (onGeodesic(v, a, b)) points.push(v);
  }
  return points;
}

/** Whether v lies on edge a→b (within a few micrometres). */
function onGeodesic(v: Vec3, a: Vec3, b: Vec3): boolean {
  return angleBetween(v, closestPointOnEdge(v, a, b)) <= 1e-12 && onEdge(v, a, b);
}

function splitEdge(edge: Edge, cutters: Edge[]): Edge[] {
  const [a, b] = edge;
  const inner = splitPoints(edge, cutters)
    .filter((p) => !isSamePoint(p, a) && !isSamePoint(p, b))
    .sort((p, q) => angleBetween(a, p) - angleBetween(a, q));
  const vertices = [a];
  for (const p of [...inner, b]) if (!isSamePoint(vertices[vertices.length - 1], p)) vertices.push(p);
  const pieces: Edge[] = [];
  for (let i = 1; i < vertices.length; i++) pieces.push([vertices[i - 1], vertices[i]]);
  return pieces;
}

function sameEdgeUndirected([a, b]: Edge, [c, d]: Edge): boolean {
  return (isSamePoint(a, c) && isSamePoint(b, d)) || (isSamePoint(a, d) && isSamePoint(b, c));
}

/** An axis-aligned box around a geodesic edge (its arc bulges past the ends by up to 1 − cos(θ/2)). */
interface Box {
  min: Vec3;
  max: Vec3;
}

function edgeBox([a, b]: Edge): Box {
  const bulge = 1 - Math.cos(angleBetween(a, b) / 2) + 1e-12;
  const min = (i: number) => Math.min(a[i], b[i]) - bulge;
  const max = (i: number) => Math.max(a[i], b[i]) + bulge;
  return { min: [min(0), min(1), min(2)], max: [max(0), max(1), max(2)] };
}

function boxesOverlap(p: Box, q: Box): boolean {
  for (let i = 0; i < 3; i++) if (p.max[i] < q.min[i] || q.max[i] < p.min[i]) return false;
  return true;
}

/** The edges of the union of lines: every edge split at the others, shared pieces kept once. */
function unionEdges(lines: Polyline[]): Edge[] {
  const edges = edgesOf(lines);
  const boxes = edges.map(edgeBox);
  const kept: { edge: Edge; box: Box }[] = [];
  edges.forEach((edge, index) => {
    const cutters = edges.filter((_, other) => other !== index && boxesOverlap(boxes[index], boxes[other]));
    for (const piece of splitEdge(edge, cutters)) {
      const box = edgeBox(piece);
      const seen = kept.some((k) => boxesOverlap(k.box, box) && sameEdgeUndirected(k.edge, piece));
      if (!seen) kept.push({ edge: piece, box });
    }
  });
  return kept.map((k) => k.edge);
}

/** Edges joined end to start into chains, in the order given. */
function chainEdges(edges: Edge[]): Polyline[] {
  const chains: Polyline[] = [];
  for (const [a, b] of edges) {
    const current = chains[chains.length - 1];
    if (current && isSamePoint(current[current.length - 1], a)) current.push(b);
    else chains.push([a, b]);
  }
  return chains;
}

function toLines(chains: Polyline[]): LngLat[][] {
  return chains.map((chain) => chain.map(toLngLat));
}

// ---- line measures ----

function totalLength(edges: Edge[]): number {
  return edges.reduce((sum, edge) => sum + edgeLength(edge), 0);
}

/** A multiline's measures use the union of its lines; a single line is taken as it is. */
function measuredEdges(lines: Polyline[]): Edge[] {
  return lines.length > 1 ? unionEdges(lines) : edgesOf(lines);
}

registerScalar('geo_line_length', () => (line) => {
  const lines = parsePolylines(line);
  return lines && totalLength(measuredEdges(lines)) * EARTH_RADIUS_METERS;
});

registerScalar('geo_line_centroid', () => (line) => {
  const lines = parsePolylines(line);
  if (!lines) return null;
  const sum = measuredEdges(lines).reduce<Vec3>((total, edge) => add(total, edgeCentroid(edge)), [0, 0, 0]);
  return norm(sum) === 0 ? null : pointGeoJson(toLngLat(normalize(sum)));
});

registerScalar('geo_distance_point_to_line', () => (lng, lat, line) => {
  const p = coordinateArgs(lng, lat);
  const lines = parsePolylines(line);
  if (!p || !lines) return null;
  return project(toVec3(p), edgesOf(lines)).distance * EARTH_RADIUS_METERS;
});

registerScalar('geo_closest_point_on_line', () => (lng, lat, line) => {
  const p = coordinateArgs(lng, lat);
  const lines = parsePolylines(line);
  if (!p || !lines) return null;
  return pointGeoJson(toLngLat(project(toVec3(p), edgesOf(lines)).point));
});

/** The one line of a LineString (or of a MultiLineString holding one line), else null. */
function singlePolyline(value: Value): Polyline | null {
  const lines = parsePolylines(value);
  return lines && lines.length === 1 ? lines[0] : null;
}

registerScalar('geo_line_interpolate_point', () => (line, fractionValue) => {
  const chain = singlePolyline(line);
  const fraction = numberArg(fractionValue);
  if (!chain || fraction === null || !(fraction >= 0 && fraction <= 1)) return null;
  return pointGeoJson(toLngLat(pointAtFraction(edgesOf([chain]), fraction)));
});

function pointAtFraction(edges: Edge[], fraction: number): Vec3 {
  let target = fraction * totalLength(edges);
  for (const edge of edges) {
    const length = edgeLength(edge);
    if (target < length) return interpolate(edge[0], edge[1], target / length);
    target -= length;
  }
  return edges[edges.length - 1][1];
}

registerScalar('geo_line_locate_point', () => (...args) => {
  const chain = singlePolyline(args[0]);
  const p = coordinateArgs(args[1], args[2]);
  const useSpheroid = optionalBool(args, 3, false);
  if (!chain || !p || useSpheroid === null) return null;
  if (useSpheroid) throw notSupported('geo_line_locate_point() on the spheroid');
  const edges = edgesOf([chain]);
  const { point, edge } = project(toVec3(p), edges);
  const before = totalLength(edges.slice(0, edge)) + angleBetween(edges[edge][0], point);
  return before / totalLength(edges);
});

// ---- two lines ----

function edgesTouch([a, b]: Edge, [c, d]: Edge): boolean {
  if (edgeCrossing(a, b, c, d)) return true;
  return onGeodesic(c, a, b) || onGeodesic(d, a, b) || onGeodesic(a, c, d) || onGeodesic(b, c, d);
}

registerScalar('geo_intersects_2lines', () => (line1, line2) => {
  const first = parsePolylines(line1);
  const second = parsePolylines(line2);
  if (!first || !second) return null;
  const others = edgesOf(second);
  return edgesOf(first).some((edge) => others.some((other) => edgesTouch(edge, other)));
});

registerScalar('geo_intersection_2lines', () => (line1, line2) => {
  const first = parsePolylines(line1);
  const second = parsePolylines(line2);
  if (!first || !second) return null;
  return intersectionGeoJson(edgesOf(first), edgesOf(second));
});

function pieceOnAny([a, b]: Edge, edges: Edge[]): boolean {
  const middle = interpolate(a, b, 0.5);
  return edges.some(([c, d]) => onGeodesic(middle, c, d));
}

function intersectionGeoJson(first: Edge[], second: Edge[]): Dynamic {
  const shared = first
    .flatMap((edge) => splitEdge(edge, second))
    .filter((piece) => pieceOnAny(piece, second));
  const points: Vec3[] = [];
  for (const [a, b] of first) {
    for (const [c, d] of second) {
      const candidates = [edgeCrossing(a, b, c, d), ...[a, b].filter((v) => onGeodesic(v, c, d))];
      candidates.push(...[c, d].filter((v) => onGeodesic(v, a, b)));
      for (const p of candidates) {
        if (!p || points.some((q) => isSamePoint(p, q))) continue;
        if (!shared.some(([s, t]) => onGeodesic(p, s, t))) points.push(p);
      }
    }
  }
  const chains = chainEdges(shared);
  if (chains.length + points.length === 0) return { type: 'GeometryCollection', geometries: [] };
  // Kusto's order of several parts (S2 output order) is not documented.
  if (chains.length + points.length > 1) throw notSupported('geo_intersection_2lines() with several parts');
  return chains.length === 1 ? linesGeoJson(toLines(chains)) : pointGeoJson(toLngLat(points[0]));
}

// ---- union of lines ----

registerScalar('geo_union_lines_array', () => (array) => {
  if (!Array.isArray(array)) return null;
  const lines: Polyline[] = [];
  for (const item of array) {
    const parsed = parsePolylines(item);
    if (!parsed) return null;
    lines.push(...parsed);
  }
  if (lines.length === 0) return null;
  const chain = singleChain(unionEdges(lines));
  if (!chain) throw notSupported('geo_union_lines_array() whose union is not one simple line');
  return linesGeoJson(toLines([chain]));
});

/** The edges as one open chain that follows every edge's own direction, or null. */
function singleChain(edges: Edge[]): Polyline | null {
  const starts = edges.filter(([a]) => !edges.some(([, b]) => isSamePoint(a, b)));
  if (starts.length !== 1) return null;
  const chain: Polyline = [starts[0][0]];
  const left = [...edges];
  while (left.length > 0) {
    const tail = chain[chain.length - 1];
    const next = left.findIndex(([a]) => isSamePoint(a, tail));
    if (next < 0) return null;
    chain.push(left[next][1]);
    left.splice(next, 1);
  }
  return chain;
}

// ---- densify: planar (GeoJSON) edges to geodesic chains ----

/** S2EdgeTessellator's constants: where it measures the error and how it scales the tolerance. */
const INTERPOLATION_FRACTION = 0.31215691082248315;
const TOLERANCE_SCALE = 0.8382999256988851;
const MAX_DENSIFIED_POINTS = 10_485_760;

function planarPoint(p: LngLat, q: LngLat, t: number): LngLat {
  return [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
}

/** The largest gap between the planar edge p→q and the geodesic through its ends, sampled as S2 does. */
function planarEdgeError(p: LngLat, q: LngLat): number {
  const a = toVec3(p);
  const b = toVec3(q);
  if (a[0] * b[0] + a[1] * b[1] + a[2] * b[2] < -1e-14) return Number.POSITIVE_INFINITY;
  let error = 0;
  for (const t of [INTERPOLATION_FRACTION, 1 - INTERPOLATION_FRACTION]) {
    error = Math.max(error, angleBetween(interpolate(a, b, t), toVec3(planarPoint(p, q, t))));
  }
  return error;
}

function densifyEdge(p: LngLat, q: LngLat, tolerance: number, out: LngLat[]): void {
  if (out.length > MAX_DENSIFIED_POINTS) return;
  if (planarEdgeError(p, q) <= tolerance) {
    out.push(q);
    return;
  }
  const middle = planarPoint(p, q, 0.5);
  densifyEdge(p, middle, tolerance, out);
  densifyEdge(middle, q, tolerance, out);
}

function densifyLine(line: LngLat[], tolerance: number): LngLat[] {
  const out: LngLat[] = [line[0]];
  for (let i = 1; i < line.length; i++) {
    // Which way such an edge goes (and what preserve_crossing changes) is not documented.
    if (Math.abs(line[i][0] - line[i - 1][0]) > 180)
      throw notSupported('geo_line_densify() across the antimeridian');
    densifyEdge(line[i - 1], line[i], tolerance, out);
  }
  if (out.length > MAX_DENSIFIED_POINTS) throw notSupported('geo_line_densify() beyond 10485760 points');
  return out;
}

registerScalar('geo_line_densify', () => (...args) => {
  const input = args[0];
  const lines = parseLineStrings(input);
  const tolerance = optionalNumber(args, 1, 10);
  const preserveCrossing = optionalBool(args, 2, false);
  if (!lines || tolerance === null || preserveCrossing === null) return null;
  if (!(tolerance >= 0.1 && tolerance <= 10_000)) return null;
  // A planar edge between antipodal points is well defined, but Kusto's line validation may reject it.
  if (!polylines(lines)) throw notSupported('geo_line_densify() of an edge between antipodal points');
  const scaledTolerance = (TOLERANCE_SCALE * tolerance) / EARTH_RADIUS_METERS;
  const densified = lines.map((line) => densifyLine(line, scaledTolerance));
  const isMulti = (input as { type?: unknown }).type === 'MultiLineString';
  return isMulti ? { type: 'MultiLineString', coordinates: densified } : linesGeoJson(densified);
});

// ---- validated, not computed: results depend on S2's snapping ----

registerScalar('geo_line_simplify', () => (...args) => {
  const lines = parsePolylines(args[0]);
  const tolerance = optionalNumber(args, 1, 10);
  if (!lines || tolerance === null || !(tolerance >= 0 && tolerance < 7_800_000)) return null;
  throw notSupported('geo_line_simplify() of a valid line');
});

registerScalar('geo_line_buffer', () => (...args) => {
  const lines = parsePolylines(args[0]);
  const radius = numberArg(args[1]);
  const tolerance = optionalNumber(args, 2, 0.1);
  if (!lines || radius === null || !(radius > 0) || tolerance === null || !(tolerance > 0)) return null;
  throw notSupported('geo_line_buffer() of a valid line');
});

registerScalar('geo_point_buffer', () => (...args) => {
  const p = coordinateArgs(args[0], args[1]);
  const radius = numberArg(args[2]);
  const tolerance = optionalNumber(args, 3, 10);
  if (!p || radius === null || !(radius > 0) || tolerance === null || !(tolerance > 0)) return null;
  throw notSupported('geo_point_buffer() of a valid point');
});

// ---- WKT ----

registerScalar('geo_from_wkt', () => (text) => (typeof text === 'string' ? parseWkt(text) : null));

type Token = string;

function tokenize(text: string): Token[] | null {
  const tokens = text.match(/[A-Za-z]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),]|\S/g) ?? [];
  return tokens.every((t) => /^(?:[A-Za-z]+|[-+.\d].*|[(),])$/.test(t)) ? tokens : null;
}

class WktReader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  get done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private expect(token: Token): void {
    if (this.tokens[this.at] !== token) throw new WktError();
    this.at++;
  }

  private number(): number {
    const token = this.tokens[this.at++];
    const value = token === undefined ? Number.NaN : Number(token);
    if (!Number.isFinite(value)) throw new WktError();
    return value;
  }

  private list<T>(item: () => T): T[] {
    this.expect('(');
    const items = [item()];
    while (this.peek() === ',') {
      this.at++;
      items.push(item());
    }
    this.expect(')');
    return items;
  }

  private position = (): LngLat => {
    const position: LngLat = [this.number(), this.number()];
    if (this.peek() !== ',' && this.peek() !== ')') throw new WktError(true);
    const valid = parsePosition(position);
    if (!valid) throw new WktError(true);
    return valid;
  };

  /** MULTIPOINT takes both (1 2, 3 4) and ((1 2), (3 4)). */
  private multiPointMember = (): LngLat => {
    if (this.peek() !== '(') return this.position();
    return this.list(this.position)[0];
  };

  private positions = (): LngLat[] => this.list(this.position);
  private rings = (): LngLat[][] => this.list(this.positions);

  geometry = (): Dynamic => {
    const word = this.tokens[this.at++]?.toUpperCase();
    const next = this.peek()?.toUpperCase();
    if (next === 'EMPTY' || next === 'Z' || next === 'M' || next === 'ZM') throw new WktError(true);
    switch (word) {
      case 'POINT':
        return { type: 'Point', coordinates: this.list(this.position)[0] };
      case 'LINESTRING':
        return { type: 'LineString', coordinates: this.positions() };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: this.rings() };
      case 'MULTIPOINT':
        return { type: 'MultiPoint', coordinates: this.list(this.multiPointMember) };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: this.list(this.positions) };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: this.list(this.rings) };
      case 'GEOMETRYCOLLECTION':
        return { type: 'GeometryCollection', geometries: this.list(this.geometry) };
      default:
        throw new WktError();
    }
  };
}

/** A WKT syntax error (null result), or a form whose Kusto result is undocumented. */
class WktError extends Error {
  constructor(readonly undocumented = false) {
    super('WKT');
  }
}

function parseWkt(text: string): Dynamic {
  const tokens = tokenize(text);
  if (!tokens) return null;
  try {
    const reader = new WktReader(tokens);
    const geometry = reader.geometry();
    if (!reader.done) return null;
    checkWktShape(geometry);
    return geometry;
  } catch (error) {
    if (!(error instanceof WktError)) throw error;
    if (error.undocumented) {
      throw notSupported('geo_from_wkt() of EMPTY, Z/M, or out-of-range or degenerate shapes');
    }
    return null;
  }
}

/** Lines need two positions and rings four, closed; Kusto's answer otherwise is not documented. */
function checkWktShape(geometry: Dynamic): void {
  const shape = geometry as { type: string; coordinates?: unknown; geometries?: Dynamic[] };
  const lineOk = (line: unknown) => (line as LngLat[]).length >= 2;
  const ringOk = (ring: unknown) => {
    const r = ring as LngLat[];
    return r.length >= 4 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1];
  };
  const c = shape.coordinates as unknown[];
  const ok =
    shape.type === 'LineString'
      ? lineOk(c)
      : shape.type === 'MultiLineString'
        ? c.every(lineOk)
        : shape.type === 'Polygon'
          ? c.every(ringOk)
          : shape.type === 'MultiPolygon'
            ? c.every((polygon) => (polygon as unknown[]).every(ringOk))
            : true;
  if (!ok) throw new WktError(true);
  for (const member of shape.geometries ?? []) checkWktShape(member);
}
