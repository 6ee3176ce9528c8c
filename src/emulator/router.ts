/**
 * Path routing. Patterns use `:name` segments and match case-insensitively, because ARM paths arrive
 * in mixed case (`resourcegroups` and `resourceGroups`, `microsoft.aadiam` and `Microsoft.AADIAM`).
 */
import type { EmulatorContext } from './context.js';
import type { EmulatorReply, EmulatorRequest } from './http.js';

export type Params = Record<string, string>;

export type Handler = (
  request: EmulatorRequest,
  params: Params,
  context: EmulatorContext,
) => EmulatorReply | Promise<EmulatorReply>;

export interface Route {
  /** HTTP methods this route answers; others get 405. */
  methods: readonly string[];
  /** e.g. `/v1/workspaces/:workspaceId/query`; a trailing `/*rest` captures the remainder. */
  pattern: string;
  handler: Handler;
  /** Routes that need no bearer token (none of the Azure ones). */
  anonymous?: boolean;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.pattern
        .split('/')
        .map((segment) => {
          if (segment.startsWith('*')) {
            names.push(segment.slice(1));
            return '(.*)';
          }
          if (segment.startsWith(':')) {
            names.push(segment.slice(1));
            return '([^/]+)';
          }
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      this.routes.push({ ...route, regex: new RegExp(`^${source}/?$`, 'i'), names });
    }
    return this;
  }

  /** The route for a path, its parameters, and whether the method is allowed. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Params } | { methodNotAllowed: true } | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (!route.methods.includes(method)) continue;
      const params: Params = {};
      route.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1]);
      });
      return { route, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
