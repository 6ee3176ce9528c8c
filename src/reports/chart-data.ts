/**
 * From a result table and a ChartSpec to the points a chart draws: Kusto `render` defaults for the
 * columns, cells converted to numbers, and long tails of series or categories folded into "Other".
 */
import { isNumericType, numericValue, parseUtcDatetime } from './cells.js';
import type { ChartKind, ChartSpec, ResultColumn, ResultTable } from './model.js';

/** More series or bars than this are unreadable: the smallest by total are summed into one. */
export const MAX_CATEGORIES = 20;

export type XScale = 'time' | 'number' | 'category';

export interface ChartPoint {
  /** Epoch milliseconds, a number, or a category label. */
  x: number | string;
  y: number;
  /** Series name; '' when the chart has a single series. */
  series: string;
}

export interface ChartData {
  kind: ChartKind;
  /** Area charts only: layers stacked instead of overlapping. */
  stacked: boolean;
  xScale: XScale;
  xTitle: string;
  yTitle: string;
  /** The value columns' names. */
  yNames: string[];
  /** Legend title; '' when the series are the value columns themselves. */
  seriesTitle: string;
  /** Series names in drawing order ('Other …' last, provisioning results in RESULTS order). */
  series: string[];
  /** Category labels in drawing order for category x scales. */
  categories: string[];
  /** The label of the category the smallest categories were folded into, and how many went in. */
  otherCategory?: string;
  foldedCategories: number;
  /** The same for series. */
  otherSeries?: string;
  foldedSeries: number;
  /** Time scales: the smallest gap between two x values (the bin size, for column widths), in ms. */
  xStep?: number;
  points: ChartPoint[];
}

/**
 * Provisioning results: series of exactly these names are drawn in this order (the first on top of
 * a stack, so that successes stand on the axis) and in their own colours.
 */
export const RESULTS: readonly string[] = ['Skipped', 'Failure', 'Warning', 'Success'];

/** True when every name is a provisioning result (`Success`, `Failure`, …) and there is one at least. */
export function areResults(names: string[]): boolean {
  return names.length > 0 && names.every((name) => RESULTS.includes(name));
}

function resultOrder(names: string[]): string[] {
  return areResults(names) ? RESULTS.filter((name) => names.includes(name)) : names;
}

function smallestGap(points: ChartPoint[]): number | undefined {
  const xs = [...new Set(points.map((p) => Number(p.x)))].sort((a, b) => a - b);
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
  return Number.isFinite(gap) ? gap : undefined;
}

const TIME_KINDS: ReadonlySet<ChartKind> = new Set(['timechart', 'linechart', 'areachart']);

function findColumn(columns: ResultColumn[], name: string | undefined): ResultColumn | undefined {
  return name === undefined ? undefined : columns.find((c) => c.name === name);
}

function requireColumn(columns: ResultColumn[], name: string): ResultColumn {
  const column = findColumn(columns, name);
  if (!column) throw new Error(`chart column ${JSON.stringify(name)} is not in the result`);
  return column;
}

function defaultX(kind: ChartKind, columns: ResultColumn[]): ResultColumn | undefined {
  const firstOf = (type: string) => columns.find((c) => c.type === type);
  const byPreference = TIME_KINDS.has(kind)
    ? [firstOf('datetime'), firstOf('string')]
    : [firstOf('string'), firstOf('datetime')];
  return byPreference.find((c) => c !== undefined) ?? columns[0];
}

interface ResolvedColumns {
  x: ResultColumn;
  y: ResultColumn[];
  series?: ResultColumn;
}

/** The chart's columns: the spec's, else Kusto `render`'s defaults. Throws when nothing can be drawn. */
export function resolveColumns(table: ResultTable, chart: ChartSpec): ResolvedColumns {
  const { columns } = table;
  const x = chart.x !== undefined ? requireColumn(columns, chart.x) : defaultX(chart.kind, columns);
  if (!x) throw new Error('a chart needs at least one column');
  const series =
    chart.series !== undefined
      ? requireColumn(columns, chart.series)
      : columns.find((c) => c.type === 'string' && c !== x);
  const y =
    chart.y !== undefined
      ? chart.y.map((name) => requireColumn(columns, name))
      : columns.filter((c) => isNumericType(c.type) && c !== x && c !== series);
  if (y.length === 0) throw new Error('a chart needs a numeric value column');
  // A pie has one ring: the first value column sizes its slices, and there are no series.
  if (chart.kind === 'piechart') return { x, y: y.slice(0, 1) };
  // Several value columns are the series themselves unless the spec names a series column: rows
  // that share x (one per app, say) are summed.
  if (y.length > 1 && chart.series === undefined) return { x, y };
  return { x, y, series };
}

function xScaleOf(kind: ChartKind, x: ResultColumn): XScale {
  // Columns over time bins stand on a time axis; horizontal bars and pies keep categories.
  if (kind === 'barchart' || kind === 'piechart') return 'category';
  if (x.type === 'datetime') return 'time';
  if (kind === 'columnchart') return 'category';
  return isNumericType(x.type) ? 'number' : 'category';
}

function categoryLabel(cell: unknown): string {
  if (cell === null || cell === undefined) return '(null)';
  if (cell === '') return '(empty)';
  return String(cell);
}

/** A label for the folded rest that no real series or category already uses. */
function otherLabel(count: number, taken: ReadonlySet<string>): string {
  let label = `Other (${count})`;
  while (taken.has(label)) label = `(${label})`;
  return label;
}

