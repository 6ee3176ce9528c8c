import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

// A small directed graph: p1 → p2 → p3 → p1 (a cycle) and p3 → p4; p5 is a node with no edges.
const nodes = `datatable(id:string, tier:long)["p1", 1, "p2", 2, "p3", 3, "p4", 4, "p5", 5]`;
const edges = `datatable(src:string, dst:string, w:long)["p1", "p2", 10, "p2", "p3", 20, "p3", "p1", 30, "p3", "p4", 40]`;
const graph = `let N = ${nodes}; ${edges} | make-graph src --> dst with N on id`;

const sortRows = (rows: unknown[][]): unknown[][] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('make-graph and graph-to-table', () => {
  it('exports nodes: the node table rows in order, then nodes only the edges name, with empty properties', () => {
    const result = kql(
      `${edges} | extend dst = iff(dst == "p4", "q9", dst) | make-graph src --> dst with (${nodes} | where id != "p4") on id | graph-to-table nodes`,
    );
    expect(result.columns).toEqual([
      { name: 'id', type: 'string' },
      { name: 'tier', type: 'long' },
    ]);
    expect(result.rows).toEqual([
      ['p1', 1],
      ['p2', 2],
      ['p3', 3],
      ['p5', 5],
      ['q9', null],
    ]);
  });

  it('with_node_id names the single id property; edges come back as their rows', () => {
    expect(kql(`${edges} | make-graph src --> dst with_node_id=name | graph-to-table nodes`).rows).toEqual([
      ['p1'],
      ['p2'],
      ['p3'],
      ['p4'],
    ]);
    expect(kql(`${graph} | graph-to-table edges`).rows).toEqual([
      ['p1', 'p2', 10],
      ['p2', 'p3', 20],
      ['p3', 'p1', 30],
      ['p3', 'p4', 40],
    ]);
  });

  it('exports node ids as hash() of the id', () => {
    const ids = kql(
      `${edges} | make-graph src --> dst with_node_id=name | graph-to-table nodes with_node_id=h`,
    );
    const hashes = kql('print hash("p1"), hash("p2")').rows[0];
    expect(ids.rows.slice(0, 2).map((r) => r[0])).toEqual(hashes);
    const edgeIds = kql(`${graph} | graph-to-table edges with_source_id=s with_target_id=t | take 1`);
    expect(edgeIds.rows[0].slice(0, 2)).toEqual(hashes);
  });
});

describe('make-graph with several node tables and partitions', () => {
  const first = 'datatable(id:string, part:string, x:long)["a", "P", 1, "c", "Q", 5]';
  const second = 'datatable(id:string, part:string, y:real)["a", "P", 2.5, "z", "P", 3.0]';
  const links = 'datatable(s:string, d:string, part:string)["a", "b", "P", "c", "d", "Q"]';

  it('merges node tables by id into one set of properties', () => {
    const result = kql(
      `${links} | make-graph s --> d with (${first}) on id, (${second}) on id | graph-to-table nodes`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'part', 'x', 'y']);
    expect(result.rows).toEqual([
      ['a', 'P', 1, 2.5],
      ['c', 'Q', 5, null],
      ['z', 'P', null, 3],
      ['b', '', null, null],
      ['d', '', null, null],
    ]);
  });

  it('partitioned-by builds one graph per value and stacks the operator results', () => {
    const result = kql(
      `${links} | extend s = iff(part == "Q", "a", s) | make-graph s --> d with (${first}) on id partitioned-by part (graph-match (p)-->(q) project p.id, p.x, q.id)`,
    );
    // In partition Q, node "a" comes only from an edge: it has none of partition P's properties.
    expect(result.rows).toEqual([
      ['a', 1, 'b'],
      ['a', null, 'd'],
    ]);
  });
});

describe('a graph as a result', () => {
  it('is an error unless a graph operator follows', () => {
    expect(() => kql(`${edges} | make-graph src --> dst with_node_id=n`)).toThrow(/graph operator/);
  });
});

describe('graph-mark-components', () => {
  it('numbers weak components from 0 in node order', () => {
    const result = kql(
      `datatable(a:string, b:string)["x", "y", "z", "w", "y", "v"] | make-graph a --> b with_node_id=n | graph-mark-components | graph-to-table nodes`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['n', 'ComponentId']);
    // Nodes in order of first mention: x, y, z, w, v; {x, y, v} and {z, w}.
    expect(result.rows).toEqual([
      ['x', 0],
      ['y', 0],
      ['z', 1],
      ['w', 1],
      ['v', 0],
    ]);
  });
});

