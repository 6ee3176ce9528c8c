/**
 * Window functions over serialized rows: prev, next, row_number, row_cumsum, row_rank_min,
 * row_rank_dense. A `restart` argument starts a new window at the rows where it is true.
 */
import { compareValues } from '../compare.js';
import { KqlError } from '../errors.js';
import { type KType, normLong, nullOf, type Value } from '../values.js';
import { registerWindow } from './registry.js';

function constantNumber(value: Value, fallback: number, name: string): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new KqlError(`${name}: the offset must be an integer constant`);
  return n;
}

function shifted(direction: -1 | 1) {
  return ({
    argTypes,
    constants,
    isConstant,
    name,
  }: {
    argTypes: KType[];
    constants: Value[];
    isConstant: boolean[];
    name: string;
  }) => {
    if (argTypes.length > 1 && !isConstant[1]) throw new KqlError(`${name}: the offset must be a constant`);
    const offset = constantNumber(argTypes.length > 1 ? constants[1] : null, 1, name);
    const empty = nullOf(argTypes[0]);
    return (args: Value[][], rowCount: number) => {
      const [values, , defaults] = args;
      const out = new Array<Value>(rowCount);
      for (let row = 0; row < rowCount; row++) {
        const from = row + direction * offset;
        out[row] = from >= 0 && from < rowCount ? values[from] : defaults ? defaults[row] : empty;
      }
      return out;
    };
  };
}
registerWindow('prev', shifted(-1));
registerWindow('next', shifted(1));

registerWindow('row_number', () => (args, rowCount) => {
  const [starts, restarts] = args;
  const out = new Array<Value>(rowCount);
  let n = 0;
  for (let row = 0; row < rowCount; row++) {
    const start = starts ? Number(starts[row] ?? 1) : 1;
    n = row === 0 || restarts?.[row] === true ? start : n + 1;
    out[row] = n;
  }
  return out;
});

registerWindow('row_cumsum', ({ argTypes: [type] }) => (args, rowCount) => {
  const [terms, restarts] = args;
  const out = new Array<Value>(rowCount);
  const integral = type === 'long' || type === 'int';
  let sum: number | bigint = integral ? 0n : 0;
  for (let row = 0; row < rowCount; row++) {
    if (restarts?.[row] === true) sum = integral ? 0n : 0;
    const term = terms[row];
    if (term !== null)
      sum = integral ? (sum as bigint) + BigInt(term as number | bigint) : (sum as number) + Number(term);
    out[row] = integral ? normLong(sum as bigint) : sum;
  }
  return out;
});

function ranker(dense: boolean) {
  return () => (args: Value[][], rowCount: number) => {
    const [terms, restarts] = args;
    const out = new Array<Value>(rowCount);
    let rank = 0;
    let position = 0;
    for (let row = 0; row < rowCount; row++) {
      const restart = row === 0 || restarts?.[row] === true;
      if (restart) {
        position = 1;
        rank = 1;
      } else {
        position++;
        const same =
          terms[row] === terms[row - 1] ||
          (terms[row] !== null && terms[row - 1] !== null && compareValues(terms[row], terms[row - 1]) === 0);
        if (!same) rank = dense ? rank + 1 : position;
      }
      out[row] = rank;
    }
    return out;
  };
}
registerWindow('row_rank_min', ranker(false));
registerWindow('row_rank_dense', ranker(true));
