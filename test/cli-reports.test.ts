/**
 * `provlog query` and `provlog report` as a user runs them, on a generated workspace; the HTML reports
 * are opened in real headless Chromium.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportResult } from '../src/index.js';
import { provlog, tempDir, tenantArgs } from './helpers/cli.js';

const END = '2026-06-01T00:00:00Z';
const HOSTILE = '<img src=x onerror=alert(1)> Probe';
let dir: string;
let ws: string;

beforeAll(() => {
  dir = tempDir('provlog-reports-');
  ws = join(dir, 'ws');
  const generated = provlog([
    'generate',
    '--workspace',
    ws,
    ...tenantArgs(5, { users: 60, apps: 6, days: 20, end: END }),
  ]);
  expect(generated.code, generated.stderr).toBe(0);
});

function ok(args: string[]) {
  const result = provlog(args);
  expect(result.code, `provlog ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

describe('provlog query', () => {
  it('lists the library and shows a query with its parameters', () => {
    const list = JSON.parse(ok(['query', 'list', '--json']).stdout) as { id: string; version: string }[];
    expect(list.map((q) => q.id)).toContain('top-errors');
    expect(list.every((q) => /^\d+\.\d+\.\d+$/.test(q.version))).toBe(true);
    const failures = JSON.parse(ok(['query', 'list', '--category', 'failures', '--json']).stdout) as {
      id: string;
    }[];
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(list.length);
    const shown = ok(['query', 'show', 'user-trace']).stdout;
    expect(shown).toContain('User');
    expect(shown).toContain('(required)');
    expect(shown).toContain('ProvisioningEvents()');
  });

  it('prints the text to paste into Log Analytics, functions and parameters filled in', () => {
    const text = ok([
      'query',
      'show',
      'user-trace',
      '--text',
      '--param',
      "User=o'brien@contoso.example",
      '--since',
      '90d',
    ]).stdout;
    expect(text).toMatch(/^let ProvisioningEvents = \(\) \{/);
    expect(text).toContain("SourceUPN =~ 'o\\'brien@contoso.example'");
    expect(text).toContain('between (ago(90d) .. now())');
    expect(text).not.toMatch(/\{(User|TimeRange)\}/);
  });

  it('runs a library query by id with parameters and a time range', () => {
    const all = JSON.parse(
      ok(['query', 'run', 'top-errors', '--workspace', ws, '--now', END, '--format', 'json']).stdout,
    );
    const table = all.tables[0];
    const failures = table.columns.findIndex((c: { name: string }) => c.name === 'Failures');
    const total = table.rows.reduce((n: number, r: number[]) => n + r[failures], 0);
    const week = JSON.parse(
      ok(['query', 'run', 'top-errors', '--workspace', ws, '--now', END, '--since', '7d', '--json']).stdout,
    ).tables[0];
    const weekTotal = week.rows.reduce((n: number, r: number[]) => n + r[failures], 0);
    expect(weekTotal).toBeGreaterThan(0);
    expect(weekTotal).toBeLessThan(total);
    const absolute = JSON.parse(
      ok(['query', 'run', 'top-errors', '--workspace', ws, '--from', '2026-05-25', '--to', END, '--json'])
        .stdout,
    ).tables[0];
    expect(absolute.rows.reduce((n: number, r: number[]) => n + r[failures], 0)).toBe(weekTotal);
  });

  it('explains a wrong query name, parameter or time option in one line', () => {
    for (const [args, message] of [
      [
        ['query', 'run', 'no-such-query', '--workspace', ws],
        /no file and no library query named no-such-query/,
      ],
      [['query', 'run', 'user-trace', '--workspace', ws], /needs --param User=/],
      [['query', 'run', 'top-errors', '--workspace', ws, '--param', 'Colour=red'], /has no parameter Colour/],
      [
        ['query', 'run', 'top-errors', '--workspace', ws, '--since', '7d', '--from', '2026-01-01'],
        /either --since or --from/,
      ],
      [
        ['query', 'run', 'quarantined-now', '--workspace', ws, '--since', '7d'],
        /has no time range parameter/,
      ],
    ] as const) {
      const result = provlog([...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('provlog report', () => {
  it('lists the reports', () => {
    const list = JSON.parse(ok(['report', 'list', '--json']).stdout) as { id: string }[];
    expect(list.map((r) => r.id).sort()).toEqual([
      'app-detail',
      'changes-audit',
      'provisioning-health',
      'quarantine',
      'user-trace',
    ]);
  });

  it('runs every report in every format', () => {
    const params: Record<string, string[]> = {
      'app-detail': ['--param', 'App=Box'],
      'user-trace': ['--param', `User=${HOSTILE}`],
    };
    for (const id of ['provisioning-health', 'app-detail', 'user-trace', 'quarantine', 'changes-audit']) {
      const base = ['report', 'run', id, '--workspace', ws, '--now', END, ...(params[id] ?? [])];
      const html = join(dir, `${id}.html`);
      expect(ok([...base, '-o', html]).stdout.trim()).toBe(html);
      expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
      const json = JSON.parse(ok([...base, '--format', 'json']).stdout) as ReportResult;
      expect(json.report.id).toBe(id);
      expect(json.window.to).toBe(END);
      const md = ok([...base, '--format', 'md']).stdout;
      expect(md).toContain(`# ${json.report.title}`);
      const csvDir = join(dir, `${id}-csv`);
      const files = ok([...base, '--format', 'csv', '-o', csvDir])
        .stdout.trim()
        .split('\n');
      expect(files.length).toBe(json.sections.filter((s) => s.kind !== 'text').length);
      for (const file of files) expect(existsSync(file)).toBe(true);
    }
  });

  it('writes CSV that a spreadsheet cannot turn into a formula', () => {
    const csvDir = join(dir, 'changes-audit-csv');
    const file = readdirSync(csvDir).find((f) => f.endsWith('attributes.csv'))!;
    const rows = parse(readFileSync(join(csvDir, file), 'utf8')) as string[][];
    const cells = rows.flat();
    expect(cells.some((c) => c.startsWith("'=HYPERLINK("))).toBe(true);
    expect(cells.filter((c) => /^[=+@]/.test(c))).toEqual([]);
  });

  it('warns when the window is longer than the data it can see', () => {
    const since = (window: string) =>
      provlog([
        'report',
        'run',
        'quarantine',
        '--workspace',
        ws,
        '--now',
        END,
        '--since',
        window,
        '--format',
        'json',
      ]);
    const result = since('90d');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /warning: The window starts 2026-03-03 .* holds provisioning logs only from 2026-05-12/,
    );
    expect((JSON.parse(result.stdout) as ReportResult).warnings).toHaveLength(1);
    const inside = since('7d');
    expect(inside.stderr).toBe('');
    // The generated logs start minutes after the 20-day window does: no warning for that.
    expect(since('20d').stderr).toBe('');
    expect(since('22d').stderr).toMatch(/warning: The window starts 2026-05-10/);
  });

  it('needs the parameters a report requires', () => {
    const result = provlog(['report', 'run', 'user-trace', '--workspace', ws]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/report user-trace needs --param User=/);
  });
});

describe('HTML reports in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string) {
    const page = await browser.newPage();
    const events: string[] = [];
    page.on('dialog', (dialog) => {
      events.push(`dialog ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('console', (message) => events.push(`console ${message.type()} ${message.text()}`));
    page.on('pageerror', (error) => events.push(`error ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file://')) events.push(`request ${request.url()}`);
    });
    await page.goto(`file://${file}`);
    return { page, events };
  }

  it('shows headline numbers, charts and tables of the health report', async () => {
    const json = JSON.parse(
      ok(['report', 'run', 'provisioning-health', '--workspace', ws, '--now', END, '--format', 'json'])
        .stdout,
    ) as ReportResult;
    const { page, events } = await open(join(dir, 'provisioning-health.html'));
    const charts = json.sections.filter((s) => s.kind === 'chart' && s.table.rows.length > 0);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const chart of charts) {
      const marks = await page.locator(`#${chart.id} svg path, #${chart.id} svg rect`).count();
      expect(marks, chart.id).toBeGreaterThan(5);
    }
    const tiles = await page.locator('.tile').allTextContents();
    expect(tiles.join(' ')).toMatch(/Events\s*[\d,]+/);
    const table = json.sections.find((s) => s.id === 'success-rate');
    if (table?.kind !== 'table') throw new Error('no success-rate table');
    expect(await page.locator('#success-rate tbody tr').count()).toBe(table.table.rows.length);
    expect(await page.locator('body').textContent()).toContain('Last 30 days');
    expect(events).toEqual([]);
    await page.close();
  });

  it('shows names from the HR feed as text: markup in them runs nothing', async () => {
    const { page, events } = await open(join(dir, 'user-trace.html'));
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain(HOSTILE);
    expect(await page.locator('#trace tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('img, script, iframe, object, embed').count()).toBe(0);
    expect(
      await page.evaluate(() => document.querySelectorAll('[onerror], [onload], [onclick]').length),
    ).toBe(0);
    await page.waitForTimeout(200);
    expect(events).toEqual([]);
    await page.close();

    const changes = await open(join(dir, 'changes-audit.html'));
    expect((await changes.page.locator('body').textContent()) ?? '').toContain(
      '<script>alert(1)</script> Test',
    );
    expect(await changes.page.locator('img, script').count()).toBe(0);
    expect(changes.events).toEqual([]);
    await changes.page.close();
  });
});
