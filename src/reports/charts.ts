/**
 * Charts as static SVG, drawn by Vega-Lite and Vega on the server. Vega is loaded on first use only:
 * importing it costs the CLI's start-up time for commands that draw nothing.
 */
import { type ChartData, chartData } from './chart-data.js';
import { CHART_FONT, chartSize, vegaLiteSpec } from './chart-spec.js';
import { escapeHtml } from './html-escape.js';
import type { ChartKind, ChartSpec, ResultTable } from './model.js';

type VegaModules = [typeof import('vega-lite'), typeof import('vega')];

let vegaModules: Promise<VegaModules> | undefined;

function loadVega(): Promise<VegaModules> {
  vegaModules ??= Promise.all([import('vega-lite'), import('vega')]);
  return vegaModules;
}

/** Starts loading Vega now, for a caller that knows charts will follow. */
export function preloadVega(): void {
  loadVega().catch(() => {});
}

/** The SVG for a chart with nothing to draw: a framed note of the same size. */
function placeholderSvg(message: string, width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart-empty" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img"><rect x="0.5" y="0.5" width="${width - 1}" ` +
    `height="${height - 1}" fill="#F5F7FA" stroke="#CBD2D9"/><text x="${width / 2}" y="${height / 2}" ` +
    `text-anchor="middle" dominant-baseline="middle" font-family="${CHART_FONT}" font-size="13" ` +
    `fill="#52606D">${escapeHtml(message)}</text></svg>`
  );
}

/**
 * A chart of `table` as an SVG document (no script, every label escaped by Vega's SVG writer), 880×280
 * unless `options` say otherwise; horizontal bar charts grow with their categories. A table with no
 * chartable row gives a small "No data" SVG — callers that have an empty message show it instead of
 * calling this. Throws when the spec names a column the table lacks or no value column exists.
 */
export async function chartSvg(
  table: ResultTable,
  chart: ChartSpec,
  options: { width?: number; height?: number } = {},
): Promise<string> {
  const data = chartData(table, chart);
  const size = chartSize(data, options);
  if (data.points.length === 0) return placeholderSvg('No data', size.width, Math.min(size.height, 80));
  const [vegaLite, vega] = await loadVega();
  const { spec } = vegaLite.compile(vegaLiteSpec(data, size), { logger: vega.logger(vega.None) });
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const KIND_NAMES: Record<ChartKind, string> = {
  timechart: 'Time chart',
  linechart: 'Line chart',
  areachart: 'Area chart',
  columnchart: 'Column chart',
  barchart: 'Bar chart',
  piechart: 'Pie chart',
};

function foldNote(data: ChartData): string {
  const notes: string[] = [];
  if (data.otherCategory) {
    notes.push(`${data.foldedCategories} smaller categories are summed as “${data.otherCategory}”.`);
  }
  if (data.otherSeries)
    notes.push(`${data.foldedSeries} smaller series are summed as “${data.otherSeries}”.`);
  return notes.join(' ');
}

/** A plain-text caption (not escaped): what is drawn against what, and what was folded away. */
export function chartCaption(table: ResultTable, chart: ChartSpec): string {
  const kind = KIND_NAMES[chart.kind] + (chart.kind === 'areachart' && chart.stacked ? ' (stacked)' : '');
  let data: ChartData;
  try {
    data = chartData(table, chart);
  } catch {
    return kind;
  }
  const measure = data.yTitle || data.yNames.join(', ');
  const axis = data.xScale === 'category' ? 'by' : 'over';
  const split = data.seriesTitle ? `, split by ${data.seriesTitle}` : '';
  const note = foldNote(data);
  return `${kind}: ${measure} ${axis} ${data.xTitle}${split}.${note ? ` ${note}` : ''}`;
}
