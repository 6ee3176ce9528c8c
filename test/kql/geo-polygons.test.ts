import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

// Expected values follow from Kusto's documented model: a sphere (S2's Earth radius, 6371010 m)
// whose polygon edges are great-circle arcs; rings enclose the smaller region they bound.
const R = 6371010;
const DEG = Math.PI / 180;

const polygon = (ring: number[][]) => `dynamic({"type":"Polygon","coordinates":[${JSON.stringify(ring)}]})`;
/** The octant between the equator and the meridians 0° and 90°: an eighth of the sphere. */
const OCTANT = polygon([
  [0, 0],
  [90, 0],
  [0, 90],
  [0, 0],
]);
const SQUARE = polygon([
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
]);
const dyn = (query: string) => JSON.parse(scalar(query) as string);

describe('geo_point_in_polygon', () => {
  it('tells points inside from points outside, whatever the ring orientation', () => {
    expect(scalar(`print geo_point_in_polygon(5, 5, ${SQUARE})`)).toBe(true);
    expect(scalar(`print geo_point_in_polygon(15, 5, ${SQUARE})`)).toBe(false);
    const clockwise = polygon([
      [0, 0],
      [0, 10],
      [10, 10],
      [10, 0],
      [0, 0],
    ]);
    expect(scalar(`print geo_point_in_polygon(5, 5, ${clockwise})`)).toBe(true);
  });

  it('uses geodesic edges: the top edge of a square bulges poleward between its corners', () => {
    // The great circle from (0,10) to (10,10) reaches latitude atan(tan 10° / cos 5°) ≈ 10.0375° at longitude 5.
    expect(scalar(`print geo_point_in_polygon(5, 10.03, ${SQUARE})`)).toBe(true);
  });

  it('excludes holes and accepts multipolygons', () => {
    const withHole = `dynamic({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]})`;
    expect(scalar(`print geo_point_in_polygon(5, 5, ${withHole})`)).toBe(false);
    expect(scalar(`print geo_point_in_polygon(2, 2, ${withHole})`)).toBe(true);
    const multi = `dynamic({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[20,0],[21,0],[21,1],[20,1],[20,0]]]]})`;
    expect(scalar(`print geo_point_in_polygon(20.5, 0.5, ${multi})`)).toBe(true);
  });

  it('is null for invalid coordinates or polygons', () => {
    expect(scalar(`print geo_point_in_polygon(181, 0, ${SQUARE})`)).toBeNull();
    expect(
      scalar(
        `print geo_point_in_polygon(1, 1, dynamic({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,1],[0,0]]]}))`,
      ),
    ).toBeNull();
    // Not closed; a self-crossing (bow-tie) ring.
    expect(
      scalar(
        `print geo_point_in_polygon(1, 1, dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2]]]}))`,
      ),
    ).toBeNull();
    expect(
      scalar(
        `print geo_point_in_polygon(1, 1, ${polygon([
          [0, 0],
          [2, 2],
          [2, 0],
          [0, 2],
          [0, 0],
        ])})`,
      ),
    ).toBeNull();
    expect(scalar(`print geo_point_in_polygon(1, 1, dynamic({"type":"Polygon"}))`)).toBeNull();
  });
});

describe('geo_polygon_area, geo_polygon_perimeter', () => {
  it('measures on the sphere', () => {
    expect(scalar(`print geo_polygon_area(${OCTANT})`)).toBeCloseTo((Math.PI / 2) * R * R, -3);
    expect(scalar(`print geo_polygon_perimeter(${OCTANT})`)).toBeCloseTo(3 * (Math.PI / 2) * R, 3);
  });

  it('subtracts holes and measures the union of overlapping parts', () => {
    const whole = scalar(`print geo_polygon_area(${OCTANT})`) as number;
    const twice = `dynamic({"type":"MultiPolygon","coordinates":[[[[0,0],[90,0],[0,90],[0,0]]],[[[0,0],[90,0],[0,90],[0,0]]]]})`;
    expect((scalar(`print geo_polygon_area(${twice})`) as number) / whole).toBeCloseTo(1, 9);
    expect(scalar(`print geo_polygon_perimeter(${twice})`)).toBeCloseTo(3 * (Math.PI / 2) * R, 3);
  });

  it('is null for invalid polygons', () => {
    expect(
      scalar(`print geo_polygon_area(dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]}))`),
    ).toBeNull();
    expect(
      scalar(
        `print geo_polygon_perimeter(${polygon([
          [0, 0],
          [0, 100],
          [1, 1],
          [0, 0],
        ])})`,
      ),
    ).toBeNull();
  });
});

