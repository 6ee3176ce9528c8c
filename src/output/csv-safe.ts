/**
 * Spreadsheet formula injection guard: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
 * is prefixed with a single quote, so Excel and Sheets show it as text instead of running it. Values
 * from the logs (display names from HR feeds) are untrusted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvSafeCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
