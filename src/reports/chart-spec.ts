/**
 * The Vega-Lite spec for a chart's points. Data fields have fixed names (x, y, series): column names
 * and cell values only ever appear as data and titles, never inside Vega expressions.
 */
import type { TopLevelSpec } from 'vega-lite';
import { areResults, type ChartData, type ChartPoint } from './chart-data.js';

export const CHART_FONT = 'system-ui, sans-serif';
/** The HTML report's content is 1076px wide at most: the chart takes most of it. */
export const DEFAULT_CHART_WIDTH = 880;
export const DEFAULT_CHART_HEIGHT = 280;

/**
 * Okabe–Ito first (safe for the common colour-vision deficiencies), then Paul Tol's muted scheme for
 * charts with more series than that; the Okabe–Ito yellow is darkened to stay visible on white.
 */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#56B4E9',
  '#CC79A7',
  '#B8A200',
  '#332288',
  '#44AA99',
  '#882255',
  '#117733',
  '#999933',
  '#88CCEE',
  '#CC6677',
  '#AA4499',
  '#DDCC77',
  '#6699CC',
  '#661100',
  '#4B4B4B',
  '#AA7744',
];
const OTHER_COLOUR = '#B0B0B0';

/** Provisioning results in the colours people expect: success green, failure red, skipped neutral. */
export const RESULT_COLOURS: ReadonlyMap<string, string> = new Map([
  ['Success', '#2E9E5E'],
  ['Warning', '#E5A00D'],
  ['Failure', '#D64040'],
  ['Skipped', '#B4BCC6'],
]);
const TEXT_COLOUR = '#1F2933';
const MUTED_COLOUR = '#52606D';
const GRID_COLOUR = '#E4E7EB';

/** Legend and axis labels longer than this are shortened in the middle, keeping both ends. */
export const MAX_LABEL_LENGTH = 30;
/**
 * Vega measures text without a canvas here, at 0.8 em a character: the limit (in pixels) that lets
 * MAX_LABEL_LENGTH characters of 11px labels through.
 */
const LABEL_LIMIT = Math.ceil(0.8 * 11 * (MAX_LABEL_LENGTH + 1));

export interface ChartSize {
  width: number;
  height: number;
}

function colourScale(domain: string[], other: string | undefined) {
  if (areResults(domain)) return { domain, range: domain.map((name) => RESULT_COLOURS.get(name)) };
  let next = 0;
  const range = domain.map((name) => (name === other ? OTHER_COLOUR : PALETTE[next++ % PALETTE.length]));
  return { domain, range };
}

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelColor: MUTED_COLOUR,
    titleColor: TEXT_COLOUR,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    gridColor: GRID_COLOUR,
    domainColor: '#9AA5B1',
    tickColor: '#9AA5B1',
    labelLimit: LABEL_LIMIT,
  },
  legend: {
    labelColor: TEXT_COLOUR,
    titleColor: TEXT_COLOUR,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelLimit: LABEL_LIMIT,
    symbolType: 'square',
  },
} as const;

type Encoding = Record<string, unknown>;

function colourEncoding(data: ChartData): Encoding | undefined {
  if (data.series.length === 0) return undefined;
  return {
    color: {
      field: 'series',
      type: 'nominal',
      title: data.seriesTitle || null,
      scale: colourScale(data.series, data.otherSeries),
      sort: data.series,
    },
  };
}

/** Tick labels per time unit: `Nov 05`, `10:00`, never weekday names. */
const TIME_FORMAT = {
  year: '%Y',
  quarter: '%b %Y',
  month: '%b %Y',
  week: '%b %d',
  date: '%b %d',
  hours: '%H:%M',
  minutes: '%H:%M',
  seconds: '%H:%M:%S',
  milliseconds: '%H:%M:%S.%L',
};

function xContinuous(data: ChartData): Encoding {
  if (data.xScale === 'time') {
    return {
      field: 'x',
      type: 'temporal',
      title: data.xTitle,
      scale: { type: 'utc' },
      axis: { format: TIME_FORMAT },
    };
  }
  if (data.xScale === 'number') return { field: 'x', type: 'quantitative', title: data.xTitle };
  return { field: 'x', type: 'ordinal', title: data.xTitle, sort: null };
}

