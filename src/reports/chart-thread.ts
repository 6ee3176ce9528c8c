import { Worker } from 'node:worker_threads';
import type { ChartSpec, ResultTable } from './model.js';

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

  render(table: ResultTable, chart: ChartSpec): Promise<string> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, table, chart });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