describe('geo_polygon_centroid', () => {
  it('lies on the axis of symmetry', () => {
    const symmetric = polygon([
      [-5, 0],
      [5, 0],
      [5, 10],
      [-5, 10],
      [-5, 0],
    ]);
    const [lng, lat] = dyn(`print tostring(geo_polygon_centroid(${symmetric}))`).coordinates;
    expect(lng).toBeCloseTo(0, 12);
    expect(lat).toBeGreaterThan(4.9);
    expect(lat).toBeLessThan(5.1);
  });

  it('is the area-weighted mean direction (the octant: equal components)', () => {
    const [lng, lat] = dyn(`print tostring(geo_polygon_centroid(${OCTANT}))`).coordinates;
    expect(lng).toBeCloseTo(45, 10);
    expect(lat).toBeCloseTo(Math.atan(1 / Math.SQRT2) / DEG, 10);
  });
});

describe('geo_distance_point_to_polygon, geo_closest_point_on_polygon', () => {
  it('is 0 inside, else the great-circle distance to the nearest edge', () => {
    expect(scalar(`print geo_distance_point_to_polygon(5, 5, ${SQUARE})`)).toBe(0);
    // South of the equator edge, which is itself a great circle.
    expect(scalar(`print geo_distance_point_to_polygon(5, -1, ${SQUARE})`)).toBeCloseTo(R * DEG, 6);
    // Beyond a corner the nearest point is the vertex.
    const corner = scalar(`print geo_distance_point_to_polygon(-1, -1, ${SQUARE})`) as number;
    expect(corner).toBeCloseTo(R * Math.acos(Math.cos(DEG) * Math.cos(DEG)), 6);
  });

  it('returns the closest point, or the point itself when inside', () => {
    expect(dyn(`print tostring(geo_closest_point_on_polygon(5, -1, ${SQUARE}))`)).toEqual({
      type: 'Point',
      coordinates: [5, expect.closeTo(0, 12)],
    });
    expect(dyn(`print tostring(geo_closest_point_on_polygon(5, 5, ${SQUARE}))`)).toEqual({
      type: 'Point',
      coordinates: [5, 5],
    });
    expect(scalar(`print isnull(geo_closest_point_on_polygon(500, 1, ${SQUARE}))`)).toBe(true);
  });
});

describe('geo_polygon_densify', () => {
  const edge = polygon([
    [10, 10],
    [11, 10],
    [11, 11],
    [10, 11],
    [10, 10],
  ]);

  it('halves planar edges until the midpoint is within tolerance of the geodesic', () => {
    // A 1° parallel at latitude 10 deviates ~41 m from its geodesic, half of it ~10.3 m.
    expect(dyn(`print tostring(geo_polygon_densify(${edge}, 50))`).coordinates).toEqual([
      [
        [10, 10],
        [11, 10],
        [11, 11],
        [10, 11],
        [10, 10],
      ],
    ]);
    const ring = dyn(`print tostring(geo_polygon_densify(${edge}, 20))`).coordinates[0];
    expect(ring.slice(0, 3)).toEqual([
      [10, 10],
      [10.5, 10],
      [11, 10],
    ]);
    // Meridians are geodesics: never split.
    expect(ring[3]).toEqual([11, 11]);
  });

  it('is null for a tolerance outside [0.1, 10000] or an invalid polygon', () => {
    expect(scalar(`print isnull(geo_polygon_densify(${edge}, 0.01))`)).toBe(true);
    expect(scalar(`print isnull(geo_polygon_densify(${edge}, 20000))`)).toBe(true);
    expect(
      scalar(
        `print isnull(geo_polygon_densify(${polygon([
          [0, 0],
          [1, 95],
          [1, 1],
          [0, 0],
        ])}))`,
      ),
    ).toBe(true);
  });
});

