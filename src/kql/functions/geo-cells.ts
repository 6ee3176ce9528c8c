/**
 * Kusto's geospatial cell systems: H3 (Uber's hexagons, via `h3-js`), geohash (the public base-32
 * latitude/longitude interleaving, implemented here) and S2 (Google's cube-face quadtree, via `s2js`).
 * Cells travel as tokens (strings); shapes as GeoJSON dynamic values with [longitude, latitude]
 * positions. Invalid input gives '' for string results and null for dynamic and int results.
 */
import type { s2 } from 's2js';
import { KqlError } from '../errors.js';
import type { Dynamic, Value } from '../values.js';
import {
  isValidCoordinate,
  type LngLat,
  numberArg,
  parseLineStrings,
  parsePolygons,
  pointGeoJson,
} from './geo-common.js';
import { h3Library, s2Library } from './geo-libraries.js';
import { registerSimple } from './registry.js';

const DEGREES_PER_RADIAN = 180 / Math.PI;

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

/** An optional whole-number argument: its default when omitted, null when null or not finite. */
function wholeArg(value: Value | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  const n = numberArg(value);
  return n === null || !Number.isFinite(n) ? null : Math.trunc(n);
}

const inRange = (n: number | null, low: number, high: number): n is number =>
  n !== null && n >= low && n <= high;

/** The point of a (longitude, latitude) argument pair, or null when either is null or out of range. */
function pointArgs(lngValue: Value, latValue: Value): LngLat | null {
  const lng = numberArg(lngValue);
  const lat = numberArg(latValue);
  return isValidCoordinate(lng, lat) ? [lng as number, lat as number] : null;
}

function polygonGeoJson(ring: LngLat[]): Dynamic {
  return { type: 'Polygon', coordinates: [ring.map(([lng, lat]) => [lng, lat])] };
}

/** A buffer radius: only the default 0 is implemented (buffering a shape first is not). */
function checkZeroRadius(value: Value | undefined): boolean {
  if (value === undefined) return true;
  const radius = numberArg(value);
  if (radius === null || !Number.isFinite(radius) || radius < 0) return false;
  if (radius > 0) throw notSupported('a positive buffer radius in geo cell coverings');
  return true;
}

// ---- H3 ----

const H3_MAX_RESOLUTION = 15;
const H3_MAX_CHILD_STEPS = 5;
const H3_MAX_RING_DISTANCE = 142;
const H3_MAX_POLYGON_CELLS = 61_680;
/** H3's authalic Earth radius, to turn steradians into the km² of its average cell areas. */
const H3_EARTH_RADIUS_KM = 6371.007180918475;

/** A valid H3 cell index token (hexadecimal, as geo_point_to_h3cell writes it), else null. */
function h3Cell(value: Value): string | null {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(value)) return null;
  const cell = value.toLowerCase();
  return h3Library().isValidCell(cell) ? cell : null;
}

function pointToH3Cell(lng: Value, lat: Value, resolution?: Value): string {
  const point = pointArgs(lng, lat);
  const res = wholeArg(resolution, 6);
  if (!point || !inRange(res, 0, H3_MAX_RESOLUTION)) return '';
  return h3Library().latLngToCell(point[1], point[0], res);
}

function h3CellToCentralPoint(value: Value): Dynamic {
  const cell = h3Cell(value);
  if (!cell) return null;
  const [lat, lng] = h3Library().cellToLatLng(cell);
  return pointGeoJson([lng, lat]);
}

function h3CellToPolygon(value: Value): Dynamic {
  const cell = h3Cell(value);
  return cell ? polygonGeoJson(h3Library().cellToBoundary(cell, true) as LngLat[]) : null;
}

function h3CellLevel(value: Value): number | null {
  const cell = h3Cell(value);
  return cell ? h3Library().getResolution(cell) : null;
}

function h3CellParent(value: Value, resolution?: Value): string {
  const cell = h3Cell(value);
  if (!cell) return '';
  const level = h3Library().getResolution(cell);
  const res = wholeArg(resolution, level - 1);
  // Documented range [0, 14]; the cell's own resolution gives the cell itself.
  return inRange(res, 0, Math.min(level, H3_MAX_RESOLUTION - 1)) ? h3Library().cellToParent(cell, res) : '';
}

function h3CellChildren(value: Value, resolution?: Value): Dynamic {
  const cell = h3Cell(value);
  if (!cell) return null;
  const level = h3Library().getResolution(cell);
  const res = wholeArg(resolution, level + 1);
  if (!inRange(res, Math.max(level, 1), Math.min(level + H3_MAX_CHILD_STEPS, H3_MAX_RESOLUTION))) return null;
  return h3Library().cellToChildren(cell, res);
}

