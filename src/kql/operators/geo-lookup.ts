/**
 * `evaluate geo_polygon_lookup(...)` and `evaluate geo_line_lookup(...)`: a lookup join of locations
 * to the polygons containing them (or within a radius of them) and to the lines within a radius.
 * The evaluate operator dispatches here by plugin name.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError, NotSupportedError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import { toVec3 as toVec, type Vec3 as Vec } from '../functions/geo-common.js';
import {
  distanceToLines,
  distanceToPolygons,
  parseLines,
  parsePolygons,
  parsePosition,
  polygonsContain,
} from '../functions/geo-polygons.js';
import type { Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { nameOf, role, type Translator } from '../translate.js';
import { nullOf, type Value } from '../values.js';

export type GeoLookupPlugin = 'geo_polygon_lookup' | 'geo_line_lookup';

export interface GeoLookupParams {
  plugin: GeoLookupPlugin;
  table: Tabular;
  /** The lookup table's polygon or line column. */
  lookupKey: string;
  longitude: Expr;
  latitude: Expr;
  radius?: Expr;
  returnUnmatched?: Expr;
  returnLookupKey?: Expr;
}

/** Positional arguments after the four required ones, in the documented order. */
const OPTIONAL_ARGUMENTS = ['radius', 'return_unmatched', 'lookup_area_radius', 'return_lookup_key'];

function optionalArguments(args: SyntaxNode[]): Map<string, SyntaxNode> {
  const optional = new Map<string, SyntaxNode>();
  let position = 0;
  for (const arg of args) {
    if (arg.kind === 'SimpleNamedExpression') {
      const value = role(arg, 'Expression');
      if (value) optional.set(nameOf(role(arg, 'Name')).toLowerCase(), value);
    } else {
      const name = OPTIONAL_ARGUMENTS[position++];
      if (name) optional.set(name, arg);
    }
  }
  return optional;
}

/** Translates the plugin call (`call` is the FunctionCallExpression inside `evaluate`). */
export function translateGeoLookup(
  plugin: GeoLookupPlugin,
  call: SyntaxNode,
  translator: Translator,
): GeoLookupParams {
  const [table, lookupKey, longitude, latitude, ...rest] = translator.argumentNodes(call);
  if (!table || !lookupKey || !longitude || !latitude || lookupKey.symbol?.kind !== 'Column') {
    return translator.unsupported(`${plugin}() arguments`, call);
  }
  const optional = optionalArguments(rest);
  const expr = (name: string): Expr | undefined => {
    const node = optional.get(name);
    return node ? translator.expr(node) : undefined;
  };
  const radius = expr('radius');
  if (plugin === 'geo_line_lookup' && !radius)
    return translator.unsupported('geo_line_lookup() without a radius', call);
  const returnUnmatched = expr('return_unmatched');
  const returnLookupKey = expr('return_lookup_key');
  return {
    plugin,
    table: translator.tabular(table),
    lookupKey: nameOf(lookupKey),
    longitude: translator.expr(longitude),
    latitude: translator.expr(latitude),
    ...(radius ? { radius } : {}),
    ...(returnUnmatched ? { returnUnmatched } : {}),
    ...(returnLookupKey ? { returnLookupKey } : {}),
  };
}

type Matcher = (point: Vec) => boolean;

/** One matcher per lookup row: null for rows whose shape is invalid (they match nothing). */
function lookupMatchers(params: GeoLookupParams, shapes: Value[], radius: number | null): (Matcher | null)[] {
  if (params.plugin === 'geo_line_lookup') {
    return shapes.map((shape) => {
      const lines = parseLines(shape);
      if (!lines || radius === null) return null;
      return (p) => distanceToLines(lines, p) <= radius;
    });
  }
  return shapes.map((shape) => {
    const polygons = parsePolygons(shape);
    if (!polygons) return null;
    if (radius === null) return (p) => polygonsContain(polygons, p);
    return (p) => distanceToPolygons(polygons, p) <= radius;
  });
}

