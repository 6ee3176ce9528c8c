import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, ReportResult, ReportSection, ResultColumn } from '../../src/reports/model.js';
import { renderHtml } from '../../src/reports/render-html.js';
import { HOSTILE, hostileReport, USERS_TABLE } from './fixture.js';

/** Debian's chromium: the tests never download a browser. `.ci/run` installs it. */
const CHROMIUM = process.env.PROVLOG_CHROMIUM ?? '/usr/bin/chromium';

interface Loaded {
  page: Page;
  url: string;
  requests: string[];
  dialogs: string[];
  consoleErrors: string[];
}

let browser: Browser;
let result: ReportResult;
let html: string;
let loaded: Loaded;

async function open(file: string): Promise<Loaded> {
  const page = await browser.newPage();
  const url = pathToFileURL(file).href;
  const seen: Loaded = { page, url, requests: [], dialogs: [], consoleErrors: [] };
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => seen.consoleErrors.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
  return seen;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  result = hostileReport();
  html = await renderHtml(result);
  const file = join(mkdtempSync(join(tmpdir(), 'provlog-html-')), 'report.html');
  writeFileSync(file, html);
  loaded = await open(file);
}, 60_000);

afterAll(async () => {
  await browser?.close();
}, 60_000);

const ERROR_CODES = [
  'SystemForCrossDomainIdentityManagementCredentialValidationFailure',
  'UnableToResolveReferenceAttributeValue',
  'HybridSynchronizationActiveDirectoryInsufficientAccessRights',
  'Timeout',
];
const APPS = ['Box', 'Dropbox Business', 'Workday to Active Directory User Provisioning', 'tailspin.local'];

/** A wide table like the top-errors section (codes, lists, sentences), and one of day bins and job ids. */
function wideTablesReport(): ReportResult {
  const report = hostileReport();
  const errors = ERROR_CODES.map((code, i) => [
    code,
    1000 * (i + 1),
    i + 1,
    JSON.stringify(APPS.slice(0, i + 1)),
    `2026-11-2${i}T13:03:32.668147${i}Z`,
    'A referenced object (manager, group member) was not found in the target system',
    `Assign the referenced user to the application or wait until the user is provisioned ${HOSTILE.img}`,
  ]);
  const jobs = APPS.map((app, i) => [
    `2026-11-0${i + 1}T00:00:00Z`,
    app,
    `${app.replace(/\W/g, '')}OutDelta.213777a7705a48f3b54149a5e7904c65.149e4835-21aa-4b40-ba7c-320a59545bac`,
    `${i + 1}.22:53:59.1234567`,
  ]);
  const section = (id: string, columns: ResultColumn[], rows: Cell[][]): ReportSection => ({
    kind: 'table',
    id,
    title: id,
    query: { id, version: '1.0.0' },
    table: { columns, rows },
    totalRows: rows.length,
    emptyMessage: '',
  });
  report.sections = [
    section(
      'top-errors',
      [
        { name: 'ErrorCode', type: 'string' },
        { name: 'Failures', type: 'long' },
        { name: 'Objects', type: 'long' },
        { name: 'Apps', type: 'dynamic' },
        { name: 'LastSeen', type: 'datetime' },
        { name: 'Meaning', type: 'string' },
        { name: 'RecommendedAction', type: 'string' },
      ],
      errors,
    ),
    section(
      'jobs',
      [
        { name: 'Day', type: 'datetime' },
        { name: 'App', type: 'string' },
        { name: 'JobId', type: 'string' },
        { name: 'SilentFor', type: 'timespan' },
      ],
      jobs,
    ),
    section(
      'odd',
      [
        { name: 'When', type: 'datetime' },
        { name: 'Took', type: 'timespan' },
      ],
      [[HOSTILE.img, HOSTILE.script]],
    ),
  ];
  return report;
}

