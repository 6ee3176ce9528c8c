/**
 * Saved searches of a workspace (`…/workspaces/{ws}/savedSearches/{id}`); one with a functionAlias is
 * a workspace function, which the query API can call by that name.
 */
import type { EmulatorContext } from '../context.js';
import { jsonReply } from '../http.js';
import type { ArmResource } from '../resources.js';
import type { Route } from '../router.js';
import {
  apiVersion,
  armError,
  badRequest,
  isObject,
  type Json,
  listReply,
  newEtag,
  objectAt,
  objectBody,
  publicView,
  resourceNotFound,
} from './common.js';
import { parentWorkspace } from './log-analytics-workspaces.js';

export const SAVED_SEARCH_TYPE = 'Microsoft.OperationalInsights/savedSearches';
const API_VERSIONS = ['2020-08-01', '2025-02-01'] as const;

export interface WorkspaceFunction {
  name: string;
  /** e.g. `from:datetime, to:datetime = now()`; empty when the function takes none. */
  parameters: string;
  body: string;
}

/** The functions (saved searches with a functionAlias) of a workspace, for the query API. */
export function workspaceFunctions(context: EmulatorContext, workspaceArmId: string): WorkspaceFunction[] {
  return context.resources.list(SAVED_SEARCH_TYPE, workspaceArmId).flatMap((r) => {
    const p = objectAt(r, 'properties');
    return typeof p.functionAlias === 'string' && p.functionAlias !== ''
      ? [{ name: p.functionAlias, parameters: String(p.functionParameters ?? ''), body: String(p.query) }]
      : [];
  });
}

export function savedSearchRoutes(): Route[] {
  const base =
    '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.OperationalInsights/workspaces/:ws/savedSearches';
  return [
    {
      methods: ['GET'],
      pattern: base,
      handler: (request, params, context) => {
        apiVersion(request, API_VERSIONS, SAVED_SEARCH_TYPE);
        const ws = parentWorkspace(context, params);
        return listReply(context.resources.list(SAVED_SEARCH_TYPE, ws.id).map(publicView));
      },
    },
    {
      methods: ['GET', 'PUT', 'DELETE'],
      pattern: `${base}/:id`,
      handler: (request, params, context) => {
        apiVersion(request, API_VERSIONS, SAVED_SEARCH_TYPE);
        const ws = parentWorkspace(context, params);
        const existing = context.resources.get(`${ws.id}/savedSearches/${params.id}`);
        if (request.method === 'GET') {
          if (!existing) throw resourceNotFound(SAVED_SEARCH_TYPE, `${params.ws}/${params.id}`, params.rg);
          return jsonReply(200, publicView(existing));
        }
        if (request.method === 'DELETE') {
          if (!existing) return { status: 204 };
          context.resources.delete(existing.id);
          return { status: 200 };
        }
        const body = objectBody(request);
        const id = existing?.id ?? `${ws.id}/savedSearches/${params.id}`;
        const properties = checkProperties(context, ws, id, objectAt(body, 'properties'));
        const stored: ArmResource = {
          id,
          name: id.split('/').pop() ?? params.id,
          type: SAVED_SEARCH_TYPE,
          etag: newEtag(),
          properties,
        };
        context.resources.put(stored);
        return jsonReply(200, publicView(stored));
      },
    },
  ];
}

function checkProperties(context: EmulatorContext, ws: ArmResource, id: string, input: Json): Json {
  for (const field of ['category', 'displayName', 'query'] as const) {
    if (typeof input[field] !== 'string' || (input[field] as string).trim() === '') {
      throw badRequest(`properties.${field} is required.`, 'BadRequest');
    }
  }
  const alias = input.functionAlias;
  if (alias !== undefined && alias !== null && alias !== '') {
    if (typeof alias !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(alias)) {
      throw badRequest(
        `functionAlias '${String(alias)}' is invalid: use letters, digits and underscores, starting with a letter (no spaces, no leading underscore).`,
        'BadRequest',
      );
    }
    const clash = context.resources
      .list(SAVED_SEARCH_TYPE, ws.id)
      .find(
        (r) =>
          r.id.toLowerCase() !== id.toLowerCase() &&
          String(objectAt(r, 'properties').functionAlias ?? '').toLowerCase() === alias.toLowerCase(),
      );
    if (clash) {
      throw armError(
        409,
        'Conflict',
        `Function alias '${alias}' is already used by saved search '${clash.name}'.`,
      );
    }
  }
  const parameters = input.functionParameters;
  if (parameters !== undefined && parameters !== null) {
    if (typeof parameters !== 'string' || !validParameters(parameters)) {
      throw badRequest(
        `functionParameters '${String(parameters)}' is invalid: use 'name:type[ = default], …'.`,
        'BadRequest',
      );
    }
  }
  if (
    input.version !== undefined &&
    (typeof input.version !== 'number' || !Number.isInteger(input.version))
  ) {
    throw badRequest('properties.version must be an integer.', 'BadRequest');
  }
  const tags = input.tags ?? [];
  if (
    !Array.isArray(tags) ||
    !tags.every((t) => isObject(t) && typeof t.name === 'string' && typeof t.value === 'string')
  ) {
    throw badRequest('properties.tags must be an array of {name, value} strings.', 'BadRequest');
  }
  return { ...input, tags };
}

function validParameters(text: string): boolean {
  if (text.trim() === '') return true;
  // Defaults may hold quoted commas; only unquoted text is split.
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.every((p) => /^\s*[A-Za-z_][A-Za-z0-9_]*\s*:\s*[A-Za-z]+(\s*=\s*\S.*)?\s*$/s.test(p));
}