function numberOrNull(value: Value): number | null {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function sourcePoints(
  input: Table,
  params: GeoLookupParams,
  executor: Executor,
  scope: Scope,
): (Vec | null)[] {
  const column = (e: Expr) => executor.evaluate(executor.compile(e, input, scope), input.rowCount);
  const longitudes = column(params.longitude);
  const latitudes = column(params.latitude);
  return longitudes.map((lng, row) => {
    const position = parsePosition([numberOrNull(lng), numberOrNull(latitudes[row] ?? null)]);
    return position ? toVec(position) : null;
  });
}

function constantRadius(params: GeoLookupParams, executor: Executor, scope: Scope): number | null {
  if (!params.radius) return null;
  const radius = numberOrNull(executor.scalar(params.radius, scope));
  if (radius === null || radius < 0)
    throw new KqlError(`${params.plugin}(): the radius must be a non-negative number`);
  return radius;
}

interface OutputSource {
  side: 'input' | 'lookup';
  index: number;
}

/**
 * Where each output column comes from: the input's columns, then the lookup table's (without the
 * key column unless return_lookup_key), positionally, since the analyser renames clashing names.
 */
function outputSources(
  input: Table,
  lookup: Table,
  keyIndex: number,
  params: GeoLookupParams,
  node: Extract<Tabular, { op: 'generic' }>,
  executor: Executor,
  scope: Scope,
): OutputSource[] {
  const withKey = params.returnLookupKey ? executor.scalar(params.returnLookupKey, scope) === true : false;
  const sources: OutputSource[] = [
    ...input.columns.map((_, index) => ({ side: 'input' as const, index })),
    ...lookup.columns.flatMap((_, index) =>
      index === keyIndex && !withKey ? [] : [{ side: 'lookup' as const, index }],
    ),
  ];
  const typesAgree = sources.every((source, i) => {
    const column = (source.side === 'input' ? input : lookup).columns[source.index];
    return column?.type === node.columns[i]?.type;
  });
  if (sources.length !== node.columns.length || !typesAgree) {
    throw new NotSupportedError(`${params.plugin}() output columns`, executor.text, node.span.start);
  }
  return sources;
}

/** Runs the lookup; `node.columns` are the output columns the analyser computed. */
export function executeGeoLookup(
  input: Table,
  params: GeoLookupParams,
  node: Extract<Tabular, { op: 'generic' }>,
  executor: Executor,
  scope: Scope,
): Table {
  const lookup = executor.tabular(params.table, scope);
  const keyIndex = lookup.indexOf(params.lookupKey);
  if (keyIndex < 0)
    throw new KqlError(`${params.plugin}: no column '${params.lookupKey}' in the lookup table`);
  const sources = outputSources(input, lookup, keyIndex, params, node, executor, scope);
  const radius = constantRadius(params, executor, scope);
  const unmatched = params.returnUnmatched ? executor.scalar(params.returnUnmatched, scope) === true : false;
  const matchers = lookupMatchers(params, lookup.data[keyIndex] ?? [], radius);
  const pairs: { left: number; right: number }[] = [];
  sourcePoints(input, params, executor, scope).forEach((point, left) => {
    let found = false;
    if (point) {
      matchers.forEach((matches, right) => {
        if (!matches?.(point)) return;
        pairs.push({ left, right });
        found = true;
      });
    }
    if (!found && unmatched) pairs.push({ left, right: -1 });
  });
  const data = node.columns.map((column, i) => {
    const source = sources[i] as OutputSource;
    if (source.side === 'input') return pairs.map((p) => input.data[source.index]?.[p.left] ?? null);
    return pairs.map((p) =>
      p.right < 0 ? nullOf(column.type) : (lookup.data[source.index]?.[p.right] ?? null),
    );
  });
  return new Table(node.columns, data, pairs.length);
}
