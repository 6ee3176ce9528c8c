import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

const names = (query: string) => kql(query).columns.map((c) => `${c.name}:${c.type}`);

describe('mv-expand', () => {
  it('gives one row per array element and repeats the other columns', () => {
    const result = kql(
      'datatable(k:string, v:dynamic)["p", dynamic([3, 4]), "q", dynamic(["z"])] | mv-expand v',
    );
    expect(result.columns).toEqual([
      { name: 'k', type: 'string' },
      { name: 'v', type: 'dynamic' },
    ]);
    expect(result.rows).toEqual([
      ['p', '3'],
      ['p', '4'],
      ['q', '"z"'],
    ]);
  });

  it('drops rows whose array is empty and keeps one null row for a null value', () => {
    const result = kql(
      'datatable(k:long, v:dynamic)[1, dynamic([]), 2, dynamic(null), 3, dynamic([7])] | mv-expand v',
    );
    expect(result.rows).toEqual([
      [2, null],
      [3, '7'],
    ]);
  });

  it('keeps a scalar dynamic value as a single element', () => {
    expect(kql('print v=dynamic("word") | mv-expand v').rows).toEqual([['"word"']]);
  });

  it('expands several columns in parallel, padding the shorter with null', () => {
    const result = kql('print a=dynamic([1, 2, 3]), b=dynamic(["x"]) | mv-expand a, b');
    expect(result.rows).toEqual([
      ['1', '"x"'],
      ['2', null],
      ['3', null],
    ]);
  });

  it('expands property bags into one-slot bags, or [key, value] pairs with kind=array', () => {
    expect(kql('print b=dynamic({"u": 1, "w": "two"}) | mv-expand b').rows).toEqual([
      ['{"u":1}'],
      ['{"w":"two"}'],
    ]);
    expect(kql('print b=dynamic({"u": 1, "w": "two"}) | mv-expand kind=array b').rows).toEqual([
      ['["u",1]'],
      ['["w","two"]'],
    ]);
    expect(kql('print b=dynamic({"u": 1}) | mv-expand bagexpansion=array b').rows).toEqual([['["u",1]']]);
  });

  it('types columns with to typeof() and nulls elements of another type', () => {
    const result = kql(
      'print a=dynamic([5, "6", true]) | mv-expand l=a to typeof(long), s=a to typeof(string), f=a to typeof(bool)',
    );
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'a:dynamic',
      'l:long',
      's:string',
      'f:bool',
    ]);
    expect(result.rows).toEqual([
      ['[5,"6",true]', 5, '', null],
      ['[5,"6",true]', null, '6', null],
      ['[5,"6",true]', null, '', true],
    ]);
  });

  it('reads datetimes and timespans back from the text they are kept as in dynamic arrays', () => {
    const result = kql(
      'range t from datetime(2024-03-01) to datetime(2024-03-02) step 1d | summarize ts = make_list(t) | mv-expand ts to typeof(datetime)',
    );
    expect(result.rows).toEqual([['2024-03-01T00:00:00Z'], ['2024-03-02T00:00:00Z']]);
  });

  it('with_itemindex adds the 0-based element index as a long column at the end', () => {
    const result = kql('print v=dynamic(["a", "b"]), k=1 | mv-expand with_itemindex=pos v');
    expect(names('print v=dynamic(["a", "b"]), k=1 | mv-expand with_itemindex=pos v')).toEqual([
      'v:dynamic',
      'k:long',
      'pos:long',
    ]);
    expect(result.rows).toEqual([
      ['"a"', 1, 0],
      ['"b"', 1, 1],
    ]);
  });

  it('Name = expression adds a column and leaves the source column as it was', () => {
    const result = kql('print v=dynamic([1, 2]) | mv-expand e = v');
    expect(result.columns.map((c) => c.name)).toEqual(['v', 'e']);
    expect(result.rows).toEqual([
      ['[1,2]', '1'],
      ['[1,2]', '2'],
    ]);
  });

  it('names an unnamed expression Column1', () => {
    const result = kql('print k=1 | mv-expand pack_array(8, 9)');
    expect(result.columns.map((c) => c.name)).toEqual(['k', 'Column1']);
    expect(result.rows).toEqual([
      [1, '8'],
      [1, '9'],
    ]);
  });

  it('limit caps the rows made from each input row', () => {
    const result = kql(
      'datatable(k:long, v:dynamic)[1, dynamic([1, 2, 3]), 2, dynamic([4, 5])] | mv-expand v limit 1',
    );
    expect(result.rows).toEqual([
      [1, '1'],
      [2, '4'],
    ]);
  });

  it('legacy mvexpand stops at 128 rows per input row by default', () => {
    const query = 'range x from 1 to 300 step 1 | summarize a = make_list(x) | ';
    expect(kql(`${query}mvexpand a | count`).rows).toEqual([[128]]);
    expect(kql(`${query}mv-expand a | count`).rows).toEqual([[300]]);
  });

  it('expands JSON text once parse_json has made it dynamic (the provisioning-steps shape)', () => {
    const steps = JSON.stringify([
      { name: 'EntryImport', status: 'Success' },
      { name: 'EntryExport', status: 'Failure' },
    ]).replace(/"/g, '\\"');
    const result = kql(
      `print Id="job1", ProvisioningSteps="${steps}" | extend s = parse_json(ProvisioningSteps) | mv-expand s | project Id, step = tostring(s.name), status = tostring(s.status)`,
    );
    expect(result.rows).toEqual([
      ['job1', 'EntryImport', 'Success'],
      ['job1', 'EntryExport', 'Failure'],
    ]);
  });
});

