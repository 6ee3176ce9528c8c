import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

const row = (query: string): unknown[] => kql(query).rows[0];
const json = (query: string): unknown => {
  const cell = scalar(query);
  return cell === null ? null : JSON.parse(cell as string);
};

describe('H3', () => {
  // The H3 library's published example: (37.3615593, -122.0553238) at resolution 7.
  const cell = '87283472bffffff';

  it('geo_point_to_h3cell takes longitude first and defaults to resolution 6', () => {
    expect(scalar('print geo_point_to_h3cell(-122.0553238, 37.3615593, 7)')).toBe(cell);
    expect(scalar('print geo_h3cell_level(geo_point_to_h3cell(-122.0553238, 37.3615593))')).toBe(6);
    expect(kql('print geo_point_to_h3cell(1.0, 2.0)').columns[0].type).toBe('string');
  });

  it('geo_point_to_h3cell gives an empty string for invalid input', () => {
    expect(row('print geo_point_to_h3cell(181.0, 0.0), geo_point_to_h3cell(0.0, -91.0)')).toEqual(['', '']);
    expect(row('print geo_point_to_h3cell(1.0, 1.0, 16), geo_point_to_h3cell(1.0, 1.0, -1)')).toEqual([
      '',
      '',
    ]);
    expect(
      row('print geo_point_to_h3cell(real(null), 1.0), geo_point_to_h3cell(1.0, 1.0, int(null))'),
    ).toEqual(['', '']);
  });

  it('geo_h3cell_level reads the resolution; null for invalid tokens', () => {
    expect(row(`print geo_h3cell_level('${cell}'), geo_h3cell_level('abc'), geo_h3cell_level('')`)).toEqual([
      7,
      null,
      null,
    ]);
  });

  it('geo_h3cell_parent defaults to the next coarser resolution; empty when finer or invalid', () => {
    const parent = scalar(`print geo_h3cell_parent('${cell}')`) as string;
    expect(scalar(`print geo_h3cell_level('${parent}')`)).toBe(6);
    expect(scalar(`print geo_h3cell_level(geo_h3cell_parent('${cell}', 2))`)).toBe(2);
    // A parent contains its child's centre: the parent of the centre's cell is the same cell.
    expect(
      scalar(
        `let c = geo_h3cell_to_central_point('${cell}'); print geo_point_to_h3cell(todouble(c.coordinates[0]), todouble(c.coordinates[1]), 6)`,
      ),
    ).toBe(parent);
    expect(row(`print geo_h3cell_parent('${cell}', 8), geo_h3cell_parent('xyz')`)).toEqual(['', '']);
    expect(scalar(`print geo_h3cell_parent('${cell}', 7)`)).toBe(cell);
    // The documented range is [0, 14]: a resolution-15 cell has no resolution-15 "parent".
    expect(scalar('print geo_h3cell_parent(geo_point_to_h3cell(1.0, 1.0, 15), 15)')).toBe('');
  });

  it('geo_h3cell_children: 7 per hexagon level, at most 5 levels down', () => {
    const children = json(`print geo_h3cell_children('${cell}')`) as string[];
    expect(children).toHaveLength(7);
    for (const child of children) expect(scalar(`print geo_h3cell_parent('${child}')`)).toBe(cell);
    expect(scalar(`print array_length(geo_h3cell_children('${cell}', 9))`)).toBe(49);
    expect(
      row(`print isnull(geo_h3cell_children('${cell}', 13)), isnull(geo_h3cell_children('${cell}', 6))`),
    ).toEqual([true, true]);
    expect(scalar(`print isnull(geo_h3cell_children('nope'))`)).toBe(true);
  });

  it('geo_h3cell_neighbors and geo_h3cell_rings agree; rings start with the cell itself', () => {
    const neighbors = json(`print geo_h3cell_neighbors('${cell}')`) as string[];
    expect(neighbors).toHaveLength(6);
    const rings = json(`print geo_h3cell_rings('${cell}', 2)`) as string[][];
    expect(rings.map((r) => r.length)).toEqual([1, 6, 12]);
    expect(rings[0]).toEqual([cell]);
    expect(rings[1]).toEqual(neighbors);
    expect(json(`print geo_h3cell_rings('${cell}', 0)`)).toEqual([[cell]]);
    expect(
      row(`print isnull(geo_h3cell_rings('${cell}', 143)), isnull(geo_h3cell_rings('${cell}', -1))`),
    ).toEqual([true, true]);
    expect(row(`print isnull(geo_h3cell_neighbors('zz')), isnull(geo_h3cell_rings('zz', 1))`)).toEqual([
      true,
      true,
    ]);
  });

  it('geo_h3cell_to_central_point and geo_h3cell_to_polygon give GeoJSON in [lng, lat] order', () => {
    const point = json(`print geo_h3cell_to_central_point('${cell}')`) as {
      type: string;
      coordinates: number[];
    };
    expect(point.type).toBe('Point');
    const [lng, lat] = point.coordinates;
    expect(scalar(`print geo_point_to_h3cell(${lng}, ${lat}, 7)`)).toBe(cell);
    expect(lng).toBeCloseTo(-122.0553238, 1);
    expect(lat).toBeCloseTo(37.3615593, 1);
    const polygon = json(`print geo_h3cell_to_polygon('${cell}')`) as {
      type: string;
      coordinates: number[][][];
    };
    expect(polygon.type).toBe('Polygon');
    const ring = polygon.coordinates[0];
    expect(ring).toHaveLength(7); // six vertices, closed
    expect(ring[6]).toEqual(ring[0]);
    expect(row("print isnull(geo_h3cell_to_polygon('@')), isnull(geo_h3cell_to_central_point('1'))")).toEqual(
      [true, true],
    );
  });

  it('geo_polygon_to_h3cells returns the cells whose centres are inside', () => {
    const cells = json(
      `print geo_polygon_to_h3cells(dynamic({"type":"Polygon","coordinates":[[[-122.2,37.2],[-121.9,37.2],[-121.9,37.5],[-122.2,37.5],[-122.2,37.2]]]}), 7)`,
    ) as string[];
    expect(cells).toContain(cell);
    expect(new Set(cells).size).toBe(cells.length);
    // A ring of fewer than four positions is no polygon; resolution must be within [0, 15].
    expect(
      scalar(
        'print isnull(geo_polygon_to_h3cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,1]]]})))',
      ),
    ).toBe(true);
    expect(
      scalar(
        'print isnull(geo_polygon_to_h3cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}), 16))',
      ),
    ).toBe(true);
  });

  it('geo_polygon_to_h3cells gives null beyond 61680 cells', () => {
    const query =
      'print isnull(geo_polygon_to_h3cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}), 9))';
    expect(scalar(query)).toBe(true);
  });
});

