import type { ColumnDef } from './ir.js';
import type { Value } from './values.js';

/** A query result or intermediate table: column definitions and column-major value arrays. */
export class Table {
  private byName: Map<string, number> | undefined;

  constructor(
    readonly columns: ColumnDef[],
    readonly data: Value[][],
    readonly rowCount: number,
  ) {}

  static empty(columns: ColumnDef[]): Table {
    return new Table(
      columns,
      columns.map(() => []),
      0,
    );
  }

  indexOf(name: string): number {
    if (!this.byName) {
      this.byName = new Map();
      this.columns.forEach((c, i) => {
        if (!this.byName!.has(c.name)) this.byName!.set(c.name, i);
      });
    }
    return this.byName.get(name) ?? -1;
  }

  /** A table with the rows at `indexes`, in that order. */
  select(indexes: ArrayLike<number>): Table {
    const n = indexes.length;
    const data = this.data.map((column) => {
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = column[indexes[i]];
      return out;
    });
    return new Table(this.columns, data, n);
  }

  /** One row as an array of values. */
  row(index: number): Value[] {
    return this.data.map((column) => column[index]);
  }
}