function yValue(data: ChartData, stack: 'zero' | null): Encoding {
  return { field: 'y', type: 'quantitative', title: data.yTitle || null, stack };
}

function lineOrArea(data: ChartData): Record<string, unknown> {
  const xCount = new Set(data.points.map((p) => p.x)).size;
  const colour = colourEncoding(data);
  if (data.kind === 'areachart') {
    const stacked = data.stacked;
    const y = yValue(data, stacked ? 'zero' : null);
    // Stacked areas need a value at every x in every series, or the layers cross.
    if (stacked && colour) y.impute = { value: 0 };
    return {
      mark: { type: 'area', opacity: stacked ? 0.85 : 0.35, line: !stacked, interpolate: 'monotone' },
      encoding: { x: xContinuous(data), y, ...colour },
    };
  }
  return {
    // A single x value draws no line: show the points then.
    mark: { type: 'line', strokeWidth: 2, point: xCount < 3 },
    encoding: { x: xContinuous(data), y: yValue(data, null), ...colour },
  };
}

function barLabelAngle(categories: string[]): number {
  const longest = Math.max(0, ...categories.map((c) => c.length));
  return longest * categories.length > 90 ? -40 : 0;
}

/**
 * Columns over time stand on a time axis, each as wide as most of its bin; `values` stacks them
 * (Vega-Lite does not stack bars that have a start and an end on x).
 */
function timeColumns(data: ChartData): Record<string, unknown> {
  const stacked = data.series.length > 0;
  return {
    mark: stacked ? { type: 'bar' } : { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { ...xContinuous(data), field: 'start' },
      x2: { field: 'end' },
      y: { field: 'top', type: 'quantitative', title: data.yTitle || null, stack: null },
      y2: { field: 'base' },
      description: { field: 'description', type: 'nominal' },
      ...(colourEncoding(data) ?? { color: { value: PALETTE[0] } }),
    },
  };
}

function bars(data: ChartData): Record<string, unknown> {
  if (data.xScale === 'time') return timeColumns(data);
  const category = { field: 'x', type: 'nominal', title: data.xTitle, sort: data.categories };
  const stack = data.series.length > 0 ? 'zero' : null;
  const value = yValue(data, stack);
  const colour = colourEncoding(data) ?? { color: { value: PALETTE[0] } };
  const mark = stack ? { type: 'bar' } : { type: 'bar', cornerRadiusEnd: 2 };
  if (data.kind === 'barchart') {
    return {
      mark,
      encoding: { y: { ...category, axis: { labelLimit: LABEL_LIMIT } }, x: value, ...colour },
    };
  }
  return {
    mark,
    encoding: {
      x: { ...category, axis: { labelAngle: barLabelAngle(data.categories) } },
      y: value,
      ...colour,
    },
  };
}

