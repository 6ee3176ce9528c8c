import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { chartData } from '../../src/reports/chart-data.js';
import { RESULT_COLOURS } from '../../src/reports/chart-spec.js';
import { chartCaption, chartSvg } from '../../src/reports/charts.js';
import type { ReportResult, ResultTable } from '../../src/reports/model.js';
import { renderCsv } from '../../src/reports/render-csv.js';
import { renderMarkdown } from '../../src/reports/render-markdown.js';
import { BAR_TABLE, HOSTILE, hostileReport, TIME_SERIES, USERS_TABLE } from './fixture.js';

/** Cells of a pipe table line, split at pipes that are not escaped. */
function pipeCells(line: string): string[] {
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((cell) => cell.trim());
}

function tableLines(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${header} |`));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start, end);
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(hostileReport());

  it('leaves no HTML tag for a Markdown viewer to read', () => {
    expect(markdown).not.toMatch(/<[a-z/]/i);
    expect(markdown).toContain('&lt;img src=x onerror="globalThis.\\_\\_pwned=1"&gt;');
    expect(markdown).toContain('&lt;script&gt;globalThis.\\_\\_pwned=2&lt;/script&gt;');
  });

  it('keeps every table row at its column count, escaping pipes, backslashes and newlines', () => {
    const lines = tableLines(markdown, 'TimeGenerated | User');
    expect(lines.length).toBe(2 + USERS_TABLE.rows.length);
    for (const line of lines) expect(pipeCells(line)).toHaveLength(USERS_TABLE.columns.length);
    const pipeRow = pipeCells(lines[lines.length - 1]);
    expect(pipeRow[1]).toBe('left\\|right \\\\ back slash');
    // Durations are right-aligned like numbers.
    expect(lines[1]).toBe('| --- | --- | ---: | ---: | --- | --- |');
    expect(pipeCells(lines[4])[2]).toBe('9,007,199,254,740,993');
  });

  it('writes the report parts: window, warnings, tiles, row notes, charts as data', () => {
    expect(markdown).toMatch(/^# Provisioning health /);
    expect(markdown).toContain(
      '- **Time window:** Last 30 days (2026-10-28 00:00:00Z – 2026-11-27 00:00:00Z)',
    );
    expect(markdown).toContain('> - The data ends before the window does &lt;img');
    expect(markdown).toContain('- **Success rate:** 99.86 %');
    expect(markdown).toContain('_Showing 6 of 250 rows._');
    expect(markdown).toContain('_(chart: timechart)_');
    expect(tableLines(markdown, 'TimeGenerated | Result')).toHaveLength(2 + TIME_SERIES.rows.length);
    expect(markdown).toContain('_No job is quarantined &lt;script&gt;');
    expect(markdown).toContain('Counts **every** event from `AADProvisioningLogs`.');
    expect(markdown).toContain('_Query: recent-failures@2.0.1_');
  });

  it('writes cells as the HTML report shows them: seconds, durations, lists, days', () => {
    const lines = tableLines(markdown, 'TimeGenerated | User');
    expect(pipeCells(lines[2])).toEqual([
      '2026-11-27 10:06:32Z',
      pipeCells(lines[2])[1],
      '1,234,567',
      '1.5s',
      '{"a":\\[1,2\\]}',
      'true',
    ]);
    expect(pipeCells(lines[3])[0]).toBe('2026-11-27 10:07:00Z');
    expect(pipeCells(lines[3])[3]).toBe('1d 2h');
    const report = hostileReport();
    report.sections = [
      {
        kind: 'table',
        id: 'apps',
        title: 'Apps',
        query: { id: 'apps', version: '1' },
        table: {
          columns: [
            { name: 'Day', type: 'datetime' },
            { name: 'Apps', type: 'dynamic' },
          ],
          rows: [
            ['2026-11-01T00:00:00Z', '["Box","Dropbox Business"]'],
            ['2026-11-02T00:00:00.0000000Z', '["a|b <i>", "*c*"]'],
          ],
        },
        totalRows: 2,
        emptyMessage: '',
      },
    ];
    const apps = tableLines(renderMarkdown(report), 'Day | Apps');
    expect(pipeCells(apps[2])).toEqual(['2026-11-01', 'Box, Dropbox Business']);
    expect(pipeCells(apps[3])).toEqual(['2026-11-02', 'a\\|b &lt;i&gt;, \\*c\\*']);
  });

  it('caps long chart data', () => {
    const report = hostileReport();
    const rows = Array.from({ length: 150 }, (_, i) => [`app ${i}`, i]);
    report.sections = [
      {
        kind: 'chart',
        id: 'many',
        title: 'Many',
        query: { id: 'many', version: '1' },
        table: { columns: BAR_TABLE.columns, rows },
        chart: { kind: 'columnchart' },
        emptyMessage: '',
      },
    ];
    const text = renderMarkdown(report);
    expect(tableLines(text, 'App | Failures')).toHaveLength(2 + 100);
    expect(text).toContain('_Showing 100 of 150 rows._');
  });
});

describe('renderCsv', () => {
  const files = renderCsv(hostileReport());
  const file = (id: string) => {
    const found = files.find((f) => f.sectionId === id);
    if (!found) throw new Error(`no CSV for ${id}`);
    return found;
  };

  it('writes one file per data section, named by place and id', () => {
    expect(files.map((f) => f.fileName)).toEqual([
      '02-headline.csv',
      '03-recent-failures.csv',
      '04-events-over-time.csv',
      '05-failures-by-app.csv',
      '06-failure-share.csv',
      '07-quarantined.csv',
      '08-empty-chart.csv',
    ]);
  });

  it('guards text cells against formulas and parses back to the same cells', () => {
    const records: string[][] = parse(file('recent-failures').text);
    expect(records).toEqual([
      ['TimeGenerated', 'User', 'Events', 'Duration', 'Details', 'Ok'],
      ['2026-11-27T10:06:32.0000000Z', HOSTILE.img, '1234567', '00:00:01.5000000', '{"a":[1,2]}', 'true'],
      ['2026-11-27T10:07:00.1230000Z', HOSTILE.script, '-42', '1.02:03:04', '"text"', 'false'],
      ['2026-11-27T10:08:00Z', `'${HOSTILE.formula}`, '9007199254740993', "'-00:00:05", 'null', ''],
      ['2026-11-27T10:09:00Z', HOSTILE.quotes, '0', '', '{"x":"<b>"}', 'true'],
      ['2026-11-27T10:10:00Z', HOSTILE.unicode, '7', '00:01:00', '[]', 'true'],
      ['2026-11-27T10:11:00Z', HOSTILE.pipe, '', '00:00:00', '', 'false'],
    ]);
  });

  it('guards header names and keeps negative numbers as numbers', () => {
    const report: ReportResult = { ...hostileReport(), sections: [] };
    const table: ResultTable = {
      columns: [
        { name: '=cmd|"/c calc"!A1', type: 'string' },
        { name: 'Delta', type: 'long' },
        { name: 'Rate', type: 'real' },
      ],
      rows: [
        ['+1', -5, -0.25],
        ['@SUM(A1)', '-9223372036854775808', null],
        ['\tTab', 3, 1.5],
      ],
    };
    report.sections.push({
      kind: 'table',
      id: 'deltas',
      title: 'Deltas',
      query: { id: 'deltas', version: '1' },
      table,
      totalRows: 3,
      emptyMessage: '',
    });
    const [only] = renderCsv(report);
    expect(only.fileName).toBe('01-deltas.csv');
    expect(parse(only.text)).toEqual([
      [`'=cmd|"/c calc"!A1`, 'Delta', 'Rate'],
      ["'+1", '-5', '-0.25'],
      ["'@SUM(A1)", '-9223372036854775808', ''],
      ["'\tTab", '3', '1.5'],
    ]);
  });

  it('writes headline tiles as label, value, unit', () => {
    expect(parse(file('headline').text)).toEqual([
      ['label', 'value', 'unit'],
      ['Events', '12345678', ''],
      [`Failures ${HOSTILE.img}`, '17', 'events'],
      ['Success rate', '99.86', '%'],
      ['Top app', `'${HOSTILE.formula}`, ''],
    ]);
  });

  it('keeps lists as JSON text and datetimes and timespans as the logs hold them', () => {
    const report: ReportResult = { ...hostileReport(), sections: [] };
    report.sections.push({
      kind: 'table',
      id: 'raw',
      title: 'Raw',
      query: { id: 'raw', version: '1' },
      table: {
        columns: [
          { name: 'Apps', type: 'dynamic' },
          { name: 'Last', type: 'datetime' },
          { name: 'Took', type: 'timespan' },
        ],
        rows: [['["Box", "Dropbox Business"]', '2026-11-27T22:24:36.0957469Z', '3.22:53:59.1234567']],
      },
      totalRows: 1,
      emptyMessage: '',
    });
    expect(parse(renderCsv(report)[0].text)).toEqual([
      ['Apps', 'Last', 'Took'],
      ['["Box","Dropbox Business"]', '2026-11-27T22:24:36.0957469Z', '3.22:53:59.1234567'],
    ]);
  });

  it('writes only the header for an empty table', () => {
    expect(parse(file('quarantined').text)).toEqual([['Job']]);
  });
});

