/**
 * Runs a report: binds its parameters, runs each section's library query on a backend, and collects
 * the results, the time window and the warnings into a ReportResult for the renderers.
 */
import { formatDatetime } from '../kql/text.js';
import { provlogVersion } from '../package-root.js';
import type { QueryBackend } from '../queries/backend.js';
import type { QueryLibrary } from '../queries/library.js';
import {
  displayValue,
  ParameterError,
  type ParameterValue,
  parseParameterValue,
} from '../queries/parameters.js';
import { type ParameterTexts, type PreparedQuery, prepareQuery, substitute } from '../queries/prepare.js';
import { displayTime, resolveWindow, timeRangeLabel } from '../queries/time-range.js';
import type { ReportDefinition, SectionDefinition } from './definition.js';
import { ReportDefinitionError } from './definition.js';
import type { Cell, ReportResult, ReportSection, ReportWindow, ResultTable, Tile } from './model.js';

export interface ReportRunOptions {
  library: QueryLibrary;
  backend: QueryBackend;
  /** Report parameter texts by name (`--param`, `--since`…). */
  params: ParameterTexts;
  /** The clock of the run, in ticks. */
  now: bigint;
  /** Told each section as soon as it is ready (a renderer may start drawing its chart). */
  onSection?: (section: ReportSection) => void;
}

const DEFAULT_MAX_ROWS = 200;

export async function runReport(report: ReportDefinition, options: ReportRunOptions): Promise<ReportResult> {
  const { texts, values } = bindReportParameters(report, options.params);
  const window = reportWindow(values, options.now);
  const source = options.backend.describe();
  const prepared = report.sections.map((definition) =>
    definition.kind === 'text' ? undefined : prepareSection(definition, texts, options),
  );
  options.backend.prepare?.(prepared.flatMap((p) => (p ? [p.text] : [])));
  const sections: ReportSection[] = [];
  for (const [i, definition] of report.sections.entries()) {
    const section = await runSection(definition, prepared[i], values, options);
    options.onSection?.(section);
    sections.push(section);
  }
  return {
    report: { id: report.id, version: report.version, title: report.title, description: report.description },
    window,
    source,
    parameters: report.parameters.map((p) => ({
      name: p.name,
      value: displayValue(values.get(p.name)!, options.now),
    })),
    generatedAt: new Date().toISOString(),
    now: formatDatetime(options.now),
    provlogVersion: provlogVersion(),
    warnings: windowWarnings(window, source),
    sections,
  };
}

/** Each declared parameter's texts (given, or the default) and typed value; unknown names are errors. */
function bindReportParameters(
  report: ReportDefinition,
  given: ParameterTexts,
): { texts: Map<string, readonly string[]>; values: Map<string, ParameterValue> } {
  for (const name of given.keys()) {
    if (!report.parameters.some((p) => p.name === name)) {
      const declared = report.parameters.map((p) => p.name).join(', ') || 'none';
      throw new ParameterError(`report ${report.id} has no parameter ${name} (it has: ${declared})`);
    }
  }
  const texts = new Map<string, readonly string[]>();
  const values = new Map<string, ParameterValue>();
  for (const def of report.parameters) {
    const text = given.get(def.name) ?? (def.default !== undefined ? [def.default] : undefined);
    if (!text || text.length === 0)
      throw new ParameterError(
        `report ${report.id} needs --param ${def.name}=… (${def.type}${def.description ? `: ${def.description}` : ''})`,
      );
    texts.set(def.name, text);
    values.set(def.name, parseParameterValue(def, text));
  }
  return { texts, values };
}

function reportWindow(values: ReadonlyMap<string, ParameterValue>, now: bigint): ReportWindow {
  for (const value of values.values()) {
    if (value.type === 'timerange') {
      const window = resolveWindow(value.range, now);
      return {
        from: formatDatetime(window.from),
        to: formatDatetime(window.to),
        label: timeRangeLabel(value.range),
      };
    }
  }
  return { from: '', to: formatDatetime(now), label: 'All data' };
}

/** The window asks for more than the source holds: say so, the numbers would otherwise mislead. */
function windowWarnings(window: ReportWindow, source: ReportResult['source']): string[] {
  const warnings: string[] = [];
  const where = source.kind === 'local' ? 'the local workspace' : 'the Log Analytics workspace';
  if (!source.dataFrom || !source.dataTo) {
    warnings.push(`${where} holds no provisioning logs: every section is empty.`);
    return warnings;
  }
  const day = (iso: string) => displayTime(BigInt(Date.parse(iso)) * 10_000n);
  // Logs rarely start on the window's first minute: a gap under a day (or a tenth of the window) is not
  // worth a warning.
  const span = Date.parse(window.to) - Date.parse(window.from);
  const slack = Math.min(86_400_000, span / 10);
  if (window.from && Date.parse(window.from) + slack < Date.parse(source.dataFrom)) {
    warnings.push(
      `The window starts ${day(window.from)}, but ${where} holds provisioning logs only from ${day(source.dataFrom)}: ` +
        `counts cover less time than the window. ${
          source.kind === 'local'
            ? 'Import older logs (provlog import)'
            : "Backfill older logs (provlog ingest), check the table's retention,"
        } or shorten the window.`,
    );
  }
  if (Date.parse(source.dataTo) < Date.parse(window.from)) {
    warnings.push(`${where}'s provisioning logs end ${day(source.dataTo)}, before the window starts.`);
  }
  return warnings;
}

