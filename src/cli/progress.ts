import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, detail?: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/**
 * A progress line on stderr, shown only on a terminal and never with --json, so that piped output
 * and machine-readable output stay clean.
 */
export function progressBar(
  label: string,
  options: { json?: boolean; total?: number; unit?: string },
): Progress {
  if (options.json || !process.stdout.isTTY || !process.stderr.isTTY) return silent;
  const unit = options.unit ?? 'rows';
  const format =
    options.total === undefined
      ? `${label} {value} ${unit} | {rate} ${unit}/s | {detail}`
      : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {detail}`;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(options.total ?? 0, 0, { rate: 0, detail: '' });
  return {
    update(value, detail = '') {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(value, { rate: Math.round(value / seconds), detail });
    },
    stop() {
      bar.stop();
    },
  };
}