describe('mv-apply', () => {
  const data = 'datatable(id:long, xs:dynamic)[1, dynamic([4, 9, 2]), 2, dynamic([7])]';

  it('runs the subquery over each row’s elements and keeps the row’s other columns', () => {
    const result = kql(
      `${data} | mv-apply x = xs to typeof(long) on (summarize total = sum(x), n = count())`,
    );
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:long',
      'xs:dynamic',
      'total:long',
      'n:long',
    ]);
    expect(result.rows).toEqual([
      [1, '[4,9,2]', 15, 3],
      [2, '[7]', 7, 1],
    ]);
  });

  it('filters elements per row and removes an expanded source column from the row columns', () => {
    const result = kql(`${data} | mv-apply xs to typeof(long) on (where xs > 3 | order by xs asc)`);
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'xs']);
    expect(result.rows).toEqual([
      [1, 4],
      [1, 9],
      [2, 7],
    ]);
  });

  it('exposes the element index to the subquery with with_itemindex', () => {
    const result = kql(`${data} | mv-apply with_itemindex=i x = xs on (where i == 0 | project head = x, i)`);
    expect(result.rows).toEqual([
      [1, '[4,9,2]', '4', 0],
      [2, '[7]', '7', 0],
    ]);
  });

  it('runs the subquery for rows whose array is empty (an aggregate still gives a row)', () => {
    const result = kql(
      'datatable(id:long, xs:dynamic)[1, dynamic([])] | mv-apply xs on (summarize n = count())',
    );
    expect(result.rows).toEqual([[1, 0]]);
  });

  it('expands several arrays in parallel inside the sub-table', () => {
    const result = kql(
      'print a=dynamic(["p", "q"]), b=dynamic([1]) | mv-apply a, b on (summarize l = make_list(strcat(a, "-", tostring(b))))',
    );
    expect(result.rows).toEqual([['["p-1","q-"]']]);
  });

  it('names an expanded path expression a_b for the subquery', () => {
    const result = kql(
      'print d=dynamic({"items": [2, 5]}) | mv-apply d.items to typeof(long) on (summarize s = sum(d_items))',
    );
    expect(result.rows).toEqual([['{"items":[2,5]}', 7]]);
  });

  it('lets the subquery read the row’s own columns', () => {
    const result = kql(
      `${data} | mv-apply x = xs to typeof(long) on (extend s = x + id | summarize m = max(x), s = max(s))`,
    );
    expect(result.rows.map((r) => r.slice(2))).toEqual([
      [9, 10],
      [7, 9],
    ]);
  });
});