describe('geohash', () => {
  // Wikipedia's examples: (lat 42.6, lng -5.6) → ezs42; (57.64911, 10.40744) → u4pruydqqvj.
  it('geo_point_to_geohash defaults to 5 characters', () => {
    expect(scalar('print geo_point_to_geohash(-5.6, 42.6)')).toBe('ezs42');
    expect(scalar('print geo_point_to_geohash(10.40744, 57.64911, 11)')).toBe('u4pruydqqvj');
    expect(scalar('print geo_point_to_geohash(10.40744, 57.64911, 1)')).toBe('u');
  });

  it('geo_point_to_geohash gives an empty string for invalid input', () => {
    expect(row('print geo_point_to_geohash(200.0, 1.0), geo_point_to_geohash(1.0, 1.0, 19)')).toEqual([
      '',
      '',
    ]);
    expect(row('print geo_point_to_geohash(1.0, 1.0, 0), geo_point_to_geohash(1.0, 1.0, int(null))')).toEqual(
      ['', ''],
    );
  });

  it('geo_geohash_to_polygon is the cell box; geo_geohash_to_central_point its centre', () => {
    // 'ezs42' is 25 bits: 13 halve longitude, 12 halve latitude, giving 0.0439453125° on each side.
    const side = 360 / 2 ** 13;
    const [west, south] = [-5.625, 42.5830078125];
    expect(json("print geo_geohash_to_polygon('ezs42')")).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [west, south],
          [west + side, south],
          [west + side, south + side],
          [west, south + side],
          [west, south],
        ],
      ],
    });
    expect(json("print geo_geohash_to_central_point('ezs42')")).toEqual({
      type: 'Point',
      coordinates: [west + side / 2, south + side / 2],
    });
  });

  it('invalid geohashes give null', () => {
    const invalid = ["'a'", "''", "'0123456789bcdefghjk'", "'EZS42'"];
    for (const text of invalid) {
      expect(
        row(
          `print isnull(geo_geohash_to_polygon(${text})), isnull(geo_geohash_to_central_point(${text})), isnull(geo_geohash_neighbors(${text}))`,
        ),
      ).toEqual([true, true, true]);
    }
  });

  it('geo_geohash_neighbors gives the 8 surrounding cells of the same length', () => {
    const neighbors = json("print geo_geohash_neighbors('ezs42')") as string[];
    expect(neighbors).toHaveLength(8);
    const side = 360 / 2 ** 13;
    const [lng, lat] = [-5.625 + side / 2, 42.5830078125 + side / 2];
    const expected: string[] = [];
    for (const dx of [-1, 0, 1]) {
      for (const dy of [-1, 0, 1]) {
        if (dx || dy)
          expected.push(
            scalar(`print geo_point_to_geohash(${lng + dx * side}, ${lat + dy * side})`) as string,
          );
      }
    }
    expect([...neighbors].sort()).toEqual(expected.sort());
  });

  it('geo_geohash_neighbors wraps at the antimeridian and stops at the poles', () => {
    const east = json('print geo_geohash_neighbors(geo_point_to_geohash(179.99, 0.0, 2))') as string[];
    expect(east).toHaveLength(8);
    expect(east).toContain(scalar('print geo_point_to_geohash(-179.99, 0.0, 2)'));
    const north = json('print geo_geohash_neighbors(geo_point_to_geohash(10.0, 89.99, 2))') as string[];
    expect(north).toHaveLength(5);
  });
});

