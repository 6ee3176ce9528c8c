import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

/** Kusto's sphere (S2's Earth radius) in metres, and one degree of a great circle on it. */
const R = 6_371_010;
const DEGREE_M = (Math.PI / 180) * R;

const row = (query: string): unknown[] => kql(query).rows[0];
const json = (query: string): unknown => {
  const cell = scalar(query);
  return typeof cell === 'string' ? JSON.parse(cell) : cell;
};
const line = (coordinates: number[][]) => `dynamic(${JSON.stringify({ type: 'LineString', coordinates })})`;
const multiline = (coordinates: number[][][]) =>
  `dynamic(${JSON.stringify({ type: 'MultiLineString', coordinates })})`;

function expectClose(actual: unknown, expected: number, relative = 1e-9): void {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative + 1e-9);
}

function expectPoint(actual: unknown, lng: number, lat: number): void {
  const point = actual as { type: string; coordinates: number[] };
  expect(point.type).toBe('Point');
  expectClose(point.coordinates[0], lng);
  expectClose(point.coordinates[1], lat);
}

describe('geo_distance_2points', () => {
  it('measures great-circle distance on the S2 sphere', () => {
    expectClose(scalar('print geo_distance_2points(0, 0, 1, 0)'), DEGREE_M);
    expectClose(scalar('print geo_distance_2points(0, 0, 0, 90)'), 90 * DEGREE_M);
    expectClose(scalar('print geo_distance_2points(10, 20, 10, 20)'), 0);
    expect(kql('print geo_distance_2points(0, 0, 1, 0)').columns[0].type).toBe('real');
  });

  it('is null for coordinates out of range and for nulls', () => {
    expect(
      row(
        'print geo_distance_2points(181, 0, 0, 0), geo_distance_2points(0, -91, 0, 0), geo_distance_2points(real(null), 0, 0, 0)',
      ),
    ).toEqual([null, null, null]);
  });

  it('measures on the WGS-84 ellipsoid when asked', () => {
    // Along the equator the geodesic is the equator: a * angle, with a = 6378137 m.
    expectClose(scalar('print geo_distance_2points(0, 0, 1, 0, true)'), (6_378_137 * Math.PI) / 180, 1e-9);
  });
});

describe('geo_azimuth and geo_angle', () => {
  it('gives azimuths clockwise from north in [0, 2π)', () => {
    const [north, east, south, west] = row(
      'print geo_azimuth(0, 0, 0, 1), geo_azimuth(0, 0, 1, 0), geo_azimuth(0, 0, 0, -1), geo_azimuth(0, 0, -1, 0)',
    );
    expectClose(north, 0);
    expectClose(east, Math.PI / 2);
    expectClose(south, Math.PI);
    expectClose(west, (3 * Math.PI) / 2);
  });

  it('is null for equal or antipodal points', () => {
    expect(row('print geo_azimuth(3, 4, 3, 4), geo_azimuth(0, 0, 180, 0), geo_azimuth(0, 95, 1, 1)')).toEqual(
      [null, null, null],
    );
  });

  it('measures the clockwise turn from [p1, p2] to [p2, p3] at p2', () => {
    expectClose(scalar('print geo_angle(0, 1, 0, 0, 1, 0)'), Math.PI / 2);
    expectClose(scalar('print geo_angle(0, 1, 0, 0, 0, -1)'), Math.PI);
    expectClose(scalar('print geo_angle(0, 1, 0, 0, -1, 0)'), (3 * Math.PI) / 2);
    expect(row('print geo_angle(0, 0, 0, 0, 1, 1), geo_angle(0, 1, 0, 0, 0, 0)')).toEqual([null, null]);
  });

  it('measures angles at a pole, whatever longitude the pole is given', () => {
    // Seen from above the north pole east is counterclockwise, so turning from longitude 0 to 90 is 270° clockwise.
    expectClose(scalar('print geo_angle(0, 80, 0, 90, 90, 80)'), (3 * Math.PI) / 2);
    expectClose(scalar('print geo_angle(0, 80, 45, 90, 90, 80)'), (3 * Math.PI) / 2);
    expect(() => kql('print geo_azimuth(0, 90, 10, 10)')).toThrow(/not supported/);
  });
});

describe('geo_point_in_circle', () => {
  it('includes points within the radius along the sphere', () => {
    expect(
      row(
        `print geo_point_in_circle(0, 1, 0, 0, ${DEGREE_M + 1}), geo_point_in_circle(0, 1, 0, 0, ${DEGREE_M - 1})`,
      ),
    ).toEqual([true, false]);
  });

  it('is null for invalid coordinates or a radius that is not positive', () => {
    expect(
      row(
        'print geo_point_in_circle(0, 91, 0, 0, 10), geo_point_in_circle(0, 0, 0, 0, 0), geo_point_in_circle(0, 0, 0, 0, -5)',
      ),
    ).toEqual([null, null, null]);
  });
});

