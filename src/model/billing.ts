import type { TableRow } from './rows.js';

const encoder = new TextEncoder();

/**
 * `_BilledSize` for a row whose source does not carry it: the UTF-8 size of its values, 8 bytes per
 * number or datetime. Log Analytics computes its own figure; this one is deterministic so that the
 * same event imported from any source gets the same value.
 */
export function billedSize(row: TableRow): number {
  let size = 0;
  for (const [name, value] of Object.entries(row)) {
    if (name === '_BilledSize' || name === '_IsBillable' || value === null) continue;
    if (typeof value === 'string') size += name === 'TimeGenerated' || name === 'ActivityDateTime' ? 8 : utf8Length(value);
    else if (typeof value === 'number') size += 8;
    else size += utf8Length(JSON.stringify(value));
  }
  return size;
}

function utf8Length(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : encoder.encode(text).length;
}
