/**
 * Loads every column of a workspace table into memory in this (fresh) process and prints the time as
 * JSON; run by bench/import.ts. Usage: node dist/bench/load-table.js WORKSPACE [TABLE]
 */
import type { TableName } from '../src/model/schema.js';
import { loadTableAsync } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';

const [dir, table = 'AADProvisioningLogs'] = process.argv.slice(2);
const workspace = Workspace.open(dir);
const started = performance.now();
const tables = await loadTableAsync(workspace, table as TableName);
const ms = performance.now() - started;
const rows = tables.reduce((n, t) => n + t.numRows, 0);
console.log(JSON.stringify({ ms, rows, columns: tables[0]?.numCols ?? 0, rss: process.memoryUsage().rss }));
