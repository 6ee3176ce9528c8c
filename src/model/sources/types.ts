import type { TableRow } from '../rows.js';
import type { TableName } from '../schema.js';

/** Every source shape provlog reads. `graph` also covers the beta objects and the portal JSON download. */
export type SourceFormat = 'la-json' | 'la-csv' | 'diagnostic' | 'graph' | 'portal-json' | 'portal-csv';

export const SOURCE_FORMATS: readonly SourceFormat[] = [
  'la-json',
  'la-csv',
  'diagnostic',
  'graph',
  'portal-json',
  'portal-csv',
];

/** One normalised row, with where it came from. */
export interface SourceRow {
  readonly kind: 'row';
  readonly table: TableName;
  readonly row: TableRow;
  readonly file: string;
  /** 1-based line where the record starts. */
  readonly line: number;
}

/** A record that could not be normalised; it goes to the rejects file. */
export interface SourceReject {
  readonly kind: 'reject';
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  /** The start of the offending text (at most a few hundred characters). */
  readonly excerpt: string;
}

/** Something the user should know that is not a rejected record (unknown CSV headers, an empty file). */
export interface SourceWarning {
  readonly kind: 'warning';
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

export type SourceItem = SourceRow | SourceReject | SourceWarning;

/** A problem with a whole file (unknown format, unreadable): the import stops with this message. */
export class SourceError extends Error {
  constructor(
    readonly file: string,
    /** The message without the file and line. */
    readonly reason: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'SourceError';
  }
}
