/**
 * A report as one self-contained HTML file: inline style and SVG, no script, nothing fetched, and a
 * Content-Security-Policy that would block both if anything slipped through. Every string from the
 * result is escaped: names come from HR feeds and may hold markup.
 */
import {
  displayCell,
  displayValue,
  formatDatetime,
  isDayColumn,
  isNumericType,
  stringListItems,
} from './cells.js';
import { chartCaption, chartSvg } from './charts.js';
import { escapeHtml } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';
import { markdownSubsetToHtml } from './markdown-subset.js';
import type {
  ChartSpec,
  QueryRef,
  ReportResult,
  ReportSection,
  ResultColumn,
  ResultTable,
  Tile,
} from './model.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

type Section<K extends ReportSection['kind']> = Extract<ReportSection, { kind: K }>;

const esc = escapeHtml;

function queryLabel(query: QueryRef): string {
  return `${query.id}@${query.version}`;
}

function timeRange(from: string, to: string): string {
  return `${esc(formatDatetime(from))} – ${esc(formatDatetime(to))}`;
}

function sourceHtml(result: ReportResult): string {
  const { source } = result;
  const kind = source.kind === 'local' ? 'Local workspace' : 'Log Analytics workspace';
  let held = '';
  if (source.dataFrom !== undefined || source.dataTo !== undefined) {
    held = `<br><span class="sub">Data held: ${timeRange(source.dataFrom ?? '…', source.dataTo ?? '…')}</span>`;
  }
  return `${kind} <code>${esc(source.location)}</code>${held}`;
}

