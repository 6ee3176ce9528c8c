/**
 * Worker thread that draws charts: it loads Vega as soon as it starts, so a report's queries on the
 * main thread and Vega's start-up run on two cores at once.
 */
import { parentPort } from 'node:worker_threads';
import { chartSvg, preloadVega } from './charts.js';
import type { ChartSpec, ResultTable } from './model.js';

interface ChartRequest {
  id: number;
  table: ResultTable;
  chart: ChartSpec;
}

preloadVega();
parentPort?.on('message', async ({ id, table, chart }: ChartRequest) => {
  try {
    parentPort?.postMessage({ id, svg: await chartSvg(table, chart) });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