describe('renderHtml table layout at 1280px', () => {
  let page: Page;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'provlog-html-')), 'wide.html');
    writeFileSync(file, await renderHtml(wideTablesReport()));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  const cells = (table: string, n: number) => page.locator(`#${table} tbody tr td:nth-child(${n})`);
  const headerWidth = (name: string) =>
    page
      .locator('#top-errors th')
      .filter({ hasText: name })
      .evaluate((th) => th.getBoundingClientRect().width);
  /** Lines of text in each cell of a column. */
  const lineCounts = (table: string, n: number) =>
    cells(table, n).evaluateAll((tds) =>
      tds.map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      }),
    );

  it('fits the page without scrolling sideways', async () => {
    const overflow = await page
      .locator('.table-wrap')
      .evaluateAll((wraps) => wraps.map((w) => w.scrollWidth - w.clientWidth));
    expect(overflow).toEqual([0, 0, 0]);
  });

  it('shows datetimes and timespans that are not as text, escaped', async () => {
    expect(await page.locator('#odd tbody td').allTextContents()).toEqual([HOSTILE.img, HOSTILE.script]);
    expect(await page.locator('#odd img, #odd script, #odd [title]').count()).toBe(0);
  });

  it('gives sentences a readable width and keeps numbers, datetimes and durations on one line', async () => {
    expect(await headerWidth('Meaning')).toBeGreaterThanOrEqual(16 * 13);
    expect(await headerWidth('RecommendedAction')).toBeGreaterThanOrEqual(16 * 13);
    expect(await lineCounts('top-errors', 2)).toEqual([1, 1, 1, 1]);
    expect(await lineCounts('top-errors', 5)).toEqual([1, 1, 1, 1]);
    expect(await lineCounts('jobs', 4)).toEqual([1, 1, 1, 1]);
    const alignments = await page
      .locator('#top-errors tbody tr:first-child td')
      .evaluateAll((tds) => tds.map((td) => getComputedStyle(td).textAlign));
    expect(alignments.slice(0, 3)).toEqual(['left', 'right', 'right']);
  });

  it('shows lists as lists, datetimes to the second, day bins as dates and durations in units', async () => {
    expect(await cells('top-errors', 4).allTextContents()).toEqual(
      APPS.map((_, i) => APPS.slice(0, i + 1).join(', ')),
    );
    expect(await cells('top-errors', 5).first().textContent()).toBe('2026-11-20 13:03:32Z');
    expect(await cells('top-errors', 5).first().getAttribute('title')).toBe('2026-11-20T13:03:32.6681470Z');
    expect(await cells('jobs', 1).allTextContents()).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
    ]);
    expect(await cells('jobs', 4).allTextContents()).toEqual(['1d 22h', '2d 22h', '3d 22h', '4d 22h']);
    expect(await cells('jobs', 4).first().getAttribute('title')).toBe('1.22:53:59.1234567');
  });

  it('breaks long codes between their words, hex ids anywhere, and short words never', async () => {
    // The text is unchanged: break opportunities are <wbr> elements.
    expect(await cells('top-errors', 1).allTextContents()).toEqual(ERROR_CODES);
    const code = cells('top-errors', 1).first();
    expect(await code.locator('wbr').count()).toBeGreaterThan(3);
    expect(await code.getAttribute('class')).toBeNull();
    expect(await cells('jobs', 3).first().getAttribute('class')).toBe('break-anywhere');
    expect(await page.locator('td.break-anywhere').count()).toBe(APPS.length);
    // Words stay whole: no cell is narrower than its content, and "Business" is on one line.
    const clipped = await page
      .locator('td')
      .evaluateAll((tds) => tds.filter((td) => td.scrollWidth > td.clientWidth).length);
    expect(clipped).toBe(0);
    const words = await cells('top-errors', 4).evaluateAll((tds) =>
      tds.flatMap((td) => {
        const text = td.firstChild;
        if (!text) return [];
        const range = document.createRange();
        const at = (text.textContent ?? '').indexOf('Business');
        if (at < 0) return [];
        range.setStart(text, at);
        range.setEnd(text, at + 'Business'.length);
        return [range.getClientRects().length];
      }),
    );
    expect(words).toEqual([1, 1, 1]);
    expect(await page.locator('body').textContent()).toContain(HOSTILE.img);
  });
});