function metaHtml(result: ReportResult): string {
  const rows: [string, string][] = [
    [
      'Time window',
      `${esc(result.window.label)}<br><span class="sub">${timeRange(result.window.from, result.window.to)}</span>`,
    ],
    ['Data source', sourceHtml(result)],
  ];
  if (result.parameters.length > 0) {
    const items = result.parameters.map((p) => `<li><strong>${esc(p.name)}</strong>: ${esc(p.value)}</li>`);
    rows.push(['Parameters', `<ul>${items.join('')}</ul>`]);
  }
  rows.push(
    ['Generated', esc(formatDatetime(result.generatedAt))],
    ['Query clock (now)', esc(formatDatetime(result.now))],
    ['provlog', esc(result.provlogVersion)],
  );
  return `<dl class="meta">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function warningsHtml(warnings: string[]): string {
  if (warnings.length === 0) return '';
  const title = warnings.length === 1 ? 'Warning' : `${warnings.length} warnings`;
  return (
    `<aside class="warnings" role="note"><h2>${title}</h2>` +
    `<ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></aside>`
  );
}

/** Words longer than this get break opportunities: error codes, job ids, e-mail addresses, JSON. */
const LONG_TOKEN = 18;
/** A piece still longer than this after those opportunities may break anywhere (hex ids). */
const LONG_PIECE = 24;
/** Where a long word may break: after punctuation, and between a small letter and a capital. */
const BREAK_POINT = /(?<=[._\-/\\@:,;=&?+|])(?=.)|(?<=\p{Ll})(?=\p{Lu})/u;

/** A word split where it may break; words of up to LONG_TOKEN characters stay whole. */
function wordPieces(word: string): string[] {
  return word.length <= LONG_TOKEN ? [word] : word.split(BREAK_POINT);
}

interface BreakableHtml {
  html: string;
  /** Some piece is too long to fit a column: the cell needs `overflow-wrap: anywhere`. */
  anywhere: boolean;
}

/** Escaped text with `<wbr>` inside long words, so that a cell wraps at sensible places only. */
function breakableHtml(text: string): BreakableHtml {
  let anywhere = false;
  const html = text
    .split(/(\s+)/)
    .map((word) => {
      const pieces = wordPieces(word);
      if (pieces.some((piece) => piece.length > LONG_PIECE)) anywhere = true;
      return pieces.map(esc).join('<wbr>');
    })
    .join('');
  return { html, anywhere };
}

/** Long column names may wrap where their words meet (`Median` `Events` `Per` `Cycle`). */
function headerPieces(name: string): string[] {
  return name.length < 10 ? [name] : name.split(/(?<=\p{Ll})(?=\p{Lu})/u);
}

type Cell = ResultTable['rows'][number][number];

/**
 * How a column is laid out: its cells' kind, and the least width (in em of the table's font) that
 * keeps its text readable. Tables use the automatic layout; these minimums only stop the browser
 * from squeezing sentences into a word-wide column.
 */
interface ColumnLayout {
  column: ResultColumn;
  kind: 'num' | 'duration' | 'datetime' | 'flag' | 'text' | 'list' | 'json';
  /** A datetime column of day bins shows dates only. */
  dateOnly: boolean;
  /** The width class its text asks for (see WIDTH_STEPS); none for short text. */
  wants?: Width;
  /** The width its longest unbreakable text needs anyway, padding included. */
  naturalEm: number;
  /** The min-width it gets (0: none), once the table's columns are balanced against the page. */
  minEm: number;
}

/** Texts this long with this many words are sentences; shorter long texts are names or lists. */
const PROSE_LENGTH = 60;
const PROSE_WORDS = 6;
const WIDE_LENGTH = 28;
/** Rough width of a character and of a cell's padding, in em of the table's 13px font. */
const CHAR_EM = 0.55;
const PADDING_EM = 1.6;
/** The page's content width in em of the table font (1076px at 13px): more than this scrolls. */
const TABLE_EM = 82;
/**
 * Sentences want a prose width; lists of names a little less; ids that break anywhere enough not to
 * break every few characters; other long text (names, codes) a wide one, though it can do without:
 * it wraps between words anyway.
 */
type Width = 'prose' | 'list' | 'id' | 'wide';
/** Minimum widths in em, most generous first: a table gets the first step with which it fits. */
const WIDTH_STEPS: Record<Width, number>[] = [
  { prose: 16, list: 12, id: 9, wide: 9 },
  { prose: 16, list: 9, id: 9, wide: 6 },
  { prose: 12, list: 9, id: 9, wide: 0 },
  { prose: 12, list: 7, id: 7, wide: 0 },
  { prose: 9, list: 6, id: 7, wide: 0 },
  { prose: 6, list: 6, id: 6, wide: 0 },
];

function columnKind(column: ResultColumn, cells: Cell[]): ColumnLayout['kind'] {
  if (isNumericType(column.type)) return 'num';
  switch (column.type) {
    case 'timespan':
      return 'duration';
    case 'datetime':
      return 'datetime';
    case 'bool':
      return 'flag';
    case 'dynamic':
      return cells.some((cell) => cell !== null && stringListItems(cell) === null) ? 'json' : 'list';
    default:
      return 'text';
  }
}

/** Characters of the longest piece of `text` that cannot break (pieces that break anywhere count 1). */
function unbreakableLength(text: string): number {
  let longest = 0;
  for (const word of text.split(/\s+/)) {
    for (const piece of wordPieces(word)) {
      longest = Math.max(longest, piece.length > LONG_PIECE ? 1 : piece.length);
    }
  }
  return longest;
}

function wants(kind: ColumnLayout['kind'], texts: string[]): Width | undefined {
  const sentence = (text: string) => text.length >= PROSE_LENGTH && text.split(/\s+/).length >= PROSE_WORDS;
  if (kind === 'text' && texts.some(sentence)) return 'prose';
  if (texts.every((text) => text.length < WIDE_LENGTH)) return undefined;
  if (kind === 'list') return 'list';
  return texts.some((text) => breakableHtml(text).anywhere) ? 'id' : 'wide';
}

function columnLayout(table: ResultTable, index: number): ColumnLayout {
  const column = table.columns[index];
  const cells = table.rows.map((row) => row[index] ?? null);
  const kind = columnKind(column, cells);
  const dateOnly = kind === 'datetime' && isDayColumn(cells);
  const texts = cells.map((cell) => displayCell(cell, column.type, { dateOnly }));
  const wraps = kind === 'text' || kind === 'list' || kind === 'json';
  const header = Math.max(...headerPieces(column.name).map((piece) => piece.length));
  const cellChars = texts.map((text) => (wraps ? unbreakableLength(text) : text.length));
  const naturalEm = Math.max(header, ...cellChars) * CHAR_EM + PADDING_EM;
  return { column, kind, dateOnly, wants: wraps ? wants(kind, texts) : undefined, naturalEm, minEm: 0 };
}

/** Gives columns the largest minimum widths with which the table still fits the page. */
function balanceWidths(layouts: ColumnLayout[]): void {
  const minFor = (layout: ColumnLayout, step: Record<Width, number>) =>
    layout.wants ? step[layout.wants] : 0;
  const fits = (step: Record<Width, number>) =>
    layouts.reduce((sum, layout) => sum + Math.max(layout.naturalEm, minFor(layout, step)), 0) <= TABLE_EM;
  const step = WIDTH_STEPS.find(fits) ?? WIDTH_STEPS[WIDTH_STEPS.length - 1];
  for (const layout of layouts) layout.minEm = minFor(layout, step);
}

function headerCellHtml(layout: ColumnLayout): string {
  const classes = [
    layout.kind === 'num' || layout.kind === 'duration' ? 'num' : '',
    layout.minEm > 0 ? `min-${layout.minEm}` : '',
  ].filter(Boolean);
  const classAttribute = classes.length > 0 ? ` class="${classes.join(' ')}"` : '';
  return `<th scope="col"${classAttribute}>${headerPieces(layout.column.name).map(esc).join('<wbr>')}</th>`;
}

function cellHtml(cell: Cell, layout: ColumnLayout): string {
  if (cell === null) return '<td class="null"></td>';
  const { column, kind } = layout;
  const text = displayCell(cell, column.type, { dateOnly: layout.dateOnly });
  switch (kind) {
    case 'num':
    case 'flag':
      return `<td class="${kind}">${esc(text)}</td>`;
    case 'duration':
    case 'datetime': {
      // The exact value, as the logs hold it, on hover.
      const exact = typeof cell === 'string' && cell !== text ? ` title="${esc(cell)}"` : '';
      // Where a datetime must wrap (print), it wraps between date and time, never at a hyphen.
      const parts = text.split(' ').map((part) => `<span class="part">${esc(part)}</span>`);
      return `<td class="${kind === 'duration' ? 'num duration' : 'datetime'}"${exact}>${parts.join(' ')}</td>`;
    }
    default: {
      const { html, anywhere } = breakableHtml(text);
      const classes = [kind === 'text' ? '' : kind, anywhere ? 'break-anywhere' : ''].filter(Boolean);
      const classAttribute = classes.length > 0 ? ` class="${classes.join(' ')}"` : '';
      return `<td${classAttribute}>${html}</td>`;
    }
  }
}

function tableHtml(table: ResultTable): string {
  const layouts = table.columns.map((_, i) => columnLayout(table, i));
  balanceWidths(layouts);
  const head = layouts.map(headerCellHtml).join('');
  const body = table.rows
    .map((row) => `<tr>${layouts.map((layout, i) => cellHtml(row[i] ?? null, layout)).join('')}</tr>`)
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function emptyHtml(message: string): string {
  return `<p class="empty">${esc(message)}</p>`;
}

function tableSection(section: Section<'table'>): string {
  if (section.table.rows.length === 0) return emptyHtml(section.emptyMessage);
  const shown = section.table.rows.length;
  const note =
    section.totalRows > shown
      ? `<p class="row-note">Showing ${shown.toLocaleString('en-US')} of ${section.totalRows.toLocaleString('en-US')} rows.</p>`
      : '';
  return tableHtml(section.table) + note;
}

/** Draws a chart's SVG; by default in this thread (a report run uses a worker thread, see ChartThread). */
export type ChartDrawer = (table: ResultTable, chart: ChartSpec) => Promise<string>;

async function chartSection(section: Section<'chart'>, draw: ChartDrawer): Promise<string> {
  if (section.table.rows.length === 0) return emptyHtml(section.emptyMessage);
  let svg: string;
  try {
    svg = await draw(section.table, section.chart);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `<p class="empty chart-error">The chart could not be drawn: ${esc(reason)}</p>`;
  }
  return `<figure>${svg}<figcaption>${esc(chartCaption(section.table, section.chart))}</figcaption></figure>`;
}

function tileHtml(tile: Tile): string {
  const unit = tile.unit ? `<span class="tile-unit">${esc(tile.unit)}</span>` : '';
  return (
    `<div class="tile tone-${esc(tile.tone ?? 'neutral')}"><p class="tile-label">${esc(tile.label)}</p>` +
    `<p class="tile-value${typeof tile.value === 'string' ? ' tile-text' : ''}">` +
    `${esc(displayValue(tile.value))}${unit}</p></div>`
  );
}

/** More tiles than fit a row are laid out in rows as full as possible (8 tiles: 4 and 4, not 5 and 3). */
function tilesClass(count: number): string {
  if (count <= 5) return 'tiles';
  const empty = (columns: number) => Math.ceil(count / columns) * columns - count;
  const columns = [6, 5, 4].reduce((best, c) => (empty(c) < empty(best) ? c : best));
  return `tiles tiles-${columns}`;
}

async function sectionBody(section: ReportSection, draw: ChartDrawer): Promise<string> {
  switch (section.kind) {
    case 'text':
      return markdownSubsetToHtml(section.markdown);
    case 'headline':
      return `<div class="${tilesClass(section.tiles.length)}">${section.tiles.map(tileHtml).join('')}</div>`;
    case 'table':
      return tableSection(section);
    case 'chart':
      return chartSection(section, draw);
  }
}

async function sectionHtml(section: ReportSection, draw: ChartDrawer): Promise<string> {
  const title = section.title ? `<h2>${esc(section.title)}</h2>` : '';
  const description = section.description
    ? `<p class="section-description">${esc(section.description)}</p>`
    : '';
  const query =
    section.kind === 'text'
      ? ''
      : `<p class="query-ref">Query <code>${esc(queryLabel(section.query))}</code></p>`;
  return (
    `<section id="${esc(section.id)}" class="section section-${esc(section.kind)}" ` +
    `data-section-kind="${esc(section.kind)}">\n` +
    `${title}${description}\n${await sectionBody(section, draw)}\n${query}\n</section>`
  );
}

function footerHtml(result: ReportResult): string {
  const produced = result.sections.flatMap((s) =>
    s.kind === 'text' ? [] : [`<li>${esc(s.title)}: <code>${esc(queryLabel(s.query))}</code></li>`],
  );
  const list =
    produced.length > 0 ? `<p>Queries that produced the sections:</p><ul>${produced.join('')}</ul>` : '';
  return (
    `<footer><p>Report <code>${esc(result.report.id)}@${esc(result.report.version)}</code>, generated by ` +
    `provlog ${esc(result.provlogVersion)} at ${esc(formatDatetime(result.generatedAt))}.</p>${list}</footer>`
  );
}

export async function renderHtml(
  result: ReportResult,
  options: { drawChart?: ChartDrawer } = {},
): Promise<string> {
  const draw = options.drawChart ?? chartSvg;
  // Started together: a drawer on another thread works through them while this one waits.
  const sections = await Promise.all(result.sections.map((section) => sectionHtml(section, draw)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="provlog ${esc(result.provlogVersion)}">
<title>${esc(result.report.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<div class="page">
<header>
<p class="report-kicker">provlog report</p>
<h1>${esc(result.report.title)}</h1>
<p class="report-description">${esc(result.report.description)}</p>
${metaHtml(result)}
</header>
${warningsHtml(result.warnings)}
<main>
${sections.join('\n')}
</main>
${footerHtml(result)}
</div>
</body>
</html>
`;
}