describe('geo_polygon_simplify', () => {
  it('drops vertices closer than the tolerance to the simplified ring', () => {
    // ~1.1 m off the straight (meridian) edge from (0,0) to (0,1).
    const almostSquare = polygon([
      [0, 0],
      [0.00001, 0.5],
      [0, 1],
      [-1, 1],
      [-1, 0],
      [0, 0],
    ]);
    expect(dyn(`print tostring(geo_polygon_simplify(${almostSquare}))`).coordinates[0]).toHaveLength(5);
    expect(dyn(`print tostring(geo_polygon_simplify(${almostSquare}, 0.5))`).coordinates[0]).toHaveLength(6);
  });

  it('writes shells counterclockwise and holes clockwise', () => {
    // Given the other way round: a clockwise shell and a counterclockwise hole.
    const withHole = `dynamic({"type":"Polygon","coordinates":[[[0,0],[0,10],[10,10],[10,0],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]})`;
    const [shell, hole] = dyn(`print tostring(geo_polygon_simplify(${withHole}))`).coordinates;
    const planarSignedArea = (ring: number[][]) =>
      ring.slice(1).reduce((sum, [x, y], i) => sum + (ring[i][0] * y - x * ring[i][1]) / 2, 0);
    expect(shell).toHaveLength(5);
    expect(hole).toHaveLength(5);
    expect(planarSignedArea(shell)).toBeGreaterThan(0);
    expect(planarSignedArea(hole)).toBeLessThan(0);
  });

  it('is null when the polygon collapses or the tolerance is invalid', () => {
    expect(scalar(`print isnull(geo_polygon_simplify(${SQUARE}, -1))`)).toBe(true);
    const tiny = polygon([
      [0, 0],
      [0.00001, 0],
      [0.00001, 0.00001],
      [0, 0],
    ]);
    expect(scalar(`print isnull(geo_polygon_simplify(${tiny}, 100))`)).toBe(true);
  });
});

describe('intersections and unions', () => {
  const A = polygon([
    [0, 0],
    [2, 0],
    [2, 2],
    [0, 2],
    [0, 0],
  ]);
  const B = polygon([
    [1, 1],
    [3, 1],
    [3, 3],
    [1, 3],
    [1, 1],
  ]);
  const FAR = polygon([
    [10, 10],
    [11, 10],
    [11, 11],
    [10, 10],
  ]);

  it('geo_intersects_2polygons', () => {
    expect(scalar(`print geo_intersects_2polygons(${A}, ${B})`)).toBe(true);
    expect(scalar(`print geo_intersects_2polygons(${A}, ${FAR})`)).toBe(false);
    expect(scalar(`print isnull(geo_intersects_2polygons(${A}, dynamic({"type":"Polygon"})))`)).toBe(true);
  });

  it('geo_intersection_2polygons: areas add up (|A∪B| = |A| + |B| − |A∩B|)', () => {
    const area = (p: string) => scalar(`print geo_polygon_area(${p})`) as number;
    const intersection = `geo_intersection_2polygons(${A}, ${B})`;
    expect(dyn(`print tostring(${intersection})`).type).toBe('Polygon');
    const union = `geo_union_polygons_array(pack_array(${A}, ${B}))`;
    expect(area(union) / (area(A) + area(B) - area(intersection))).toBeCloseTo(1, 9);
    expect(dyn(`print tostring(geo_intersection_2polygons(${A}, ${FAR}))`)).toEqual({
      type: 'GeometryCollection',
      geometries: [],
    });
  });

  it('geo_intersection_2polygons keeps a point where the polygons only touch', () => {
    const touchingAndOverlapping = `dynamic({"type":"MultiPolygon","coordinates":[[[[2,2],[3,2],[3,3],[2,2]]],[[[1,-1],[3,-1],[3,1],[1,1],[1,-1]]]]})`;
    const result = dyn(`print tostring(geo_intersection_2polygons(${A}, ${touchingAndOverlapping}))`);
    expect(result.type).toBe('GeometryCollection');
    expect(result.geometries[0]).toEqual({ type: 'Point', coordinates: [2, 2] });
    expect(result.geometries[1].type).toBe('Polygon');
    const cornerOnly = polygon([
      [2, 2],
      [3, 2],
      [3, 3],
      [2, 2],
    ]);
    expect(() => kql(`print geo_intersection_2polygons(${A}, ${cornerOnly})`)).toThrow(/not supported/);
  });

  it('geo_union_polygons_array of disjoint polygons is a multipolygon; invalid input is null', () => {
    expect(dyn(`print tostring(geo_union_polygons_array(pack_array(${A}, ${FAR})))`).type).toBe(
      'MultiPolygon',
    );
    expect(
      scalar(`print isnull(geo_union_polygons_array(pack_array(${A}, dynamic({"type":"Polygon"}))))`),
    ).toBe(true);
  });

  it('geo_intersects_line_with_polygon and geo_intersection_line_with_polygon', () => {
    const line = `dynamic({"type":"LineString","coordinates":[[-1,1],[1,1]]})`;
    expect(scalar(`print geo_intersects_line_with_polygon(${line}, ${A})`)).toBe(true);
    expect(scalar(`print geo_intersects_line_with_polygon(${line}, ${FAR})`)).toBe(false);
    const clipped = dyn(`print tostring(geo_intersection_line_with_polygon(${line}, ${A}))`);
    expect(clipped.type).toBe('LineString');
    // The line enters through the meridian edge at longitude 0.
    expect(clipped.coordinates[0][0]).toBeCloseTo(0, 12);
    expect(clipped.coordinates[1]).toEqual([1, 1]);
    expect(dyn(`print tostring(geo_intersection_line_with_polygon(${line}, ${FAR}))`)).toEqual({
      type: 'GeometryCollection',
      geometries: [],
    });
  });
});