const SVG_ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'line', 'text', 'title', 'defs', 'clipPath']);

/** Element and attribute names in SVG text whose attribute values are double-quoted, as Vega writes them. */
function markup(svg: string): { elements: Set<string>; attributes: Set<string> } {
  const elements = new Set<string>();
  const attributes = new Set<string>();
  for (const tag of svg.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>/g)) {
    elements.add(tag[1]);
    for (const attribute of tag[2].matchAll(/([\w:-]+)="/g)) attributes.add(attribute[1].toLowerCase());
  }
  return { elements, attributes };
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]));
}

/** Widths of horizontal bars: the x extent of each bar path's points. */
function barWidths(svg: string): number[] {
  return [...svg.matchAll(/aria-roledescription="bar" d="([^"]*)"/g)].map(([, d]) => {
    // Vega writes bars with absolute M, L and C commands: x,y pairs separated by commas.
    expect(d).toMatch(/^[MLCZ\d.,e-]+$/);
    const xs = [...d.matchAll(/[MLC]([^MLCZ]*)/g)].flatMap(([, args]) =>
      args
        .split(',')
        .filter((_, i) => i % 2 === 0)
        .map(Number),
    );
    return Math.max(...xs) - Math.min(...xs);
  });
}

interface ColumnRect {
  label: string;
  fill: string;
  x: number;
  top: number;
  bottom: number;
  /** The y of the plot's bottom edge: where columns of positive values start. */
  baseline: number;
}

