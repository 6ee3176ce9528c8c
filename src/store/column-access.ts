import { type Data, DataType, type RecordBatch } from 'apache-arrow';

const decoder = new TextDecoder();

/** Reads a string column of a batch, decoding a dictionary once instead of once per row. */
export interface StringColumn {
  readonly length: number;
  get(index: number): string;
  /** For dictionary columns: the row's code and the decoded dictionary, for grouping without strings. */
  readonly codes?: Int8Array | Int16Array | Int32Array;
  readonly dictionary?: readonly string[];
}

function utf8Values(data: Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const out = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) {
    const start = offsets[data.offset + i];
    out[i] = decoder.decode(bytes.subarray(start, offsets[data.offset + i + 1]));
  }
  return out;
}

/** Batches of a file share their dictionaries: decode each once. */
const decodedDictionaries = new WeakMap<Data, string[]>();

function dictionaryValues(data: Data): string[] {
  let values = decodedDictionaries.get(data);
  if (!values) {
    values = utf8Values(data);
    decodedDictionaries.set(data, values);
  }
  return values;
}

export function stringColumn(batch: RecordBatch, name: string): StringColumn {
  const vector = batch.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  const data = vector.data[0];
  if (DataType.isDictionary(data.type)) {
    const dictionary = dictionaryValues(data.dictionary!.data[0]);
    const codes = (data.values as Int8Array | Int16Array | Int32Array).subarray(
      data.offset,
      data.offset + data.length,
    );
    return { length: data.length, codes, dictionary, get: (i) => dictionary[codes[i]] };
  }
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  return {
    length: data.length,
    get: (i) => decoder.decode(bytes.subarray(offsets[data.offset + i], offsets[data.offset + i + 1])),
  };
}
