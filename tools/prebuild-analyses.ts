/**
 * Analyses the shipped queries and reports with their default parameters ahead of time, into
 * dist/analyses: their texts do not change from run to run (relative time ranges), so a user's first
 * `provlog report run provisioning-health` needs no analyser start-up. Part of `npm run build`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cachedAnalyze } from '../src/kql/analysis-cache.js';
import { workspaceSchemas } from '../src/kql/workspace-source.js';
import { packageRoot } from '../src/package-root.js';
import { loadLibrary } from '../src/queries/library.js';
import { prebuiltAnalysesDir } from '../src/queries/prebuilt.js';
import { prepareQuery } from '../src/queries/prepare.js';
import { loadReports } from '../src/reports/definition.js';

const STAND_IN = 'provlog';
const dir = prebuiltAnalysesDir();
rmSync(dir, { recursive: true, force: true });
const library = loadLibrary();
const now = BigInt(Date.now()) * 10_000n;
const texts = new Set<string>();
for (const query of library.queries) {
  if (query.parameters.some((p) => p.default === undefined)) continue;
  texts.add(prepareQuery(library, query, new Map(), { now }).text);
}
for (const report of loadReports()) {
  // A parameter without a default (the app, the user) gets a stand-in value: a run with the real value
  // reuses the analysis, as only the string literal differs (analysis-rebind.ts).
  if (report.parameters.some((p) => p.default === undefined && p.type !== 'string')) continue;
  const defaults = new Map(report.parameters.map((p) => [p.name, [p.default ?? STAND_IN]]));
  for (const section of report.sections) {
    if (!('query' in section)) continue;
    const query = library.query(section.query)!;
    const params = new Map(defaults);
    for (const [name, template] of Object.entries(section.params ?? {})) {
      const ref = /^\{(\w+)\}$/.exec(template)?.[1];
      params.set(name, ref && defaults.has(ref) ? defaults.get(ref)! : [template]);
    }
    texts.add(prepareQuery(library, query, params, { now, strict: false }).text);
  }
}
const schemas = workspaceSchemas();
for (const text of texts) cachedAnalyze(text, schemas, { dir });
console.log(`prebuilt analyses: ${texts.size} query texts in ${join(packageRoot(), 'dist', 'analyses')}`);