describe('graph-match', () => {
  it('matches fixed patterns with node and edge properties', () => {
    const result = kql(`${graph} | graph-match (a)-[e]->(b) where e.w > 15 project a.id, b.tier, e.w`);
    expect(result.columns.map((c) => c.name)).toEqual(['a_id', 'b_tier', 'e_w']);
    expect(sortRows(result.rows)).toEqual([
      ['p2', 3, 20],
      ['p3', 1, 30],
      ['p3', 4, 40],
    ]);
  });

  it('follows edges backwards and in either direction', () => {
    const back = kql(`${graph} | graph-match (a)<-[e]-(b) where a.id == "p1" project b.id`);
    expect(back.rows).toEqual([['p3']]);
    const any = kql(`${graph} | graph-match (a)--(b) where a.id == "p1" project b.id`);
    expect(sortRows(any.rows)).toEqual([['p2'], ['p3']]);
  });

  it('lists variable-length edges in pattern order, with inner nodes', () => {
    const result = kql(
      `${graph} | graph-match (a)-[e*2..2]->(b) where a.id == "p1" project b.id, ws = map(e, w), via = map(inner_nodes(e), id)`,
    );
    expect(result.rows).toEqual([['p3', '[10,20]', '["p2"]']]);
  });

  it('does not reuse an edge by default (unique_edges) but may revisit nodes', () => {
    const result = kql(
      `${graph} | graph-match (a)-[e*1..4]->(b) where a.id == "p1" project b.id, n = array_length(map(e, w))`,
    );
    // p1→p2 (1), →p3 (2), →p1 (3, a cycle through new edges), →p4 (3); p1→p2 again would reuse an edge.
    // Anything computed from a variable-length edge is a dynamic column (as the analyser types it).
    expect(sortRows(result.rows)).toEqual([
      ['p1', '3'],
      ['p2', '1'],
      ['p3', '2'],
      ['p4', '3'],
    ]);
  });

  it('cycles=none never revisits a node; cycles=all allows reused edges', () => {
    const none = kql(`${graph} | graph-match cycles=none (a)-[e*1..4]->(b) where a.id == "p1" project b.id`);
    expect(sortRows(none.rows)).toEqual([['p2'], ['p3'], ['p4']]);
    const all = kql(`${graph} | graph-match cycles=all (a)-[e*4..4]->(b) where a.id == "p1" project b.id`);
    // p1→p2→p3→p1→p2
    expect(all.rows).toEqual([['p2']]);
  });

  it('joins comma-separated sequences on shared node variables', () => {
    const result = kql(
      `${graph} | graph-match (a)-->(hub), (hub)-->(c) where hub.id == "p3" project a.id, c.id`,
    );
    expect(sortRows(result.rows)).toEqual([
      ['p2', 'p1'],
      ['p2', 'p4'],
    ]);
  });

  it('evaluates all()/any() over path edges and node degrees and ids', () => {
    const result = kql(
      `${graph} | graph-match (a)-[e*1..3]->(b) where a.id == "p2" and all(e, w >= 20) project b.id, din = node_degree_in(b), dout = node_degree_out(b), k = node_id(b), big = any(e, w > 35)`,
    );
    expect(sortRows(result.rows)).toEqual([
      ['p1', 1, 1, 'p1', 'false'],
      ['p3', 1, 2, 'p3', 'false'],
      ['p4', 1, 0, 'p4', 'true'],
    ]);
  });
});

describe('graph-match limits', () => {
  it('rejects what it cannot answer exactly', () => {
    expect(() => kql(`${graph} | graph-match cycles=none (a)-->(b)-->(c)-->(a) project a.id`)).toThrow(
      /not supported/,
    );
    expect(() => kql(`${graph} | graph-match (a)-->(b), (c)-->(d) project a.id`)).toThrow(/not supported/);
    expect(() => kql(`${graph} | graph-match (a)-[e*1..2]->(b) project m = map(e, a.tier)`)).toThrow(
      /not supported/,
    );
  });
});

describe('graph-shortest-paths', () => {
  it('keeps one shortest path per pair, or all of equal length with output=all', () => {
    const diamond = `datatable(s:string, d:string, tag:string)["a", "b", "1", "a", "c", "2", "b", "d", "3", "c", "d", "4", "a", "d2", "5", "d2", "x", "6", "x", "d", "7"] | make-graph s --> d with_node_id=n`;
    const one = kql(
      `${diamond} | graph-shortest-paths (p)-[e*1..5]->(q) where p.n == "a" and q.n == "d" project tags = map(e, tag)`,
    );
    expect(one.rows).toEqual([['["1","3"]']]);
    const all = kql(
      `${diamond} | graph-shortest-paths output=all (p)-[e*1..5]->(q) where p.n == "a" and q.n == "d" project tags = map(e, tag)`,
    );
    expect(sortRows(all.rows)).toEqual([['["1","3"]'], ['["2","4"]']]);
  });
});