/** Columns drawn as plain rectangles (`M x,y h w v h h -w Z`), with their aria labels and fills. */
function columnRects(svg: string): ColumnRect[] {
  const rects = [
    ...svg.matchAll(/<path aria-label="([^"]*)"[^>]*aria-roledescription="bar" d="([^"]*)" fill="([^"]*)"/g),
  ].map(([, label, d, fill]) => {
    const match = /^M([\d.e-]+),([\d.e-]+)h[\d.e-]+v([\d.e-]+)h-?[\d.e-]+Z$/.exec(d);
    if (!match) throw new Error(`not a plain column: ${d}`);
    const [x, top, height] = match.slice(1).map(Number);
    return { label: unescapeXml(label), fill, x, top, bottom: top + height, baseline: 0 };
  });
  const baseline = Math.max(...rects.map((r) => r.bottom));
  return rects.map((r) => ({ ...r, baseline }));
}

describe('chartSvg', () => {
  it('escapes hostile labels and writes no script or handler', async () => {
    const svg = await chartSvg(BAR_TABLE, { kind: 'barchart' });
    const { elements, attributes } = markup(svg);
    expect([...elements].filter((e) => !SVG_ELEMENTS.has(e))).toEqual([]);
    expect([...attributes].filter((a) => a.startsWith('on'))).toEqual([]);
    // Every `<` opens one of those elements: no markup hides in a label.
    expect(svg.match(/</g)?.length).toBe(svg.match(/<\/?[a-zA-Z]/g)?.length);
    // Labels over 30 characters are shortened in the middle, then escaped.
    expect(svg).toContain('&lt;img src=x oner…is.__pwned=1"&gt;');
    const labels = texts(svg);
    expect(labels).toContain(HOSTILE.quotes);
    expect(labels).toContain(HOSTILE.unicode);
    expect(labels).toContain('<img src=x oner…is.__pwned=1">');
  });

  it('draws one mark per bar, sized by value', async () => {
    const svg = await chartSvg(BAR_TABLE, { kind: 'barchart' });
    const widths = barWidths(svg);
    expect(widths).toHaveLength(BAR_TABLE.rows.length);
    // 30, 20, 10, 5 failures: widths keep those ratios.
    expect(widths[1] / widths[0]).toBeCloseTo(20 / 30, 5);
    expect(widths[3] / widths[0]).toBeCloseTo(5 / 30, 5);
  });

  it('reads timespans as seconds and long text as numbers', async () => {
    const table: ResultTable = {
      columns: [
        { name: 'Job', type: 'string' },
        { name: 'Duration', type: 'timespan' },
      ],
      rows: [
        ['a', '00:02:00'],
        ['b', '00:00:30.0000000'],
        ['c', '1.00:00:00'],
      ],
    };
    const widths = barWidths(await chartSvg(table, { kind: 'barchart', y: ['Duration'] }));
    expect(widths[1] / widths[0]).toBeCloseTo(30 / 120, 5);
    expect(widths[2] / widths[0]).toBeCloseTo(86_400 / 120, 5);

    const longs: ResultTable = {
      columns: BAR_TABLE.columns,
      rows: [
        ['x', '18014398509481984'],
        ['y', 9007199254740992],
      ],
    };
    const longWidths = barWidths(await chartSvg(longs, { kind: 'barchart' }));
    expect(longWidths[1] / longWidths[0]).toBeCloseTo(0.5, 5);
  });

  it('folds categories beyond the top 20 into one "Other" bar', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => [`app-${i}`, 100 - i]);
    const svg = await chartSvg({ columns: BAR_TABLE.columns, rows }, { kind: 'columnchart' });
    const labels = texts(svg);
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(21);
    expect(labels).toContain('Other (5)');
    expect(labels).toContain('app-19');
    expect(labels).not.toContain('app-20');
  });

  it('draws a time chart as one line per series, with UTC axis labels', async () => {
    const svg = await chartSvg(TIME_SERIES, { kind: 'timechart' });
    const lines = svg.match(/aria-roledescription="line mark"/g) ?? [];
    expect(lines).toHaveLength(3);
    expect(texts(svg)).toContain('Nov 02');
    expect(svg).toMatch(/width="880" height="280"/);
  });

  it('draws pies and stacked areas', async () => {
    const pie = await chartSvg(BAR_TABLE, { kind: 'piechart' });
    expect(pie.match(/aria-roledescription="arc mark"/g)).toHaveLength(BAR_TABLE.rows.length);
    const area = await chartSvg(
      TIME_SERIES,
      { kind: 'areachart', stacked: true },
      { width: 500, height: 200 },
    );
    expect(area.match(/aria-roledescription="area mark"/g)).toHaveLength(3);
    expect(area).toMatch(/width="500" height="200"/);
  });

  it('draws columns over time on a time axis with date labels, stacked by series', async () => {
    const svg = await chartSvg(TIME_SERIES, { kind: 'columnchart', x: 'TimeGenerated' });
    expect(svg).toMatch(/aria-label="X-axis titled 'TimeGenerated' for a utc scale/);
    const labels = texts(svg);
    expect(labels).toContain('Nov 02');
    expect(labels.filter((l) => /^\d{4}-\d{2}-\d{2}/.test(l))).toEqual([]);
    const bars = columnRects(svg);
    expect(bars).toHaveLength(TIME_SERIES.rows.length);
    // Per day, the three series' columns share x and stand on each other: 3, 10·d, 100 + d.
    for (let d = 1; d <= 5; d++) {
      const day = bars.filter((b) => b.label.includes(`TimeGenerated: 2026-11-0${d};`));
      expect(day).toHaveLength(3);
      expect(new Set(day.map((b) => b.x.toFixed(3))).size).toBe(1);
      const stacked = day.sort((a, b) => b.bottom - a.bottom);
      expect(stacked[0].bottom).toBeCloseTo(bars[0].baseline, 5);
      expect(stacked[1].bottom).toBeCloseTo(stacked[0].top, 5);
      expect(stacked[2].bottom).toBeCloseTo(stacked[1].top, 5);
    }
    const height = (b: ColumnRect) => b.bottom - b.top;
    const first = bars.filter((b) => b.label.includes('2026-11-01;'));
    const success = first.find((b) => b.label.endsWith('Result: success'));
    const img = first.find((b) => b.label.includes('Result: <img'));
    if (!success || !img) throw new Error('missing columns');
    expect(height(img) / height(success)).toBeCloseTo(10 / 101, 5);
  });

  it('folds several value columns into series named after them, summing rows that share x', async () => {
    const table: ResultTable = {
      columns: [
        { name: 'Day', type: 'datetime' },
        { name: 'App', type: 'string' },
        { name: 'Creates', type: 'long' },
        { name: 'Updates', type: 'long' },
        { name: 'Disables', type: 'long' },
        { name: 'Deletes', type: 'long' },
      ],
      rows: [1, 2].flatMap((d) => [
        [`2026-11-0${d}T00:00:00Z`, 'Box', 1, 10, 100, 1000],
        [`2026-11-0${d}T00:00:00Z`, 'Dropbox Business', 2, 20, 200, 2000],
      ]),
    };
    const chart = {
      kind: 'columnchart' as const,
      x: 'Day',
      y: ['Creates', 'Updates', 'Disables', 'Deletes'],
      stacked: true,
    };
    const data = chartData(table, chart);
    expect(data.series).toEqual(['Creates', 'Updates', 'Disables', 'Deletes']);
    expect(data.points.filter((p) => p.series === 'Deletes').map((p) => p.y)).toEqual([3000, 3000]);
    const svg = await chartSvg(table, chart);
    const labels = texts(svg);
    for (const name of chart.y) expect(labels).toContain(name);
    expect(labels.some((l) => l.includes('Box'))).toBe(false);
    expect(columnRects(svg)).toHaveLength(8);
    expect(chartCaption(table, chart)).toBe('Column chart: Creates, Updates, Disables, Deletes over Day.');
  });

  it('colours provisioning results green, amber, red and grey, and other series from the palette', async () => {
    const results: ResultTable = {
      columns: TIME_SERIES.columns,
      rows: ['Failure', 'Success', 'Warning', 'Skipped'].map((r, i) => ['2026-11-01T00:00:00Z', r, i + 1]),
    };
    const svg = await chartSvg(results, { kind: 'columnchart', x: 'TimeGenerated' });
    const fills = new Map(columnRects(svg).map((b) => [b.label.split('Result: ')[1], b.fill]));
    expect(Object.fromEntries(fills)).toEqual({
      Success: RESULT_COLOURS.get('Success'),
      Warning: RESULT_COLOURS.get('Warning'),
      Failure: RESULT_COLOURS.get('Failure'),
      Skipped: RESULT_COLOURS.get('Skipped'),
    });
    expect(RESULT_COLOURS.get('Success')).toBe('#2E9E5E');
    expect(RESULT_COLOURS.get('Failure')).toBe('#D64040');
    // Successes stand on the axis; the legend lists the results top-down as they are stacked.
    expect(chartData(results, { kind: 'columnchart', x: 'TimeGenerated' }).series).toEqual([
      'Skipped',
      'Failure',
      'Warning',
      'Success',
    ]);
    const area = await chartSvg(results, { kind: 'areachart', stacked: true });
    expect(area).toContain(`fill="${RESULT_COLOURS.get('Failure')}"`);

    // `success` is not `Success`, and a result next to another name is just a name.
    const other = await chartSvg(TIME_SERIES, { kind: 'columnchart', x: 'TimeGenerated' });
    expect(columnRects(other).find((b) => b.label.endsWith('Result: success'))?.fill).toBe('#0072B2');
    const mixed = await chartSvg(
      {
        columns: BAR_TABLE.columns,
        rows: [
          ['Success', 3],
          ['Box', 2],
        ],
      },
      { kind: 'piechart' },
    );
    expect(mixed).not.toContain(RESULT_COLOURS.get('Success'));
  });

  it('shortens long legend labels in the middle so that they stay apart', async () => {
    const codes = [
      'SystemForCrossDomainIdentityManagementCredentialValidationFailure',
      'SystemForCrossDomainIdentityManagementServiceIncompatible',
      'Workday to Active Directory Us',
    ];
    const table: ResultTable = {
      columns: TIME_SERIES.columns,
      rows: codes.map((code, i) => ['2026-11-01T00:00:00Z', code, i + 1]),
    };
    const labels = texts(await chartSvg(table, { kind: 'columnchart', x: 'TimeGenerated' }));
    const legend = labels.filter((l) => l.startsWith('SystemForCross'));
    expect(legend).toEqual(['SystemForCrossD…idationFailure', 'SystemForCrossD…ceIncompatible']);
    // Thirty characters pass whole.
    expect(labels).toContain('Workday to Active Directory Us');
  });

  it('returns a small "No data" SVG for an empty table and rejects unknown columns', async () => {
    const empty = await chartSvg({ columns: TIME_SERIES.columns, rows: [] }, { kind: 'timechart' });
    expect(texts(empty)).toEqual(['No data']);
    expect(empty).not.toContain('role-mark');
    await expect(chartSvg(BAR_TABLE, { kind: 'barchart', y: ['Missing'] })).rejects.toThrow(/Missing/);
  });
});