/** Keeps the `limit` keys with the largest absolute totals, in their first-seen order. */
function largestKeys(points: ChartPoint[], keyOf: (p: ChartPoint) => string, limit: number): Set<string> {
  const totals = new Map<string, number>();
  for (const p of points) totals.set(keyOf(p), (totals.get(keyOf(p)) ?? 0) + Math.abs(p.y));
  if (totals.size <= limit) return new Set(totals.keys());
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  return new Set(ranked.map(([key]) => key));
}

/** Sums points that share x and series (duplicates, and everything folded into "Other"). */
function sumDuplicates(points: ChartPoint[]): ChartPoint[] {
  const byKey = new Map<string, ChartPoint>();
  for (const p of points) {
    const key = JSON.stringify([typeof p.x, p.x, p.series]);
    const seen = byKey.get(key);
    if (seen) seen.y += p.y;
    else byKey.set(key, { ...p });
  }
  return [...byKey.values()];
}

function firstSeen(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

interface Folded {
  points: ChartPoint[];
  order: string[];
  label?: string;
  count: number;
}

/** Folds every key beyond the largest MAX_CATEGORIES into one "Other" key, placed last. */
function foldSmallest(
  points: ChartPoint[],
  get: (p: ChartPoint) => string,
  set: (p: ChartPoint, key: string) => ChartPoint,
): Folded {
  const order = firstSeen(points.map(get));
  const kept = largestKeys(points, get, MAX_CATEGORIES);
  if (kept.size === order.length) return { points, order, count: 0 };
  const count = order.length - kept.size;
  const label = otherLabel(count, kept);
  return {
    points: sumDuplicates(points.map((p) => (kept.has(get(p)) ? p : set(p, label)))),
    order: [...order.filter((key) => kept.has(key)), label],
    label,
    count,
  };
}

function tablePoints(table: ResultTable, columns: ResolvedColumns, xScale: XScale): ChartPoint[] {
  const { x, y, series } = columns;
  const xIndex = table.columns.indexOf(x);
  const seriesIndex = series ? table.columns.indexOf(series) : -1;
  const yIndexes = y.map((c) => table.columns.indexOf(c));
  const points: ChartPoint[] = [];
  for (const row of table.rows) {
    const xCell = row[xIndex];
    let xValue: number | string | null;
    if (xScale === 'time') xValue = typeof xCell === 'string' ? parseUtcDatetime(xCell) : null;
    else if (xScale === 'number') xValue = numericValue(xCell, x.type);
    else xValue = x.type === 'datetime' && typeof xCell === 'string' ? xCell : categoryLabel(xCell);
    if (xValue === null) continue;
    const seriesName = seriesIndex >= 0 ? categoryLabel(row[seriesIndex]) : '';
    yIndexes.forEach((index, i) => {
      const value = numericValue(row[index], y[i].type);
      if (value === null) return;
      // Several value columns are folded into series named after them (combined with a series column).
      let name = seriesName;
      if (y.length > 1) name = series ? `${seriesName} · ${y[i].name}` : y[i].name;
      points.push({ x: xValue, y: value, series: name });
    });
  }
  return points;
}

/** Datetime categories (bars over time bins) are drawn in time order, labelled without the `T`. */
function timeCategories(points: ChartPoint[]): ChartPoint[] {
  const sorted = points
    .map((p) => ({ p, t: parseUtcDatetime(String(p.x)) ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.t - b.t);
  const allMidnight = sorted.every(({ t }) => !Number.isFinite(t) || t % 86_400_000 === 0);
  return sorted.map(({ p, t }) => {
    if (!Number.isFinite(t)) return p;
    const iso = new Date(t).toISOString();
    return { ...p, x: allMidnight ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}` };
  });
}

function yTitleOf(chart: ChartSpec, y: ResultColumn[]): string {
  if (chart.yTitle !== undefined) return chart.yTitle;
  if (y.length !== 1) return '';
  return y[0].type === 'timespan' ? `${y[0].name} (seconds)` : y[0].name;
}

export function chartData(table: ResultTable, chart: ChartSpec): ChartData {
  const columns = resolveColumns(table, chart);
  const xScale = xScaleOf(chart.kind, columns.x);
  let points = tablePoints(table, columns, xScale);
  if (xScale === 'category' && columns.x.type === 'datetime') points = timeCategories(points);
  points = sumDuplicates(points);

  const noFolding = (keys: string[]): Folded => ({ points, order: firstSeen(keys), count: 0 });
  let categories: Folded = noFolding([]);
  if (xScale === 'category') {
    const keyOf = (p: ChartPoint) => String(p.x);
    // Time bins are all drawn; named categories are ranked.
    categories =
      columns.x.type === 'datetime'
        ? noFolding(points.map(keyOf))
        : foldSmallest(points, keyOf, (p, x) => ({ ...p, x }));
    points = categories.points;
  }
  let series: Folded = noFolding([]);
  if (points.some((p) => p.series !== '')) {
    series = foldSmallest(
      points,
      (p) => p.series,
      (p, name) => ({ ...p, series: name }),
    );
    points = series.points;
  }
  return {
    kind: chart.kind,
    stacked: chart.stacked ?? false,
    xScale,
    xTitle: chart.xTitle ?? columns.x.name,
    yTitle: yTitleOf(chart, columns.y),
    yNames: columns.y.map((c) => c.name),
    seriesTitle: columns.series && columns.y.length === 1 ? columns.series.name : '',
    series: resultOrder(series.order),
    categories: categories.order,
    otherCategory: categories.label,
    foldedCategories: categories.count,
    otherSeries: series.label,
    foldedSeries: series.count,
    xStep: xScale === 'time' ? smallestGap(points) : undefined,
    points,
  };
}
