import { coerce } from '../functions/coerce.js';
import type { ColumnDef, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { nullOf, type Value } from '../values.js';

/** Stacks tables; output columns (names, types, conflicts renamed `x_long`) are the analyser's. */
export function unionTables(inputs: Table[], node: Extract<Tabular, { op: 'union' }>): Table {
  const columns: ColumnDef[] = node.columns.length ? node.columns : (inputs[0]?.columns ?? []);
  const data: Value[][] = columns.map(() => []);
  let rows = 0;
  inputs.forEach((input, t) => {
    columns.forEach((column, c) => {
      const target = data[c];
      if (node.withSource && column.name === node.withSource && c === 0) {
        for (let r = 0; r < input.rowCount; r++) target.push(node.sourceNames[t]);
        return;
      }
      let index = input.indexOf(column.name);
      if (index >= 0 && input.columns[index].type !== column.type && column.type !== 'dynamic') index = -1;
      if (index < 0) {
        index = input.columns.findIndex((ic) => `${ic.name}_${ic.type}` === column.name);
      }
      if (index < 0) {
        const empty = nullOf(column.type);
        for (let r = 0; r < input.rowCount; r++) target.push(empty);
        return;
      }
      const source = input.data[index];
      const from = input.columns[index].type;
      for (let r = 0; r < input.rowCount; r++) target.push(coerce(source[r], from, column.type));
    });
    rows += input.rowCount;
  });
  return new Table(columns, data, rows);
}