/** Rings by grid distance, the cell itself first; rings keep H3's own order. */
function h3Rings(cell: string, distance: number): string[][] {
  return h3Library().gridDiskDistances(cell, distance);
}

function h3CellNeighbors(value: Value): Dynamic {
  const cell = h3Cell(value);
  return cell ? (h3Rings(cell, 1)[1] ?? []) : null;
}

function h3CellRings(value: Value, distanceValue: Value): Dynamic {
  const cell = h3Cell(value);
  const distance = wholeArg(distanceValue, 0);
  if (!cell || !inRange(distance, 0, H3_MAX_RING_DISTANCE)) return null;
  return h3Rings(cell, distance);
}

/** Cells of one polygon (rings of [lng, lat]) whose centres lie inside it. */
function h3PolygonCells(rings: LngLat[][], res: number): string[] {
  return h3Library().polygonToCells(rings, res, true);
}

function polygonToH3Cells(value: Value, resolution?: Value, radius?: Value): Dynamic {
  const polygons = parsePolygons(value as Dynamic);
  const res = wholeArg(resolution, 6);
  if (!polygons || !inRange(res, 0, H3_MAX_RESOLUTION) || !checkZeroRadius(radius)) return null;
  const loops = polygons.map(s2Polygon);
  if (loops.some((p) => p === null)) return null;
  // Refuse before enumerating cells when the area alone needs far more than the limit.
  const area = (loops as S2Polygon[]).reduce((sum, p) => sum + p.area(), 0);
  const cellArea = h3Library().getHexagonAreaAvg(res, h3Library().UNITS.km2) / H3_EARTH_RADIUS_KM ** 2;
  if (area / cellArea > 2 * H3_MAX_POLYGON_CELLS) return null;
  const cells = new Set<string>();
  for (const rings of polygons) for (const cell of h3PolygonCells(rings, res)) cells.add(cell);
  return cells.size > H3_MAX_POLYGON_CELLS ? null : [...cells];
}

// ---- geohash ----

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
const GEOHASH_MAX_LENGTH = 18;

interface Box {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Bits alternate longitude, latitude, … from the most significant; each halves its range. */
function encodeGeohash([lng, lat]: LngLat, length: number): string {
  const box: Box = { west: -180, south: -90, east: 180, north: 90 };
  let text = '';
  let isLongitude = true;
  for (let i = 0; i < length; i++) {
    let digit = 0;
    for (let bit = 0; bit < 5; bit++) {
      digit = (digit << 1) | halveBox(box, isLongitude, isLongitude ? lng : lat);
      isLongitude = !isLongitude;
    }
    text += GEOHASH_ALPHABET[digit];
  }
  return text;
}

/** Keeps the half of `box` holding `coordinate`; returns 1 for the upper half. */
function halveBox(box: Box, isLongitude: boolean, coordinate: number): number {
  const [low, high] = isLongitude ? (['west', 'east'] as const) : (['south', 'north'] as const);
  const middle = (box[low] + box[high]) / 2;
  if (coordinate >= middle) {
    box[low] = middle;
    return 1;
  }
  box[high] = middle;
  return 0;
}

function decodeGeohash(value: Value): Box | null {
  if (typeof value !== 'string' || value.length < 1 || value.length > GEOHASH_MAX_LENGTH) return null;
  const box: Box = { west: -180, south: -90, east: 180, north: 90 };
  let isLongitude = true;
  for (const char of value) {
    const digit = GEOHASH_ALPHABET.indexOf(char);
    if (digit < 0) return null;
    for (let bit = 4; bit >= 0; bit--) {
      const upper = (digit >> bit) & 1;
      const [low, high] = isLongitude ? (['west', 'east'] as const) : (['south', 'north'] as const);
      const middle = (box[low] + box[high]) / 2;
      if (upper) box[low] = middle;
      else box[high] = middle;
      isLongitude = !isLongitude;
    }
  }
  return box;
}

const boxCenter = (box: Box): LngLat => [(box.west + box.east) / 2, (box.south + box.north) / 2];

function pointToGeohash(lng: Value, lat: Value, accuracy?: Value): string {
  const point = pointArgs(lng, lat);
  const length = wholeArg(accuracy, 5);
  if (!point || !inRange(length, 1, GEOHASH_MAX_LENGTH)) return '';
  return encodeGeohash(point, length);
}

function geohashToCentralPoint(value: Value): Dynamic {
  const box = decodeGeohash(value);
  return box ? pointGeoJson(boxCenter(box)) : null;
}

function geohashToPolygon(value: Value): Dynamic {
  const box = decodeGeohash(value);
  if (!box) return null;
  const { west, south, east, north } = box;
  return polygonGeoJson([
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ]);
}

/**
 * Neighbour offsets (cells east, cells north). The order reproduces Kusto's documented output; it
 * does not follow from the geometry.
 */
const GEOHASH_NEIGHBOR_OFFSETS: [number, number][] = [
  [-1, -1],
  [-1, 1],
  [1, -1],
  [0, 1],
  [-1, 0],
  [1, 1],
  [1, 0],
  [0, -1],
];

/** Neighbours wrap around the antimeridian; there are none beyond a pole. */
function geohashNeighbors(value: Value): Dynamic {
  const box = decodeGeohash(value);
  if (!box) return null;
  const text = value as string;
  const [lng, lat] = boxCenter(box);
  const width = box.east - box.west;
  const height = box.north - box.south;
  const neighbors: string[] = [];
  for (const [east, north] of GEOHASH_NEIGHBOR_OFFSETS) {
    const neighborLat = lat + north * height;
    if (neighborLat < -90 || neighborLat > 90) continue;
    let neighborLng = lng + east * width;
    if (neighborLng > 180) neighborLng -= 360;
    if (neighborLng < -180) neighborLng += 360;
    const neighbor = encodeGeohash([neighborLng, neighborLat], text.length);
    if (neighbor !== text && !neighbors.includes(neighbor)) neighbors.push(neighbor);
  }
  return neighbors;
}

// ---- S2 ----

const S2_MAX_LEVEL = 30;
const S2_MAX_COVERING_CELLS = 65_536;

type S2Polygon = InstanceType<typeof s2.Polygon>;

/** A valid S2 cell token (up to 16 hexadecimal digits, trailing zeros dropped), else null. */
function s2Cell(value: Value): bigint | null {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(value)) return null;
  const id = s2Library().cellid.fromToken(value.toLowerCase());
  return s2Library().cellid.valid(id) ? id : null;
}

