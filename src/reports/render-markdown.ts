/**
 * A report as GitHub-flavoured Markdown. Text sections are our own Markdown and pass through; every
 * other string is escaped so that it shows as written: no inline HTML, links, emphasis or broken tables.
 */
import { displayCell, displayValue, formatDatetime, isDayColumn, isNumericType } from './cells.js';
import type { QueryRef, ReportResult, ReportSection, ResultTable } from './model.js';

/** Chart data can be long (a time series per series): the Markdown shows its first rows only. */
export const CHART_TABLE_ROW_LIMIT = 100;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text as literal inline Markdown, safe in a table cell too. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c])
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

const md = escapeMarkdownInline;

/**
 * Text sections are our Markdown and pass through, but their subset has no HTML: a `<` or `&` outside
 * a code span (a substituted value) is turned into an entity so that no Markdown viewer reads a tag.
 */
function textSection(markdown: string): string {
  return markdown
    .trim()
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[&<>]/g, (c) => HTML_ENTITIES[c])))
    .join('');
}

/** Inline text that starts a block: a leading `#`, `>`, `-`, `+`, `=` or `1.` would change the block. */
function mdBlock(text: string): string {
  return md(text)
    .replace(/^(\s*)([#>+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function range(from: string, to: string): string {
  return `${md(formatDatetime(from))} – ${md(formatDatetime(to))}`;
}

function metaLines(result: ReportResult): string[] {
  const { source, window } = result;
  const kind = source.kind === 'local' ? 'local workspace' : 'Log Analytics workspace';
  const held =
    source.dataFrom !== undefined || source.dataTo !== undefined
      ? ` (data held: ${range(source.dataFrom ?? '…', source.dataTo ?? '…')})`
      : '';
  const lines = [
    `- **Time window:** ${md(window.label)} (${range(window.from, window.to)})`,
    `- **Data source:** ${kind} ${md(source.location)}${held}`,
  ];
  if (result.parameters.length > 0) {
    const values = result.parameters.map((p) => `${md(p.name)} = ${md(p.value)}`);
    lines.push(`- **Parameters:** ${values.join('; ')}`);
  }
  lines.push(
    `- **Generated:** ${md(formatDatetime(result.generatedAt))} (query clock now: ${md(formatDatetime(result.now))}) ` +
      `by provlog ${md(result.provlogVersion)}`,
  );
  return lines;
}

function warningLines(warnings: string[]): string[] {
  if (warnings.length === 0) return [];
  return [`> **Warning${warnings.length > 1 ? 's' : ''}**`, '>', ...warnings.map((w) => `> - ${md(w)}`)];
}

function pipeTable(table: ResultTable, limit: number): string[] {
  const header = table.columns.map((c) => md(c.name) || ' ');
  const align = table.columns.map((c) => (isNumericType(c.type) || c.type === 'timespan' ? '---:' : '---'));
  // Day bins show as dates, as in the HTML report.
  const dateOnly = table.columns.map(
    (c, i) => c.type === 'datetime' && isDayColumn(table.rows.map((row) => row[i] ?? null)),
  );
  const rows = table.rows
    .slice(0, limit)
    .map((row) =>
      table.columns.map((c, i) => md(displayCell(row[i] ?? null, c.type, { dateOnly: dateOnly[i] }))),
    );
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

function rowNote(shown: number, total: number): string[] {
  return total > shown ? ['', `_Showing ${count(shown)} of ${count(total)} rows._`] : [];
}

function queryLine(query: QueryRef): string[] {
  return ['', `_Query: ${md(`${query.id}@${query.version}`)}_`];
}

function sectionBody(section: ReportSection): string[] {
  switch (section.kind) {
    case 'text':
      return [textSection(section.markdown)];
    case 'headline':
      return [
        ...section.tiles.map(
          (t) => `- **${md(t.label)}:** ${md(displayValue(t.value))}${t.unit ? ` ${md(t.unit)}` : ''}`,
        ),
        ...queryLine(section.query),
      ];
    case 'table': {
      const { table } = section;
      if (table.rows.length === 0) return [`_${md(section.emptyMessage)}_`, ...queryLine(section.query)];
      return [
        ...pipeTable(table, table.rows.length),
        ...rowNote(table.rows.length, section.totalRows),
        ...queryLine(section.query),
      ];
    }
    case 'chart': {
      const { table } = section;
      const note = `_(chart: ${md(section.chart.kind)})_`;
      if (table.rows.length === 0)
        return [note, '', `_${md(section.emptyMessage)}_`, ...queryLine(section.query)];
      const shown = Math.min(table.rows.length, CHART_TABLE_ROW_LIMIT);
      return [
        note,
        '',
        ...pipeTable(table, shown),
        ...rowNote(shown, table.rows.length),
        ...queryLine(section.query),
      ];
    }
  }
}

function sectionLines(section: ReportSection): string[] {
  const lines: string[] = [];
  if (section.title) lines.push(`## ${md(section.title)}`, '');
  if (section.description) lines.push(mdBlock(section.description), '');
  return [...lines, ...sectionBody(section)];
}

export function renderMarkdown(result: ReportResult): string {
  const blocks: string[][] = [
    [`# ${md(result.report.title)}`],
    result.report.description ? [mdBlock(result.report.description)] : [],
    metaLines(result),
    warningLines(result.warnings),
    ...result.sections.map(sectionLines),
  ];
  return `${blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join('\n'))
    .join('\n\n')}\n`;
}