describe('measures of one line', () => {
  const equator = line([
    [0, 0],
    [1, 0],
    [3, 0],
  ]);

  it('geo_line_length sums geodesic edges', () => {
    expectClose(scalar(`print geo_line_length(${equator})`), 3 * DEGREE_M);
  });

  it('geo_line_length of a multiline counts overlapping parts once', () => {
    const overlapping = multiline([
      [
        [0, 0],
        [2, 0],
      ],
      [
        [1, 0],
        [3, 0],
      ],
    ]);
    expectClose(scalar(`print geo_line_length(${overlapping})`), 3 * DEGREE_M);
  });

  it('geo_line_centroid weights edges by length', () => {
    expectPoint(json(`print geo_line_centroid(${equator})`), 1.5, 0);
  });

  it('geo_line_interpolate_point walks a fraction of the length', () => {
    expectPoint(json(`print geo_line_interpolate_point(${equator}, 0.5)`), 1.5, 0);
    expectPoint(json(`print geo_line_interpolate_point(${equator}, 0)`), 0, 0);
    expectPoint(json(`print geo_line_interpolate_point(${equator}, 1)`), 3, 0);
    expect(scalar(`print geo_line_interpolate_point(${equator}, 1.5)`)).toBeNull();
  });

  it('geo_line_locate_point gives the fraction at the closest point', () => {
    expectClose(scalar(`print geo_line_locate_point(${equator}, 1.5, 0.5)`), 0.5);
    expectClose(scalar(`print geo_line_locate_point(${equator}, -2, 0)`), 0);
  });

  it('geo_distance_point_to_line and geo_closest_point_on_line use the nearest edge', () => {
    expectClose(scalar(`print geo_distance_point_to_line(2, 0.5, ${equator})`), 0.5 * DEGREE_M);
    expectPoint(json(`print geo_closest_point_on_line(2, 0.5, ${equator})`), 2, 0);
    expectPoint(json(`print geo_closest_point_on_line(5, 0, ${equator})`), 3, 0);
  });

  it('invalid lines and coordinates give null', () => {
    const invalid = [
      'dynamic({"type":"LineString"})',
      line([[1, 1]]),
      line([
        [300, 1],
        [1, 1],
      ]),
      line([
        [0, 0],
        [180, 0],
      ]),
      'dynamic({"type":"Point","coordinates":[1,1]})',
      'dynamic(null)',
    ];
    for (const value of invalid) {
      expect(row(`print geo_line_length(${value}), geo_line_centroid(${value})`)).toEqual([null, null]);
      expect(scalar(`print geo_distance_point_to_line(0, 0, ${value})`)).toBeNull();
    }
    expect(scalar(`print geo_closest_point_on_line(0, 100, ${equator})`)).toBeNull();
  });
});

describe('two lines', () => {
  const vertical = line([
    [0, -1],
    [0, 1],
  ]);
  const horizontal = line([
    [-1, 0],
    [1, 0],
  ]);
  const apart = line([
    [5, 5],
    [6, 6],
  ]);

  it('geo_intersects_2lines detects crossings and touching ends', () => {
    const touching = line([
      [1, 0],
      [1, 1],
    ]);
    expect(
      row(
        `print geo_intersects_2lines(${vertical}, ${horizontal}), geo_intersects_2lines(${vertical}, ${apart})`,
      ),
    ).toEqual([true, false]);
    expect(scalar(`print geo_intersects_2lines(${horizontal}, ${touching})`)).toBe(true);
    expect(scalar(`print geo_intersects_2lines(${horizontal}, ${line([[1, 1]])})`)).toBeNull();
  });

  it('geo_intersection_2lines gives the crossing point, the shared line or an empty collection', () => {
    expectPoint(json(`print geo_intersection_2lines(${vertical}, ${horizontal})`), 0, 0);
    const shared = json(`print geo_intersection_2lines(${horizontal}, ${horizontal})`) as {
      type: string;
      coordinates: number[][];
    };
    expect(shared.type).toBe('LineString');
    expect(shared.coordinates.length).toBe(2);
    expectClose(shared.coordinates[1][0], 1);
    expect(json(`print geo_intersection_2lines(${vertical}, ${apart})`)).toEqual({
      type: 'GeometryCollection',
      geometries: [],
    });
  });
});

