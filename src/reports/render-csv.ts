/**
 * A report's data as CSV files, one per table, chart and headline section. Text cells go through the
 * spreadsheet formula guard; numbers and booleans are written as they are.
 */
import { stringify } from 'csv-stringify/sync';
import { csvSafeCell } from '../output/csv-safe.js';
import { formatDynamic, isNumericText, isNumericType } from './cells.js';
import type { Cell, KustoType, ReportResult, ReportSection, ResultTable } from './model.js';

export interface CsvFile {
  sectionId: string;
  fileName: string;
  text: string;
}

type CsvValue = string | number;

function csvValue(cell: Cell, type: KustoType | undefined): CsvValue {
  if (cell === null) return '';
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  // Longs beyond 2^53 arrive as decimal text: still numbers, so a minus sign is not a formula.
  if (type !== undefined && isNumericType(type) && isNumericText(cell)) return cell;
  return csvSafeCell(type === 'dynamic' ? formatDynamic(cell) : cell);
}

function tableRecords(table: ResultTable): CsvValue[][] {
  const header = table.columns.map((c) => csvSafeCell(c.name));
  const rows = table.rows.map((row) => table.columns.map((c, i) => csvValue(row[i] ?? null, c.type)));
  return [header, ...rows];
}

function sectionRecords(section: ReportSection): CsvValue[][] | undefined {
  switch (section.kind) {
    case 'table':
    case 'chart':
      return tableRecords(section.table);
    case 'headline':
      return [
        ['label', 'value', 'unit'],
        ...section.tiles.map((t) => [
          csvSafeCell(t.label),
          csvValue(t.value, undefined),
          csvSafeCell(t.unit ?? ''),
        ]),
      ];
    case 'text':
      return undefined;
  }
}

/** The file name stem keeps only [a-z0-9-]: section ids are meant to be that already. */
function fileStem(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'section'
  );
}

/** `NN` is the section's 1-based place in the report, so the files sort in report order. */
export function renderCsv(result: ReportResult): CsvFile[] {
  return result.sections.flatMap((section, index) => {
    const records = sectionRecords(section);
    if (!records) return [];
    const order = String(index + 1).padStart(2, '0');
    return [
      { sectionId: section.id, fileName: `${order}-${fileStem(section.id)}.csv`, text: stringify(records) },
    ];
  });
}
