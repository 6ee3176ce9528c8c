/**
 * Report definitions: `reports/<id>.json`, an ordered list of sections (text, headline numbers,
 * charts, tables) over library queries, validated when loaded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../package-root.js';
import { PARAMETER_TYPES } from '../queries/parameters.js';

const comparison = z
  .string()
  .regex(/^(>=|<=|>|<|==|!=)\s*-?\d+(\.\d+)?$/, 'a comparison such as "> 0" or ">= 99"');

const sectionBase = {
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by -'),
  title: z.string().min(1).optional(),
  description: z.string().optional(),
};

/** Parameter values for the section's query, as text; `{Name}` stands for the report parameter's text. */
const sectionParams = z.record(z.string(), z.string()).optional();

const querySection = {
  ...sectionBase,
  title: z.string().min(1),
  query: z.string().min(1),
  params: sectionParams,
  /** Shown when the query returns no rows. */
  empty: z.string().min(1),
};

const chartSpec = z
  .object({
    kind: z.enum(['timechart', 'linechart', 'areachart', 'columnchart', 'barchart', 'piechart']),
    x: z.string().optional(),
    y: z.array(z.string()).min(1).optional(),
    series: z.string().optional(),
    stacked: z.boolean().optional(),
    xTitle: z.string().optional(),
    yTitle: z.string().optional(),
  })
  .strict();

const section = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), ...sectionBase, markdown: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('headline'),
      ...sectionBase,
      title: z.string().min(1),
      query: z.string().min(1),
      params: sectionParams,
      tiles: z
        .array(
          z
            .object({
              column: z.string(),
              label: z.string(),
              unit: z.string().optional(),
              goodIf: comparison.optional(),
              badIf: comparison.optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('table'),
      ...querySection,
      /** Columns to show, in order (default: all). */
      columns: z.array(z.string()).min(1).optional(),
      maxRows: z.number().int().positive().max(10_000).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('chart'), ...querySection, chart: chartSpec }).strict(),
]);

const reportDefinition = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    version: z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'semver x.y.z'),
    title: z.string().min(1),
    description: z.string().min(1),
    parameters: z
      .array(
        z
          .object({
            name: z.string().regex(/^[_a-zA-Z][_a-zA-Z0-9]*$/),
            type: z.enum(PARAMETER_TYPES),
            default: z.string().optional(),
            description: z.string(),
          })
          .strict(),
      )
      .default([]),
    sections: z.array(section).min(1),
  })
  .strict();

export type ReportDefinition = z.infer<typeof reportDefinition>;
export type SectionDefinition = ReportDefinition['sections'][number];

export class ReportDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportDefinitionError';
  }
}

export function parseReportDefinition(file: string, text: string): ReportDefinition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportDefinitionError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = reportDefinition.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReportDefinitionError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const ids = new Set<string>();
  for (const s of parsed.data.sections) {
    if (ids.has(s.id)) throw new ReportDefinitionError(`${file}: section id ${s.id} is used twice`);
    ids.add(s.id);
  }
  return parsed.data;
}

export function defaultReportsDir(): string {
  return join(packageRoot(), 'reports');
}

const loaded = new Map<string, ReportDefinition[]>();

export function loadReports(dir = defaultReportsDir()): ReportDefinition[] {
  let reports = loaded.get(dir);
  if (!reports) {
    reports = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => {
        const file = join(dir, name);
        const report = parseReportDefinition(file, readFileSync(file, 'utf8'));
        if (`${report.id}.json` !== name)
          throw new ReportDefinitionError(`${file}: id ${report.id} does not match the file name`);
        return report;
      });
    loaded.set(dir, reports);
  }
  return reports;
}
