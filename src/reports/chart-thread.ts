import { Worker } from 'node:worker_threads';
import type { ChartSpec, ReportSection, ResultTable } from './model.js';

/** Draws charts on a worker thread (see chart-worker.ts); `close` when done. */
export class ChartThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (svg: string) => void; reject: (e: Error) => void }
  >();
  private next = 0;

  constructor() {
    this.worker = new Worker(new URL('./chart-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (message: { id: number; svg?: string; error?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.svg ?? '');
    });
    this.worker.on('error', (error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  private readonly drawn = new WeakMap<ResultTable, Promise<string>>();

  /** The chart's SVG; a table already sent (by `start`) is not drawn twice. */
  render(table: ResultTable, chart: ChartSpec): Promise<string> {
    let svg = this.drawn.get(table);
    if (!svg) {
      const id = this.next++;
      svg = new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, table, chart });
      });
      this.drawn.set(table, svg);
    }
    return svg;
  }

  /** Starts drawing a report section's chart while the report's other queries run. */
  start(section: ReportSection): void {
    if (section.kind === 'chart' && section.table.rows.length > 0)
      this.render(section.table, section.chart).catch(() => {}); // awaited again when the HTML is built
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
