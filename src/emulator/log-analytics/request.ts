/** Reading a query request (body or query string) and running it on the workspaces it names. */
import type { EmulatorContext } from '../context.js';
import { type EmulatorReply, type EmulatorRequest, errorReply, header } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import { unresolvedWorkspace } from './errors.js';
import { answerQuery } from './execute.js';

export interface QueryBody {
  query?: unknown;
  timespan?: unknown;
  workspaces?: unknown;
}

/** A single query request: the body (POST) or the query string (GET) names the query and timespan. */
export async function queryRequest(
  request: EmulatorRequest,
  workspace: LogWorkspace,
  context: EmulatorContext,
): Promise<EmulatorReply> {
  const search = request.url.searchParams;
  let body: QueryBody = {};
  if (request.method === 'POST') {
    const parsed = readJsonBody(request);
    // The service answers a request without a JSON body with 200 and nothing in it.
    if (parsed === undefined) return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
    if ('reply' in parsed) return parsed.reply;
    body = parsed.body;
  } else {
    body = {
      query: search.get('query') ?? undefined,
      workspaces: search.get('workspaces')?.split(',') ?? undefined,
    };
  }
  return queryOn(context, workspace, body, {
    queryStringTimespan: search.get('timespan') ?? undefined,
    prefer: header(request, 'prefer'),
  });
}

/** Runs a query body on a workspace and the body's additional workspaces (shared with `$batch`). */
export async function queryOn(
  context: EmulatorContext,
  workspace: LogWorkspace,
  body: QueryBody,
  options: { queryStringTimespan?: string; prefer?: string | undefined },
): Promise<EmulatorReply> {
  const workspaces = [workspace];
  if (body.workspaces !== undefined && body.workspaces !== null) {
    if (!Array.isArray(body.workspaces))
      return errorReply(
        400,
        'BadArgumentError',
        '"workspaces" must be an array of workspace ids, names or resource ids.',
      );
    for (const name of body.workspaces) {
      const found = typeof name === 'string' ? resolveWorkspace(context, name) : undefined;
      if (!found) return unresolvedWorkspace(String(name));
      if (!workspaces.includes(found)) workspaces.push(found);
    }
  }
  return answerQuery(context, {
    workspaces,
    query: body.query,
    timespans: [options.queryStringTimespan, body.timespan],
    prefer: options.prefer,
  });
}

/** A workspace by GUID, ARM resource id, or name. */
function resolveWorkspace(context: EmulatorContext, name: string): LogWorkspace | undefined {
  const byId = context.logs.get(name) ?? context.logs.byArmId(name.startsWith('/') ? name : `/${name}`);
  if (byId) return byId;
  const lower = name.toLowerCase();
  return context.logs.list().find((w) => w.armId.split('/').pop()?.toLowerCase() === lower);
}

/**
 * The body of a POST as JSON: undefined when it is not JSON at all (no JSON content type), a reply
 * when it is malformed.
 */
export function readJsonBody(
  request: EmulatorRequest,
): { body: QueryBody } | { reply: EmulatorReply } | undefined {
  const type = header(request, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(type.trim())) return undefined;
  const text = request.body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return { reply: errorReply(400, 'BadArgumentError', 'The request body must be a JSON object.') };
    return { body: parsed as QueryBody };
  } catch (error) {
    return {
      reply: errorReply(
        400,
        'BadArgumentError',
        `The request body is not valid JSON: ${(error as Error).message}`,
      ),
    };
  }
}
