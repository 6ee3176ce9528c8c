/**
 * A report after it ran: what the renderers (HTML, Markdown, CSV, JSON) receive. Every string that
 * came from the logs is untrusted; renderers escape it for their format.
 */

/** Kusto column types as the Log Analytics API names them. */
export type KustoType =
  | 'bool'
  | 'datetime'
  | 'dynamic'
  | 'guid'
  | 'int'
  | 'long'
  | 'real'
  | 'string'
  | 'timespan'
  | 'decimal';

export interface ResultColumn {
  name: string;
  type: KustoType;
}

/**
 * A cell in the Log Analytics API's JSON encoding: datetime as ISO text with Z, timespan as .NET text
 * (`1.02:03:04`), dynamic as JSON text, long/int/real as numbers (or decimal text beyond 2^53).
 */
export type Cell = string | number | boolean | null;

export interface ResultTable {
  columns: ResultColumn[];
  rows: Cell[][];
}

export type ChartKind = 'timechart' | 'linechart' | 'areachart' | 'columnchart' | 'barchart' | 'piechart';

/** How a table becomes a chart; omitted fields follow Kusto's `render` defaults. */
export interface ChartSpec {
  kind: ChartKind;
  /** X axis column (default: first datetime column for time charts, else the first string column). */
  x?: string;
  /** Value columns (default: every numeric column other than x). */
  y?: string[];
  /** Column whose values split the data into series (default: the first string column other than x). */
  series?: string;
  stacked?: boolean;
  /** Axis titles. */
  xTitle?: string;
  yTitle?: string;
}

export interface QueryRef {
  id: string;
  version: string;
}

export interface Tile {
  label: string;
  value: Cell;
  /** Shown after the value (`%`, `events`). */
  unit?: string;
  /** Colours the tile: a failure count that is not zero is bad, a success rate over 99 % good. */
  tone?: 'good' | 'bad' | 'neutral';
}

interface SectionBase {
  /** Unique within the report; usable as an HTML id and a file name stem ([a-z0-9-]). */
  id: string;
  title?: string;
  /** Plain text (not markup) shown under the title. */
  description?: string;
}

export type ReportSection =
  | (SectionBase & {
      kind: 'text';
      /** A small Markdown subset: paragraphs, `-` lists, **bold**, `code`. Never raw HTML. */
      markdown: string;
    })
  | (SectionBase & { kind: 'headline'; title: string; query: QueryRef; tiles: Tile[] })
  | (SectionBase & {
      kind: 'table';
      title: string;
      query: QueryRef;
      table: ResultTable;
      /** Rows the query returned; `table.rows` may hold fewer (the section's row limit). */
      totalRows: number;
      /** Shown instead of an empty table. */
      emptyMessage: string;
    })
  | (SectionBase & {
      kind: 'chart';
      title: string;
      query: QueryRef;
      table: ResultTable;
      chart: ChartSpec;
      emptyMessage: string;
    });

export interface ReportWindow {
  /** ISO datetimes with Z. */
  from: string;
  to: string;
  /** `Last 30 days`, or the absolute range. */
  label: string;
}

export interface ReportSource {
  kind: 'local' | 'log-analytics';
  /** The workspace directory, or the Log Analytics workspace id. */
  location: string;
  /** Time range of the rows the source holds, when known. */
  dataFrom?: string;
  dataTo?: string;
}

export interface ReportResult {
  report: { id: string; version: string; title: string; description: string };
  window: ReportWindow;
  source: ReportSource;
  /** Parameter values as the user gave them or as defaulted (display text). */
  parameters: { name: string; value: string }[];
  /** When the report ran (ISO), and the clock its queries used for now(). */
  generatedAt: string;
  now: string;
  provlogVersion: string;
  warnings: string[];
  sections: ReportSection[];
}