/** The evaluate plugins need the lead's hook in operators/evaluate.ts. */
describe('evaluate geo_polygon_lookup / geo_line_lookup', () => {
  const tables = `
    let shapes = datatable(name:string, shape:dynamic)[
      "square", ${SQUARE},
      "far", dynamic({"type":"Polygon","coordinates":[[[50,50],[51,50],[51,51],[50,50]]]})];
    let lines = datatable(name:string, line:dynamic)[
      "equator", dynamic({"type":"LineString","coordinates":[[0,0],[10,0]]})];
    let points = datatable(id:long, lng:real, lat:real)[1, 5.0, 5.0, 2, 5.0, -0.5, 3, 100.0, 0.0];`;

  it('joins points to the polygons containing them', () => {
    const result = kql(
      `${tables} points | evaluate geo_polygon_lookup(shapes, shape, lng, lat) | order by id asc`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'lng', 'lat', 'name']);
    expect(result.rows).toEqual([[1, 5, 5, 'square']]);
  });

  it('keeps unmatched rows and matches within a radius when asked', () => {
    const unmatched = kql(
      `${tables} points | evaluate geo_polygon_lookup(shapes, shape, lng, lat, return_unmatched = true) | order by id asc`,
    );
    expect(unmatched.rows.map((r) => r[3])).toEqual(['square', '', '']);
    const nearby = kql(
      `${tables} points | evaluate geo_polygon_lookup(shapes, shape, lng, lat, 60000) | order by id asc`,
    );
    expect(nearby.rows.map((r) => r[0])).toEqual([1, 2]);
  });

  it('keeps lookup columns whose names clash with the input, renamed by the analyser', () => {
    const result = kql(
      `let shapes = datatable(id:string, lng:real, shape:dynamic)["sq", 99.0, ${SQUARE}];
       datatable(lng:real, lat:real)[5.0, 5.0] | evaluate geo_polygon_lookup(shapes, shape, lng, lat)`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['lng', 'lat', 'id', 'lng1']);
    expect(result.rows).toEqual([[5, 5, 'sq', 99]]);
  });

  it('joins points to lines within the radius', () => {
    const result = kql(
      `${tables} points | evaluate geo_line_lookup(lines, line, lng, lat, 60000, return_lookup_key = true) | order by id asc`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'lng', 'lat', 'name', 'line']);
    expect(result.rows.map((r) => r[0])).toEqual([2]);
  });
});
