import type { ReportResult, ResultTable } from '../../src/reports/model.js';

/** Strings from HR feeds that must come out as text in every format. */
export const HOSTILE = {
  img: '<img src=x onerror="globalThis.__pwned=1">',
  script: '<script>globalThis.__pwned=2</script>',
  formula: '=HYPERLINK("http://x")',
  quotes: `"quoted" & 'single'`,
  unicode: 'Zoë Ångström 李',
  pipe: 'left|right \\ back\nslash',
};

export const USERS_TABLE: ResultTable = {
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'User', type: 'string' },
    { name: 'Events', type: 'long' },
    { name: 'Duration', type: 'timespan' },
    { name: 'Details', type: 'dynamic' },
    { name: 'Ok', type: 'bool' },
  ],
  rows: [
    ['2026-11-27T10:06:32.0000000Z', HOSTILE.img, 1234567, '00:00:01.5000000', '{"a": [1, 2]}', true],
    ['2026-11-27T10:07:00.1230000Z', HOSTILE.script, -42, '1.02:03:04', '"text"', false],
    ['2026-11-27T10:08:00Z', HOSTILE.formula, '9007199254740993', '-00:00:05', 'null', null],
    ['2026-11-27T10:09:00Z', HOSTILE.quotes, 0, null, '{"x":"<b>"}', true],
    ['2026-11-27T10:10:00Z', HOSTILE.unicode, 7, '00:01:00', '[]', true],
    ['2026-11-27T10:11:00Z', HOSTILE.pipe, null, '00:00:00', null, false],
  ],
};

function day(n: number): string {
  return new Date(Date.UTC(2026, 10, n)).toISOString();
}

export const TIME_SERIES: ResultTable = {
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'Result', type: 'string' },
    { name: 'Count', type: 'long' },
  ],
  rows: [1, 2, 3, 4, 5].flatMap((d) => [
    [day(d), 'success', 100 + d],
    [day(d), HOSTILE.img, 10 * d],
    [day(d), HOSTILE.script, 3],
  ]),
};

export const BAR_TABLE: ResultTable = {
  columns: [
    { name: 'App', type: 'string' },
    { name: 'Failures', type: 'long' },
  ],
  rows: [
    [HOSTILE.img, 30],
    [HOSTILE.quotes, 20],
    [HOSTILE.unicode, 10],
    ['Workday', 5],
  ],
};

export function hostileReport(): ReportResult {
  return {
    report: {
      id: 'provisioning-health',
      version: '1.2.0',
      title: `Provisioning health ${HOSTILE.script}`,
      description: `Failures and volumes per app ${HOSTILE.quotes}`,
    },
    window: { from: '2026-10-28T00:00:00Z', to: '2026-11-27T00:00:00Z', label: 'Last 30 days' },
    source: {
      kind: 'local',
      location: '/home/admin/<b>workspace</b>',
      dataFrom: '2026-09-01T00:00:00Z',
      dataTo: '2026-11-27T09:00:00Z',
    },
    parameters: [{ name: 'app', value: HOSTILE.img }],
    generatedAt: '2026-11-27T10:15:00.0000000Z',
    now: '2026-11-27T10:15:00Z',
    provlogVersion: '0.1.0',
    warnings: [`The data ends before the window does ${HOSTILE.img}`],
    sections: [
      {
        kind: 'text',
        id: 'intro',
        title: 'About this report',
        markdown: `Counts **every** event from \`AADProvisioningLogs\`.\n\n- first item\n- second ${HOSTILE.img}\n\nLast paragraph ${HOSTILE.script}`,
      },
      {
        kind: 'headline',
        id: 'headline',
        title: 'At a glance',
        query: { id: 'headline', version: '1.0.0' },
        tiles: [
          { label: 'Events', value: 12345678, tone: 'neutral' },
          { label: `Failures ${HOSTILE.img}`, value: 17, unit: 'events', tone: 'bad' },
          { label: 'Success rate', value: 99.86, unit: '%', tone: 'good' },
          { label: 'Top app', value: HOSTILE.formula },
        ],
      },
      {
        kind: 'table',
        id: 'recent-failures',
        title: 'Recent failures',
        description: `Latest rows ${HOSTILE.quotes}`,
        query: { id: 'recent-failures', version: '2.0.1' },
        table: USERS_TABLE,
        totalRows: 250,
        emptyMessage: 'No failures.',
      },
      {
        kind: 'chart',
        id: 'events-over-time',
        title: 'Events over time',
        query: { id: 'events-over-time', version: '1.0.0' },
        table: TIME_SERIES,
        chart: { kind: 'timechart' },
        emptyMessage: 'No events.',
      },
      {
        kind: 'chart',
        id: 'failures-by-app',
        title: `Failures by app ${HOSTILE.unicode}`,
        query: { id: 'failures-by-app', version: '1.0.0' },
        table: BAR_TABLE,
        chart: { kind: 'barchart' },
        emptyMessage: 'No failures.',
      },
      {
        kind: 'chart',
        id: 'failure-share',
        title: 'Share of failures',
        query: { id: 'failure-share', version: '1.0.0' },
        table: BAR_TABLE,
        chart: { kind: 'piechart' },
        emptyMessage: 'No failures.',
      },
      {
        kind: 'table',
        id: 'quarantined',
        title: 'Quarantined jobs',
        query: { id: 'quarantined', version: '1.0.0' },
        table: { columns: [{ name: 'Job', type: 'string' }], rows: [] },
        totalRows: 0,
        emptyMessage: `No job is quarantined ${HOSTILE.script}`,
      },
      {
        kind: 'chart',
        id: 'empty-chart',
        title: 'Skipped over time',
        query: { id: 'skipped', version: '1.0.0' },
        table: { columns: TIME_SERIES.columns, rows: [] },
        chart: { kind: 'columnchart' },
        emptyMessage: 'Nothing was skipped.',
      },
    ],
  };
}