describe('geo_union_lines_array', () => {
  it('merges overlapping lines into one line', () => {
    const union = json(
      `print geo_union_lines_array(pack_array(${line([
        [0, 0],
        [1, 0],
        [2, 0],
      ])}, ${line([
        [1, 0],
        [2, 0],
        [3, 0],
      ])}))`,
    ) as { type: string; coordinates: number[][] };
    expect(union.type).toBe('LineString');
    expect(union.coordinates.map(([lng]) => Math.round(lng * 1e9) / 1e9)).toEqual([0, 1, 2, 3]);
  });

  it('is null when any line is invalid', () => {
    expect(
      scalar(
        `print isnull(geo_union_lines_array(pack_array(${line([
          [0, 0],
          [1, 1],
        ])}, ${line([[1, 1]])})))`,
      ),
    ).toBe(true);
  });

  it('does not guess the order of a union of several parts', () => {
    expect(() =>
      kql(
        `print geo_union_lines_array(pack_array(${line([
          [0, 0],
          [1, 0],
        ])}, ${line([
          [5, 5],
          [6, 6],
        ])}))`,
      ),
    ).toThrow(/not supported/);
  });
});

describe('geo_line_densify', () => {
  it('leaves edges along meridians and short edges unchanged', () => {
    expect(
      json(
        `print geo_line_densify(${line([
          [0, 0],
          [0, 10],
        ])})`,
      ),
    ).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [0, 10],
      ],
    });
  });

  it('splits a planar edge into equal halves until each piece is within tolerance of its geodesic', () => {
    const out = json(
      `print geo_line_densify(${line([
        [20, 45],
        [24, 47],
      ])}, 100)`,
    ) as { coordinates: number[][] };
    const points = out.coordinates;
    const pieces = points.length - 1;
    expect(pieces).toBeGreaterThan(1);
    expect(Math.log2(pieces) % 1).toBe(0);
    points.forEach(([lng, lat], i) => {
      expectClose(lng, 20 + (4 * i) / pieces);
      expectClose(lat, 45 + (2 * i) / pieces);
    });
  });

  it('keeps a MultiLineString a MultiLineString', () => {
    const out = json(
      `print geo_line_densify(${multiline([
        [
          [0, 0],
          [0, 1],
        ],
      ])})`,
    ) as { type: string };
    expect(out.type).toBe('MultiLineString');
  });

  it('is null for an invalid line or a tolerance outside [0.1, 10000]', () => {
    const ok = line([
      [0, 0],
      [1, 1],
    ]);
    expect(
      row(
        `print geo_line_densify(${ok}, 0.05), geo_line_densify(${ok}, 20000), geo_line_densify(${line([[0, 0]])})`,
      ),
    ).toEqual([null, null, null]);
  });
});

describe('functions validated but not computed', () => {
  it('give null for invalid input', () => {
    expect(
      row(
        `print isnull(geo_line_simplify(${line([[1, 1]])})), isnull(geo_line_simplify(${line([
          [0, 0],
          [1, 1],
        ])}, -1)), isnull(geo_point_buffer(0, 100, 10)), isnull(geo_point_buffer(0, 0, -1)), isnull(geo_line_buffer(${line(
          [
            [0, 0],
            [1, 1],
          ],
        )}, 0))`,
      ),
    ).toEqual([true, true, true, true, true]);
  });

  it('fail as not supported for valid input', () => {
    expect(() =>
      kql(
        `print geo_line_simplify(${line([
          [0, 0],
          [1, 1],
        ])}, 10)`,
      ),
    ).toThrow(/not supported/);
    expect(() => kql('print geo_point_buffer(0, 0, 1000)')).toThrow(/not supported/);
  });
});

describe('geo_from_wkt', () => {
  it('converts each geometry type to GeoJSON', () => {
    expect(json('print geo_from_wkt("POINT (-1.5 2.25)")')).toEqual({
      type: 'Point',
      coordinates: [-1.5, 2.25],
    });
    expect(json('print geo_from_wkt("linestring(0 0,1 1)")')).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
      ],
    });
    expect(json('print geo_from_wkt("MULTIPOINT ((1 2), (3 4))")')).toEqual({
      type: 'MultiPoint',
      coordinates: [
        [1, 2],
        [3, 4],
      ],
    });
    const polygon = 'POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))';
    expect(json(`print geo_from_wkt("${polygon}")`)).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 0],
        ],
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    });
    expect(
      json('print geo_from_wkt("GEOMETRYCOLLECTION (POINT (5 6), MULTILINESTRING ((0 0, 1 1)))")'),
    ).toEqual({
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [5, 6] },
        {
          type: 'MultiLineString',
          coordinates: [
            [
              [0, 0],
              [1, 1],
            ],
          ],
        },
      ],
    });
  });

  it('is null for malformed text', () => {
    expect(
      row(
        'print geo_from_wkt("POINT"), geo_from_wkt("POINT (1)"), geo_from_wkt("CIRCLE (1 2)"), geo_from_wkt("POINT (1 2) x")',
      ),
    ).toEqual([null, null, null, null]);
  });

  it('does not guess at EMPTY or 3-D shapes', () => {
    expect(() => kql('print geo_from_wkt("POINT EMPTY")')).toThrow(/not supported/);
    expect(() => kql('print geo_from_wkt("POINT Z (1 2 3)")')).toThrow(/not supported/);
  });
});