function pie(data: ChartData): Record<string, unknown> {
  return {
    mark: { type: 'arc', stroke: 'white', strokeWidth: 1 },
    encoding: {
      theta: { field: 'y', type: 'quantitative', stack: true },
      color: {
        field: 'x',
        type: 'nominal',
        title: data.xTitle,
        scale: colourScale(data.categories, data.otherCategory),
        sort: data.categories,
        legend: { columns: Math.ceil(data.categories.length / 12) },
      },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

/** A day, and an hour: the bin a lone column is assumed to stand for. */
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Share of its bin a column fills: the rest is the gap between columns. */
const COLUMN_FILL = 0.8;

/** What a screen reader says for a column: its bin, value and series, not the drawing fields. */
function describe(data: ChartData, p: ChartPoint): string {
  const time = new Date(Number(p.x)).toISOString();
  const when = Number(p.x) % DAY_MS === 0 ? time.slice(0, 10) : `${time.slice(0, 10)} ${time.slice(11, 16)}`;
  const parts = [`${data.xTitle}: ${when}`, `${data.yTitle || 'Value'}: ${p.y}`];
  if (p.series !== '') parts.push(`${data.seriesTitle || 'Series'}: ${p.series}`);
  return parts.join('; ');
}

/**
 * Time columns: each centred on its bin's time (so that the axis label under it is its own) and
 * stacked as Vega-Lite stacks: the first series on top, values below zero stacked downwards.
 */
function timeColumnValues(data: ChartData): Record<string, unknown>[] {
  const lone = data.points.every((p) => Number(p.x) % DAY_MS === 0) ? DAY_MS : HOUR_MS;
  const half = ((data.xStep ?? lone) * COLUMN_FILL) / 2;
  const rank = new Map(data.series.map((name, i) => [name, i]));
  const bottomUp = [...data.points].sort((a, b) => (rank.get(b.series) ?? 0) - (rank.get(a.series) ?? 0));
  const above = new Map<number, number>();
  const below = new Map<number, number>();
  return bottomUp.map((p) => {
    const x = Number(p.x);
    const stack = p.y >= 0 ? above : below;
    const base = stack.get(x) ?? 0;
    stack.set(x, base + p.y);
    return { ...p, start: x - half, end: x + half, base, top: base + p.y, description: describe(data, p) };
  });
}

function values(data: ChartData): Record<string, unknown>[] {
  if (data.kind === 'piechart') {
    // Slices need a positive size; they are drawn in category order.
    return data.points
      .filter((p) => p.y > 0)
      .map((p) => ({ ...p, order: data.categories.indexOf(String(p.x)) }));
  }
  if (data.kind === 'columnchart' && data.xScale === 'time') return timeColumnValues(data);
  return data.points.map((p) => ({ ...p }));
}

function shorten(label: string): string {
  const chars = Array.from(label);
  if (chars.length <= MAX_LABEL_LENGTH) return label;
  const head = Math.ceil((MAX_LABEL_LENGTH - 1) / 2);
  const tail = MAX_LABEL_LENGTH - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** Each name's label: shortened, unless that would make it look like another name. */
function shortLabels(names: string[]): Map<string, string> {
  const taken = new Map<string, number>(names.map((name) => [name, 1]));
  for (const name of names) {
    const short = shorten(name);
    if (short !== name) taken.set(short, (taken.get(short) ?? 0) + 1);
  }
  return new Map(
    names.map((name) => {
      const short = shorten(name);
      return [name, taken.get(short) === 1 ? short : name];
    }),
  );
}

/** The data with long series and category names shortened for the legend and axes. */
function withShortLabels(data: ChartData): ChartData {
  const series = shortLabels(data.series);
  const categories = shortLabels(data.categories);
  const seriesLabel = (name: string) => series.get(name) ?? name;
  const categoryLabel = (name: string) => categories.get(name) ?? name;
  const point = (p: ChartPoint): ChartPoint => ({
    ...p,
    x: typeof p.x === 'string' ? categoryLabel(p.x) : p.x,
    series: seriesLabel(p.series),
  });
  return {
    ...data,
    series: data.series.map(seriesLabel),
    categories: data.categories.map(categoryLabel),
    otherSeries: data.otherSeries === undefined ? undefined : seriesLabel(data.otherSeries),
    otherCategory: data.otherCategory === undefined ? undefined : categoryLabel(data.otherCategory),
    points: data.points.map(point),
  };
}

/** Horizontal bars get the height their categories need when the caller did not fix one. */
export function chartSize(data: ChartData, options: { width?: number; height?: number }): ChartSize {
  const width = options.width ?? DEFAULT_CHART_WIDTH;
  if (options.height !== undefined) return { width, height: options.height };
  const needed = data.kind === 'barchart' ? data.categories.length * 20 + 60 : 0;
  return { width, height: Math.max(DEFAULT_CHART_HEIGHT, needed) };
}

export function vegaLiteSpec(chartData: ChartData, size: ChartSize): TopLevelSpec {
  const data = withShortLabels(chartData);
  let body: Record<string, unknown>;
  if (data.kind === 'piechart') body = pie(data);
  else if (data.kind === 'barchart' || data.kind === 'columnchart') body = bars(data);
  else body = lineOrArea(data);
  return {
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 8,
    config: CONFIG,
    data: { values: values(data) },
    ...body,
  } as TopLevelSpec;
}
