/**
 * Aggregates: typed accumulators, one per group. `count(x)` skips nulls; `sum` of longs stays exact.
 */
import { compareValues } from '../compare.js';
import { toDynamic } from '../text.js';
import { type Dynamic, type KType, keyOf, normLong, type Value } from '../values.js';
import { type AggregateContext, registerAggregate } from './registry.js';

function isNull(value: Value): boolean {
  return value === null;
}

registerAggregate('count', ({ argTypes }) => () => {
  let n = 0;
  const skipNulls = argTypes.length > 0;
  return {
    add(args) {
      if (!skipNulls || !isNull(args[0])) n++;
    },
    result: () => n,
  };
});

registerAggregate('countif', () => () => {
  let n = 0;
  return {
    add(args) {
      if (args[0] === true) n++;
    },
    result: () => n,
  };
});

function summer(type: KType, resultType: KType): () => { add(v: Value): void; result(): Value } {
  if ((type === 'long' || type === 'int') && resultType !== 'real') {
    return () => {
      let fast = 0;
      let big = 0n;
      let any = false;
      return {
        add(v) {
          if (v === null) return;
          any = true;
          if (typeof v === 'number') {
            fast += v;
            if (!Number.isSafeInteger(fast)) {
              big += BigInt(fast - v) + BigInt(v);
              fast = 0;
            }
          } else big += v as bigint;
        },
        result: () => (any ? normLong(big + BigInt(fast)) : null),
      };
    };
  }
  if (type === 'timespan') {
    return () => {
      let total = 0n;
      let any = false;
      return {
        add(v) {
          if (v === null) return;
          any = true;
          total += v as bigint;
        },
        result: () => (any ? total : null),
      };
    };
  }
  return () => {
    let total = 0;
    let any = false;
    return {
      add(v) {
        if (v === null || (typeof v !== 'number' && typeof v !== 'bigint')) return;
        any = true;
        total += Number(v);
      },
      result: () => (any ? total : null),
    };
  };
}

registerAggregate('sum', ({ argTypes: [t], resultType }) => {
  const make = summer(t, resultType);
  return () => {
    const s = make();
    return { add: (args) => s.add(args[0]), result: () => s.result() };
  };
});
registerAggregate('sumif', ({ argTypes: [t], resultType }) => {
  const make = summer(t, resultType);
  return () => {
    const s = make();
    return { add: (args) => args[1] === true && s.add(args[0]), result: () => s.result() };
  };
});

function averager(type: KType, conditional: boolean) {
  return () => () => {
    let total = 0;
    let n = 0;
    return {
      add(args: Value[]) {
        if (conditional && args[1] !== true) return;
        const v = args[0];
        if (v === null) return;
        total += Number(v);
        n++;
      },
      result: (): Value => {
        if (n === 0) return null;
        const mean = total / n;
        return type === 'timespan' ? BigInt(Math.round(mean)) : mean;
      },
    };
  };
}
registerAggregate('avg', ({ argTypes: [t] }) => averager(t, false)());
registerAggregate('avgif', ({ argTypes: [t] }) => averager(t, true)());

function extreme(sign: 1 | -1, conditional: boolean) {
  return () => () => {
    let best: Value = null;
    return {
      add(args: Value[]) {
        if (conditional && args[1] !== true) return;
        const v = args[0];
        if (v === null || (typeof v === 'number' && Number.isNaN(v))) return;
        if (best === null || compareValues(v, best) * sign > 0) best = v;
      },
      result: () => best,
    };
  };
}
registerAggregate('max', extreme(1, false));
registerAggregate('min', extreme(-1, false));
registerAggregate('maxif', extreme(1, true));
registerAggregate('minif', extreme(-1, true));

function dcounter(conditional: boolean) {
  return () => () => {
    // Scalars are their own set keys (a Set compares strings, numbers and bigints by value).
    const seen = new Set<unknown>();
    return {
      add(args: Value[]) {
        if (conditional && args[1] !== true) return;
        const v = args[0];
        if (v === null) return;
        seen.add(typeof v === 'object' ? keyOf(v) : v);
      },
      result: () => seen.size,
    };
  };
}
registerAggregate(['dcount', 'count_distinct'], dcounter(false));
registerAggregate(['dcountif', 'count_distinctif'], dcounter(true));

