import type { Options } from 'yargs';
import { type ParameterDef, ParameterError } from '../queries/parameters.js';

export const timeOptions = {
  since: {
    type: 'string',
    describe: 'Time range ending now: 30d, 24h, P90D (sets the TimeRange parameter)',
  },
  from: { type: 'string', describe: 'Start of an absolute time range (ISO 8601)' },
  to: { type: 'string', describe: 'End of an absolute time range (ISO 8601; default: now)' },
} satisfies Record<string, Options>;

export const paramOption = {
  type: 'string',
  array: true,
  default: [] as string[],
  describe: 'A parameter value, Name=Value (repeat for lists)',
} satisfies Options;

export const nowOption = {
  type: 'string',
  describe: 'The time now() and ago() use (ISO 8601), for reproducible results',
} satisfies Options;

export interface TimeArgs {
  since?: string;
  from?: string;
  to?: string;
}

/** `--since` / `--from` / `--to` as the text of a timerange parameter, or undefined when none is given. */
export function timeRangeText(args: TimeArgs, now: string): string | undefined {
  if (args.since !== undefined && (args.from !== undefined || args.to !== undefined))
    throw new ParameterError('give either --since or --from/--to, not both');
  if (args.since !== undefined) return args.since;
  if (args.to !== undefined && args.from === undefined) throw new ParameterError('--to needs --from');
  if (args.from !== undefined) return `${args.from}/${args.to ?? now}`;
  return undefined;
}

/**
 * Sets the time-range parameter of a query or report (`owner`, e.g. "query top-errors") from
 * `--since`/`--from`/`--to` text, refusing a second value given with `--param`.
 */
export function applyTimeRange(
  texts: Map<string, readonly string[]>,
  parameters: readonly Pick<ParameterDef, 'name' | 'type'>[],
  range: string | undefined,
  owner: string,
): void {
  if (range === undefined) return;
  const timeParam = parameters.find((p) => p.type === 'timerange');
  if (!timeParam) throw new ParameterError(`${owner} has no time range parameter for --since/--from/--to`);
  if (texts.has(timeParam.name))
    throw new ParameterError(
      `give the time range either with --param ${timeParam.name}= or with --since/--from`,
    );
  texts.set(timeParam.name, [range]);
}
