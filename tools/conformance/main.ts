/**
 * KQL conformance runner: runs the documented Kusto examples through the embedded engine.
 * Usage: npm run conformance -- <cases.jsonl> [--report FILE] [--min R] [--filter TEXT] [--verbose] [--timeout S]
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCases } from './cases.js';
import { QueryRunner } from './query-runner.js';
import { markdownReport, passRate, skippedLine, summaryLine, toleratedLine, totalsOf } from './report.js';
import { type CaseResult, type Erratum, runCases } from './run.js';

interface Options {
  casesFile: string;
  report?: string;
  min?: number;
  filter?: string;
  verbose: boolean;
  timeoutSeconds: number;
}

const USAGE =
  'usage: conformance <cases.jsonl> [--report FILE] [--min RATIO] [--filter TEXT] [--verbose] [--timeout SECONDS]';

function parseArgs(args: string[]): Options {
  const options: Partial<Options> = { verbose: false, timeoutSeconds: 30 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--report') options.report = value();
    else if (arg === '--min') options.min = ratio(value());
    else if (arg === '--filter') options.filter = value();
    else if (arg === '--timeout') options.timeoutSeconds = Number(value());
    else if (arg === '--verbose') options.verbose = true;
    else if (!arg.startsWith('--') && options.casesFile === undefined) options.casesFile = arg;
    else throw new Error(`unexpected argument ${arg}\n${USAGE}`);
  }
  if (!options.casesFile) throw new Error(USAGE);
  if (!(options.timeoutSeconds! > 0)) throw new Error('--timeout must be a positive number of seconds');
  return options as Options;
}

function ratio(text: string): number {
  const r = Number(text);
  if (!(r >= 0 && r <= 1)) throw new Error(`--min must be a ratio between 0 and 1, got ${text}`);
  return r;
}

const ERRATA_FILE = fileURLToPath(new URL('../../../tools/conformance/errata.json', import.meta.url));

function readErrata(): Set<string> {
  if (!existsSync(ERRATA_FILE)) return new Set();
  const errata = JSON.parse(readFileSync(ERRATA_FILE, 'utf8')) as Erratum[];
  return new Set(errata.map((e) => e.id));
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

function logResult(result: CaseResult, verbose: boolean): void {
  if (!verbose) return;
  if (result.status === 'failed') console.log(`FAIL ${result.case.id}: ${result.reason}`);
  else if (result.status === 'skipped') console.log(`SKIP ${result.case.id} (${result.cause})`);
  else console.log(`PASS ${result.case.id}`);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const filter = options.filter;
  const cases = parseCases(readFileSync(options.casesFile, 'utf8')).filter(
    (c) => !filter || c.id.includes(filter),
  );
  const runner = new QueryRunner(options.timeoutSeconds * 1000);
  let results: CaseResult[];
  try {
    results = await runCases(
      cases,
      readErrata(),
      (q) => runner.run(q),
      (r) => logResult(r, options.verbose),
    );
  } finally {
    await runner.close();
  }
  const totals = totalsOf(results);
  if (options.report) writeAtomically(options.report, markdownReport(results, options.casesFile));
  console.log(skippedLine(totals));
  console.log(toleratedLine(totals));
  console.log(summaryLine(totals));
  return options.min !== undefined && passRate(totals) < options.min ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
