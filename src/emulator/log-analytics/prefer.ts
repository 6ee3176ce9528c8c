/** The query API's `Prefer` header: `wait=<seconds>`, `include-statistics=true`, `include-render=true`. */

export interface QueryPreferences {
  /** The server timeout in seconds (default 180, at most 600). */
  waitSeconds: number;
  statistics: boolean;
  render: boolean;
  /** The preferences honoured, for the `Preference-Applied` header (empty: send none). */
  applied: string[];
}

const DEFAULT_WAIT_SECONDS = 180;
const MAX_WAIT_SECONDS = 600;

export function parsePrefer(header: string | undefined): QueryPreferences {
  const preferences: QueryPreferences = {
    waitSeconds: DEFAULT_WAIT_SECONDS,
    statistics: false,
    render: false,
    applied: [],
  };
  for (const part of (header ?? '').split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim().toLowerCase();
    if (name === 'wait' && /^\d+$/.test(value)) {
      preferences.waitSeconds = Math.min(Math.max(Number(value), 1), MAX_WAIT_SECONDS);
      preferences.applied.push(`wait=${preferences.waitSeconds}`);
    } else if (name === 'include-statistics' && value === 'true') {
      preferences.statistics = true;
      preferences.applied.push('include-statistics=true');
    } else if (name === 'include-render' && value === 'true') {
      preferences.render = true;
      preferences.applied.push('include-render=true');
    }
  }
  return preferences;
}