describe('S2', () => {
  it('geo_point_to_s2cell defaults to level 11; tokens drop trailing zeros', () => {
    // Level 0 cells are the cube faces: face f has id (2f+1)·2^60, so (0°, 0°) is on face 0, token "1".
    expect(scalar('print geo_point_to_s2cell(0.0, 0.0, 0)')).toBe('1');
    expect(scalar('print geo_point_to_s2cell(90.0, 0.0, 0)')).toBe('3');
    expect(scalar('print geo_point_to_s2cell(0.0, 90.0, 0)')).toBe('5');
    const token = scalar('print geo_point_to_s2cell(-122.3, 47.6)') as string;
    expect(token).toMatch(/^[0-9a-f]+$/);
    // An 11-level id has 3 face bits + 22 position bits + a marker bit: 7 hex digits once zeros go.
    expect(token).toHaveLength(7);
  });

  it('geo_point_to_s2cell gives an empty string for invalid input', () => {
    expect(row('print geo_point_to_s2cell(300.0, 1.0, 8), geo_point_to_s2cell(1.0, 1.0, 31)')).toEqual([
      '',
      '',
    ]);
    expect(
      row('print geo_point_to_s2cell(1.0, 1.0, int(null)), geo_point_to_s2cell(1.0, real(null))'),
    ).toEqual(['', '']);
  });

  it('geo_s2cell_to_central_point lies in its own cell', () => {
    const token = scalar('print geo_point_to_s2cell(-122.3, 47.6, 14)') as string;
    const point = json(`print geo_s2cell_to_central_point('${token}')`) as { coordinates: number[] };
    const [lng, lat] = point.coordinates;
    expect(scalar(`print geo_point_to_s2cell(${lng}, ${lat}, 14)`)).toBe(token);
    expect(lng).toBeCloseTo(-122.3, 1);
    expect(lat).toBeCloseTo(47.6, 1);
  });

  it('geo_s2cell_to_polygon: the face-0 cell spans ±45° of longitude on the equator', () => {
    const polygon = json("print geo_s2cell_to_polygon('1')") as { type: string; coordinates: number[][][] };
    expect(polygon.type).toBe('Polygon');
    const ring = polygon.coordinates[0];
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
    for (const [lng, lat] of ring) {
      expect(Math.abs(lng)).toBeCloseTo(45, 9);
      // The cube corner (1, ±1, ±1) is at latitude atan(1/√2).
      expect(Math.abs(lat)).toBeCloseTo((Math.atan(1 / Math.SQRT2) * 180) / Math.PI, 9);
    }
  });

  it('geo_s2cell_neighbors: 8 same-level cells around, 4 for a face', () => {
    const token = scalar('print geo_point_to_s2cell(-122.3, 47.6, 10)') as string;
    const neighbors = json(`print geo_s2cell_neighbors('${token}')`) as string[];
    expect(neighbors).toHaveLength(8);
    expect(neighbors).not.toContain(token);
    for (const n of neighbors) expect(n).toHaveLength(token.length);
    // Face 0 (+x) touches every face but its opposite, face 3 (token "7").
    expect([...(json("print geo_s2cell_neighbors('1')") as string[])].sort()).toEqual(['3', '5', '9', 'b']);
  });

  it('invalid S2 tokens give null', () => {
    for (const text of ["'a'", "''", "'xyz'", "'12345678901234567'"]) {
      expect(
        row(
          `print isnull(geo_s2cell_to_polygon(${text})), isnull(geo_s2cell_to_central_point(${text})), isnull(geo_s2cell_neighbors(${text}))`,
        ),
      ).toEqual([true, true, true]);
    }
  });

  it('geo_polygon_to_s2cells covers the polygon with cells of the requested level', () => {
    const query = (level: number) =>
      `print geo_polygon_to_s2cells(dynamic({"type":"Polygon","coordinates":[[[-122.4,47.5],[-122.2,47.5],[-122.2,47.7],[-122.4,47.7],[-122.4,47.5]]]}), ${level})`;
    const cells = json(query(12)) as string[];
    expect(cells.length).toBeGreaterThan(1);
    expect(cells).toContain(scalar('print geo_point_to_s2cell(-122.3, 47.6, 12)'));
    const level12Length = (scalar('print geo_point_to_s2cell(-122.3, 47.6, 12)') as string).length;
    for (const c of cells) expect(c).toHaveLength(level12Length);
    // Default level 11 cells are 4 times larger: no more of them than level-12 cells.
    expect((json(query(11)) as string[]).length).toBeLessThanOrEqual(cells.length);
  });

  it('geo_polygon_to_s2cells gives null for invalid input or more than 65536 cells', () => {
    const triangle = 'dynamic({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]})';
    expect(scalar(`print isnull(geo_polygon_to_s2cells(${triangle}, 30))`)).toBe(true);
    expect(scalar(`print isnull(geo_polygon_to_s2cells(${triangle}, 31))`)).toBe(true);
    expect(
      scalar('print isnull(geo_polygon_to_s2cells(dynamic({"type":"Point","coordinates":[0,0]})))'),
    ).toBe(true);
  });

  it('geo_line_to_s2cells covers every vertex of the line', () => {
    const cells = json(
      'print geo_line_to_s2cells(dynamic({"type":"LineString","coordinates":[[-122.4,47.5],[-122.2,47.7]]}), 13)',
    ) as string[];
    expect(cells).toContain(scalar('print geo_point_to_s2cell(-122.4, 47.5, 13)'));
    expect(cells).toContain(scalar('print geo_point_to_s2cell(-122.2, 47.7, 13)'));
    expect(
      scalar(
        'print isnull(geo_line_to_s2cells(dynamic({"type":"LineString","coordinates":[[[0,0],[0,0]]]})))',
      ),
    ).toBe(true);
  });

  it('a positive buffer radius is not implemented', () => {
    expect(() =>
      kql('print geo_line_to_s2cells(dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]}), 8, 100.0)'),
    ).toThrow(/not supported/);
  });
});