function lngLatOf(point: InstanceType<typeof s2.Point>): LngLat {
  const ll = s2Library().LatLng.fromPoint(point);
  return [ll.lng * DEGREES_PER_RADIAN, ll.lat * DEGREES_PER_RADIAN];
}

function pointToS2Cell(lng: Value, lat: Value, levelValue?: Value): string {
  const point = pointArgs(lng, lat);
  const level = wholeArg(levelValue, 11);
  if (!point || !inRange(level, 0, S2_MAX_LEVEL)) return '';
  const leaf = s2Library().cellid.fromLatLng(s2Library().LatLng.fromDegrees(point[1], point[0]));
  return s2Library().cellid.toToken(s2Library().cellid.parent(leaf, level));
}

function s2CellToCentralPoint(value: Value): Dynamic {
  const id = s2Cell(value);
  return id === null ? null : pointGeoJson(lngLatOf(s2Library().cellid.point(id)));
}

/** The cell's four vertices in S2's counter-clockwise order, closed. */
function s2CellToPolygon(value: Value): Dynamic {
  const id = s2Cell(value);
  if (id === null) return null;
  const cell = s2Library().Cell.fromCellID(id);
  const ring = [0, 1, 2, 3, 0].map((k) => lngLatOf(cell.vertex(k)));
  return polygonGeoJson(ring);
}

/**
 * Positions in S2's all-neighbours order (below-left, below-right, below, above, left, right,
 * above-left, above-right) taken in the order Kusto's documented output lists them.
 */
const S2_NEIGHBOR_ORDER = [7, 0, 1, 2, 3, 5, 4, 6];

function s2CellNeighbors(value: Value): Dynamic {
  const id = s2Cell(value);
  if (id === null) return null;
  const all = s2Library().cellid.allNeighbors(id, s2Library().cellid.level(id));
  const ordered = all.length === S2_NEIGHBOR_ORDER.length ? S2_NEIGHBOR_ORDER.map((i) => all[i]) : all;
  const tokens: string[] = [];
  for (const neighbor of ordered) {
    const token = s2Library().cellid.toToken(neighbor);
    if (neighbor !== id && !tokens.includes(token)) tokens.push(token);
  }
  return tokens;
}

/** S2 loops from GeoJSON rings (closing position dropped), each the smaller side of its ring. */
function s2Polygon(rings: LngLat[][]): S2Polygon | null {
  const loops = [];
  for (const ring of rings) {
    const points = distinctVertices(ring.slice(0, -1)).map(([lng, lat]) =>
      s2Library().Point.fromLatLng(s2Library().LatLng.fromDegrees(lat, lng)),
    );
    if (points.length < 3) return null;
    const loop = new (s2Library().Loop)(points);
    loop.normalize();
    if (loop.validate()) return null;
    loops.push(loop);
  }
  return new (s2Library().Polygon)(loops);
}

function distinctVertices(ring: LngLat[]): LngLat[] {
  return ring.filter((p, i) => {
    const next = ring[(i + 1) % ring.length];
    return ring.length === 1 || p[0] !== next[0] || p[1] !== next[1];
  });
}