/** A section's parameter texts: the report's, then its own mapping (`{Name}` is the report text). */
function sectionParameterTexts(
  definition: Extract<SectionDefinition, { query: string }>,
  reportTexts: ReadonlyMap<string, readonly string[]>,
): Map<string, readonly string[]> {
  const texts = new Map(reportTexts);
  for (const [name, template] of Object.entries(definition.params ?? {})) {
    const whole = /^\{([_a-zA-Z][_a-zA-Z0-9]*)\}$/.exec(template);
    if (whole && reportTexts.has(whole[1])) texts.set(name, reportTexts.get(whole[1])!);
    else
      texts.set(name, [
        template.replace(
          /\{([_a-zA-Z][_a-zA-Z0-9]*)\}/g,
          (token, ref: string) => reportTexts.get(ref)?.[0] ?? token,
        ),
      ]);
  }
  return texts;
}

function prepareSection(
  definition: Extract<SectionDefinition, { query: string }>,
  reportTexts: ReadonlyMap<string, readonly string[]>,
  options: ReportRunOptions,
): PreparedQuery {
  const query = options.library.query(definition.query);
  if (!query)
    throw new ReportDefinitionError(`section ${definition.id}: no query ${definition.query} in the library`);
  return prepareQuery(options.library, query, sectionParameterTexts(definition, reportTexts), {
    now: options.now,
    strict: false,
  });
}

async function runSection(
  definition: SectionDefinition,
  prepared: PreparedQuery | undefined,
  values: ReadonlyMap<string, ParameterValue>,
  options: ReportRunOptions,
): Promise<ReportSection> {
  const base = {
    id: definition.id,
    ...(definition.title ? { title: substitute(definition.title, values, 'text', options.now) } : {}),
    ...(definition.description
      ? { description: substitute(definition.description, values, 'text', options.now) }
      : {}),
  };
  if (definition.kind === 'text') {
    return { ...base, kind: 'text', markdown: substitute(definition.markdown, values, 'text', options.now) };
  }
  if (!prepared) throw new ReportDefinitionError(`section ${definition.id}: not prepared`);
  const query = prepared.query;
  const maxRows =
    definition.kind === 'table'
      ? (definition.maxRows ?? DEFAULT_MAX_ROWS)
      : definition.kind === 'headline'
        ? 1
        : undefined;
  const [table] = await options.backend.run(prepared.text, maxRows === undefined ? {} : { maxRows });
  const result: ResultTable = table ?? { columns: [], rows: [] };
  const totalRows = table?.totalRows ?? 0;
  const ref = { id: query.id, version: query.version };
  const title = base.title ?? query.title;
  switch (definition.kind) {
    case 'headline':
      return { ...base, kind: 'headline', title, query: ref, tiles: tiles(definition, result) };
    case 'table': {
      const shown = definition.columns ? pickColumns(result, definition.columns, definition.id) : result;
      return {
        ...base,
        kind: 'table',
        title,
        query: ref,
        table: { columns: shown.columns, rows: shown.rows.slice(0, maxRows) },
        totalRows,
        emptyMessage: definition.empty,
      };
    }
    case 'chart':
      return {
        ...base,
        kind: 'chart',
        title,
        query: ref,
        table: result,
        chart: definition.chart,
        emptyMessage: definition.empty,
      };
  }
}

function pickColumns(table: ResultTable, names: readonly string[], section: string): ResultTable {
  const indexes = names.map((name) => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new ReportDefinitionError(`section ${section}: the query has no column ${name}`);
    return i;
  });
  return {
    columns: indexes.map((i) => table.columns[i]),
    rows: table.rows.map((row) => indexes.map((i) => row[i])),
  };
}

function tiles(definition: Extract<SectionDefinition, { kind: 'headline' }>, table: ResultTable): Tile[] {
  const row = table.rows[0];
  return definition.tiles.map((tile) => {
    const index = table.columns.findIndex((c) => c.name === tile.column);
    if (index < 0)
      throw new ReportDefinitionError(`section ${definition.id}: the query has no column ${tile.column}`);
    const value: Cell = row ? row[index] : null;
    const tone = toneOf(value, tile.goodIf, tile.badIf);
    return { label: tile.label, value, ...(tile.unit ? { unit: tile.unit } : {}), ...(tone ? { tone } : {}) };
  });
}

function toneOf(value: Cell, goodIf?: string, badIf?: string): Tile['tone'] {
  if (typeof value !== 'number') return undefined;
  if (badIf && holds(value, badIf)) return 'bad';
  if (goodIf && holds(value, goodIf)) return 'good';
  return goodIf || badIf ? 'neutral' : undefined;
}

function holds(value: number, comparison: string): boolean {
  const m = /^(>=|<=|>|<|==|!=)\s*(-?\d+(?:\.\d+)?)$/.exec(comparison)!;
  const bound = Number(m[2]);
  switch (m[1]) {
    case '>=':
      return value >= bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '<':
      return value < bound;
    case '==':
      return value === bound;
    default:
      return value !== bound;
  }
}
