/** Small helpers for human-readable CLI output. */

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Renders rows as an aligned text table; cells are printed as plain text. */
export function textTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? count(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => [...String(r[i])].length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells
    .map((r) =>
      r
        .map((c, i) => {
          const text = String(c);
          const pad = ' '.repeat(widths[i] - [...text].length);
          return numeric[i] ? pad + text : text + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Removes control characters (terminal escapes from log values) before printing to a terminal. */
export function safeText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