type S2Region = Parameters<InstanceType<typeof s2.RegionCoverer>['covering']>[0];

/**
 * Tokens of the level-`level` cells that intersect the regions, in cell-id order; null over the
 * limit. Like S2's RegionCoverer with min = max level, but a cell the region contains is expanded
 * to its descendants without testing each one.
 */
function s2Covering(regions: S2Region[], level: number): string[] | null {
  const cells = new Set<bigint>();
  const pending = [0, 1, 2, 3, 4, 5].map((face) => s2Library().cellid.fromFace(face));
  while (pending.length > 0) {
    const id = pending.pop() as bigint;
    const cell = s2Library().Cell.fromCellID(id);
    const touching = regions.filter((region) => region.intersectsCell(cell));
    if (touching.length === 0) continue;
    const cellLevel = s2Library().cellid.level(id);
    if (cellLevel === level) cells.add(id);
    else if (touching.some((region) => region.containsCell(cell))) {
      if (cells.size + 4 ** (level - cellLevel) > S2_MAX_COVERING_CELLS) return null;
      for (const child of childrenAt(id, level)) cells.add(child);
    } else pending.push(...s2Library().cellid.children(id));
    if (cells.size > S2_MAX_COVERING_CELLS) return null;
  }
  return [...cells].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id) => s2Library().cellid.toToken(id));
}

function* childrenAt(id: bigint, level: number): Generator<bigint> {
  const end = s2Library().cellid.childEndAtLevel(id, level);
  for (
    let child = s2Library().cellid.childBeginAtLevel(id, level);
    child !== end;
    child = s2Library().cellid.next(child)
  ) {
    yield child;
  }
}

function polygonToS2Cells(value: Value, levelValue?: Value, radius?: Value): Dynamic {
  const polygons = parsePolygons(value as Dynamic);
  const level = wholeArg(levelValue, 11);
  if (!polygons || !inRange(level, 0, S2_MAX_LEVEL) || !checkZeroRadius(radius)) return null;
  const regions = polygons.map(s2Polygon);
  if (regions.some((p) => p === null)) return null;
  return s2Covering(regions as S2Polygon[], level);
}

function lineToS2Cells(value: Value, levelValue?: Value, radius?: Value): Dynamic {
  const lines = parseLineStrings(value as Dynamic);
  const level = wholeArg(levelValue, 11);
  if (!lines || !inRange(level, 0, S2_MAX_LEVEL) || !checkZeroRadius(radius)) return null;
  const polylines = lines.map((line) =>
    s2Library().Polyline.fromLatLngs(line.map(([lng, lat]) => s2Library().LatLng.fromDegrees(lat, lng))),
  );
  return s2Covering(polylines, level);
}

registerSimple('geo_point_to_h3cell', pointToH3Cell as (...args: Value[]) => Value);
registerSimple('geo_h3cell_to_central_point', h3CellToCentralPoint as (...args: Value[]) => Value);
registerSimple('geo_h3cell_to_polygon', h3CellToPolygon as (...args: Value[]) => Value);
registerSimple('geo_h3cell_level', h3CellLevel as (...args: Value[]) => Value);
registerSimple('geo_h3cell_parent', h3CellParent as (...args: Value[]) => Value);
registerSimple('geo_h3cell_children', h3CellChildren as (...args: Value[]) => Value);
registerSimple('geo_h3cell_neighbors', h3CellNeighbors as (...args: Value[]) => Value);
registerSimple('geo_h3cell_rings', h3CellRings as (...args: Value[]) => Value);
registerSimple('geo_polygon_to_h3cells', polygonToH3Cells as (...args: Value[]) => Value);
registerSimple('geo_point_to_geohash', pointToGeohash as (...args: Value[]) => Value);
registerSimple('geo_geohash_to_central_point', geohashToCentralPoint as (...args: Value[]) => Value);
registerSimple('geo_geohash_to_polygon', geohashToPolygon as (...args: Value[]) => Value);
registerSimple('geo_geohash_neighbors', geohashNeighbors as (...args: Value[]) => Value);
registerSimple('geo_point_to_s2cell', pointToS2Cell as (...args: Value[]) => Value);
registerSimple('geo_s2cell_to_central_point', s2CellToCentralPoint as (...args: Value[]) => Value);
registerSimple('geo_s2cell_to_polygon', s2CellToPolygon as (...args: Value[]) => Value);
registerSimple('geo_s2cell_neighbors', s2CellNeighbors as (...args: Value[]) => Value);
registerSimple('geo_polygon_to_s2cells', polygonToS2Cells as (...args: Value[]) => Value);
registerSimple('geo_line_to_s2cells', lineToS2Cells as (...args: Value[]) => Value);