/** arg_max / arg_min: the row with the extreme value; outputs are the value then the chosen columns. */
function argExtreme(sign: 1 | -1) {
  return (context: AggregateContext) => {
    const outputs = context.outputs ?? [];
    const input = context.input;
    const star = context.args.some((a) => a.e === 'star');
    // Output columns after the first come from the input by name (star) or from the extra arguments.
    const sources = outputs.slice(1).map((output, i) => {
      if (!star) return { kind: 'arg' as const, index: i + 1 };
      const index = input.indexOf(output.name);
      return index >= 0 ? { kind: 'column' as const, index } : { kind: 'arg' as const, index: i + 1 };
    });
    return () => {
      let best: Value = null;
      let bestRow = -1;
      let bestArgs: Value[] = [];
      return {
        add(args: Value[], row: number) {
          const v = args[0];
          if (v === null) {
            if (bestRow < 0) {
              bestRow = row;
              bestArgs = args.slice();
            }
            return;
          }
          if (best === null || compareValues(v, best) * sign > 0) {
            best = v;
            bestRow = row;
            bestArgs = args.slice();
          }
        },
        result: (): Value[] => {
          if (bestRow < 0) return outputs.map(() => null);
          return [
            best,
            ...sources.map((s) =>
              s.kind === 'column' ? input.data[s.index][bestRow] : (bestArgs[s.index] ?? null),
            ),
          ];
        },
      };
    };
  };
}
registerAggregate('arg_max', argExtreme(1));
registerAggregate('arg_min', argExtreme(-1));

registerAggregate(['take_any', 'any'], (context) => {
  const outputs = context.outputs;
  return () => {
    let chosen: Value[] | undefined;
    let row = -1;
    return {
      add(args: Value[], r: number) {
        if (chosen === undefined) {
          chosen = args.slice();
          row = r;
        }
      },
      result: () => {
        if (!outputs || outputs.length <= 1) return chosen?.[0] ?? null;
        if (context.args.some((a) => a.e === 'star')) {
          return outputs.map((o) => {
            const index = context.input.indexOf(o.name);
            return index >= 0 && row >= 0 ? context.input.data[index][row] : null;
          });
        }
        return outputs.map((_, i) => chosen?.[i] ?? null);
      },
    };
  };
});

function collector(unique: boolean, conditional: boolean) {
  return ({ argTypes: [t], constants, isConstant }: AggregateContext) => {
    const limitIndex = conditional ? 2 : 1;
    const limit =
      isConstant[limitIndex] && constants[limitIndex] !== null ? Number(constants[limitIndex]) : 1_048_576;
    return () => {
      const out: Dynamic[] = [];
      const seen = unique ? new Set<string>() : undefined;
      return {
        add(args: Value[]) {
          if (conditional && args[1] !== true) return;
          const v = args[0];
          if (v === null && t !== 'dynamic') return;
          if (t === 'dynamic' && v === null) return;
          // A list or set over dynamic arrays takes the arrays' elements.
          const items = Array.isArray(v) ? v : [toDynamic(v, t)];
          for (const d of items) {
            if (out.length >= limit) return;
            if (seen) {
              const k = keyOf(d);
              if (seen.has(k)) continue;
              seen.add(k);
            }
            out.push(d);
          }
        },
        result: () => out,
      };
    };
  };
}
registerAggregate(['make_list', 'makelist'], collector(false, false));
registerAggregate(['make_list_if', 'makelist_if'], collector(false, true));
registerAggregate(['make_set', 'makeset'], collector(true, false));
registerAggregate('make_set_if', collector(true, true));
registerAggregate('make_list_with_nulls', ({ argTypes: [t] }) => () => {
  const out: Dynamic[] = [];
  return { add: (args) => void out.push(toDynamic(args[0], t)), result: () => out };
});

function bagMaker(conditional: boolean) {
  return () => () => {
    const bag: { [key: string]: Dynamic } = {};
    return {
      add(args: Value[]) {
        if (conditional && args[1] !== true) return;
        const v = args[0];
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          for (const [k, value] of Object.entries(v)) if (!(k in bag)) bag[k] = value;
        }
      },
      result: () => bag,
    };
  };
}
registerAggregate(['make_bag', 'make_dictionary'], bagMaker(false));
registerAggregate('make_bag_if', bagMaker(true));
