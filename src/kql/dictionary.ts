/**
 * Dictionary encoding of string columns that come from the workspace: the column's values are
 * shared strings, and `codes` says which one each row holds. Grouping by such a column indexes an
 * array by code instead of hashing strings.
 */
import type { Value } from './values.js';

export interface DictionaryEncoding {
  codes: Int32Array;
  values: string[];
}

const encodings = new WeakMap<Value[], DictionaryEncoding>();

export function setDictionary(column: Value[], encoding: DictionaryEncoding): void {
  encodings.set(column, encoding);
}

export function dictionaryOf(column: Value[] | undefined): DictionaryEncoding | undefined {
  return column ? encodings.get(column) : undefined;
}