describe('renderHtml in Chromium', () => {
  it('runs nothing and fetches nothing', async () => {
    const { page } = loaded;
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img, script, iframe, object, embed, link').count()).toBe(0);
    const handlerAttributes = await page.evaluate(() =>
      [...document.querySelectorAll('*')].flatMap((el) =>
        el.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on')),
      ),
    );
    expect(handlerAttributes).toEqual([]);
    expect(loaded.dialogs).toEqual([]);
    expect(loaded.consoleErrors).toEqual([]);
    expect(loaded.requests).toEqual([loaded.url]);
  });

  it('has no script and no external URL in the source, and a strict CSP', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:|\/\/)/i);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
  });

  it('shows hostile strings as visible text', async () => {
    const text = (await loaded.page.locator('body').textContent()) ?? '';
    expect(text).toContain('<img src=x onerror=');
    expect(text).toContain(HOSTILE.img);
    expect(text).toContain(HOSTILE.script);
    expect(text).toContain(HOSTILE.quotes);
    expect(text).toContain(HOSTILE.unicode);
    expect(await loaded.page.title()).toBe(result.report.title);
    // Warnings, parameters and the source location are escaped too.
    expect(await loaded.page.locator('.warnings').textContent()).toContain(HOSTILE.img);
    expect(await loaded.page.locator('.meta').textContent()).toContain('/home/admin/<b>workspace</b>');
  });

  it('gives every section its id and kind, in order', async () => {
    const sections = await loaded.page
      .locator('section')
      .evaluateAll((nodes) => nodes.map((n) => [n.id, n.getAttribute('data-section-kind')]));
    expect(sections).toEqual(result.sections.map((s) => [s.id, s.kind]));
  });

  it('draws one SVG with marks per chart section that has rows', async () => {
    const charted = result.sections.filter((s) => s.kind === 'chart' && s.table.rows.length > 0);
    expect(charted.length).toBe(3);
    expect(await loaded.page.locator('svg').count()).toBe(charted.length);
    for (const section of charted) {
      const svg = loaded.page.locator(`section#${section.id} figure svg`);
      expect(await svg.count()).toBe(1);
      const marks = await svg.locator('.role-mark path, .role-mark line').count();
      expect(marks).toBeGreaterThan(0);
    }
    // The bar chart has one bar per category, each labelled with the hostile name as text.
    const bars = loaded.page.locator('section#failures-by-app svg .role-mark path');
    expect(await bars.count()).toBe(4);
    const labels = await loaded.page.locator('section#failures-by-app svg text').allTextContents();
    expect(labels.join('\n')).toContain('"quoted" & \'single\'');
  });

  it('renders tables with their header and rows, formatted', async () => {
    const table = loaded.page.locator('section#recent-failures table');
    expect(await table.locator('thead th').allTextContents()).toEqual(USERS_TABLE.columns.map((c) => c.name));
    expect(await table.locator('tbody tr').count()).toBe(USERS_TABLE.rows.length);
    const firstRow = await table.locator('tbody tr').first().locator('td').allTextContents();
    expect(firstRow).toEqual([
      '2026-11-27 10:06:32Z',
      HOSTILE.img,
      '1,234,567',
      '1.5s',
      '{"a":[1,2]}',
      'true',
    ]);
    // The exact values show on hover.
    const titles = await table
      .locator('tbody tr')
      .nth(1)
      .locator('td')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('title')));
    expect(titles).toEqual(['2026-11-27T10:07:00.1230000Z', null, null, '1.02:03:04', null, null]);
    const durations = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(durations).toEqual(['1.5s', '1d 2h', '-5s', '', '1m', '0s']);
    const events = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(events).toEqual(['1,234,567', '-42', '9,007,199,254,740,993', '0', '7', '']);
    const align = await table
      .locator('tbody tr td:nth-child(3)')
      .first()
      .evaluate((td) => getComputedStyle(td).textAlign);
    expect(align).toBe('right');
    expect(await loaded.page.locator('section#recent-failures').textContent()).toContain(
      'Showing 6 of 250 rows.',
    );
  });

  it('shows empty messages instead of empty tables and charts', async () => {
    expect(await loaded.page.locator('section#quarantined table').count()).toBe(0);
    expect(await loaded.page.locator('section#quarantined .empty').textContent()).toBe(
      `No job is quarantined ${HOSTILE.script}`,
    );
    expect(await loaded.page.locator('section#empty-chart svg').count()).toBe(0);
    expect(await loaded.page.locator('section#empty-chart .empty').textContent()).toBe(
      'Nothing was skipped.',
    );
  });

  it('renders headline tiles and the text subset', async () => {
    const values = await loaded.page.locator('section#headline .tile-value').allTextContents();
    expect(values).toEqual(['12,345,678', '17events', '99.86%', HOSTILE.formula]);
    expect(await loaded.page.locator('section#headline .tile.tone-bad .tile-label').textContent()).toBe(
      `Failures ${HOSTILE.img}`,
    );
    const intro = loaded.page.locator('section#intro');
    expect(await intro.locator('strong').allTextContents()).toEqual(['every']);
    expect(await intro.locator('code').allTextContents()).toEqual(['AADProvisioningLogs']);
    expect(await intro.locator('li').allTextContents()).toEqual(['first item', `second ${HOSTILE.img}`]);
    expect(await intro.locator('p').count()).toBe(2);
  });

  it('names the query behind each section and the report metadata', async () => {
    for (const section of result.sections) {
      if (section.kind === 'text') continue;
      const ref = `${section.query.id}@${section.query.version}`;
      expect(await loaded.page.locator(`section#${section.id} .query-ref`).textContent()).toContain(ref);
      expect(await loaded.page.locator('footer').textContent()).toContain(ref);
    }
    const meta = (await loaded.page.locator('.meta').textContent()) ?? '';
    expect(meta).toContain('Last 30 days');
    expect(meta).toContain('2026-10-28 00:00:00Z');
    expect(meta).toContain('2026-09-01 00:00:00Z');
    expect(meta).toContain('2026-11-27 10:15:00Z');
    expect(meta).toContain('0.1.0');
  });
});
