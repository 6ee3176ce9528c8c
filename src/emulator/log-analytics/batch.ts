/**
 * `POST /v1/$batch`: `{"requests":[{id, headers?, body, path:"/query", method:"POST", workspace}]}` →
 * `{"responses":[{id, status, headers?, body?}]}`. Each request gets its own status; the whole batch
 * fails only for a malformed body or missing/duplicate ids. Responses come in request order (the
 * service does not promise an order; the SDK hands them back as they come).
 */
import type { EmulatorContext } from '../context.js';
import { type EmulatorReply, type EmulatorRequest, errorReply } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import { resourceNotFound, workspaceNotFound } from './errors.js';
import { type QueryBody, queryOn, readJsonBody } from './request.js';

interface BatchItem {
  id?: unknown;
  headers?: unknown;
  body?: unknown;
  path?: unknown;
  method?: unknown;
  workspace?: unknown;
  resource?: unknown;
}

export async function answerBatch(
  request: EmulatorRequest,
  context: EmulatorContext,
): Promise<EmulatorReply> {
  const parsed = readJsonBody(request);
  if (parsed === undefined)
    return errorReply(
      400,
      'BadArgumentError',
      'The batch request needs a JSON body (Content-Type: application/json).',
    );
  if ('reply' in parsed) return parsed.reply;
  const requests = (parsed.body as { requests?: unknown }).requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return errorReply(400, 'BadArgumentError', 'The batch body needs "requests": a non-empty array.');
  const seen = new Set<string>();
  for (const [index, item] of (requests as BatchItem[]).entries()) {
    if (typeof item !== 'object' || item === null)
      return errorReply(400, 'BadArgumentError', `Batch request ${index} is not an object.`);
    if (typeof item.id !== 'string' || item.id === '')
      return errorReply(400, 'BadArgumentError', `Batch request ${index} has no "id".`);
    if (seen.has(item.id))
      return errorReply(400, 'BadArgumentError', `Batch request id "${item.id}" is used twice.`);
    seen.add(item.id);
  }
  const parts: string[] = [];
  for (const item of requests as BatchItem[]) {
    const reply = await answerItem(item, context);
    parts.push(responseJson(item.id as string, reply));
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: `{"responses":[${parts.join(',')}]}`,
  };
}

async function answerItem(item: BatchItem, context: EmulatorContext): Promise<EmulatorReply> {
  const method = typeof item.method === 'string' ? item.method.toUpperCase() : 'POST';
  if (method !== 'POST') return errorReply(405, 'MethodNotAllowed', `${method} is not supported in a batch.`);
  const path = typeof item.path === 'string' ? item.path : '/query';
  let workspace: LogWorkspace | undefined;
  if (path.toLowerCase() === '/query') {
    if (typeof item.workspace !== 'string' || item.workspace === '')
      return errorReply(400, 'BadArgumentError', 'The batch request names no "workspace".');
    workspace = context.logs.get(item.workspace);
    if (!workspace) return workspaceNotFound(item.workspace);
  } else if (/\/query$/i.test(path) && /^\/subscriptions\//i.test(path)) {
    const id = path.replace(/\/query$/i, '');
    workspace = context.logs.byArmId(id);
    if (!workspace) return resourceNotFound(id);
  } else {
    return errorReply(404, 'PathNotFoundError', `The requested path does not exist: ${path}`);
  }
  const body = (typeof item.body === 'object' && item.body !== null ? item.body : {}) as QueryBody;
  return queryOn(context, workspace, body, { prefer: headerOf(item.headers, 'prefer') });
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  return undefined;
}

/** One response of the batch, as JSON text (a success body is already JSON text, exact longs kept). */
function responseJson(id: string, reply: EmulatorReply): string {
  const headers = Object.fromEntries(
    Object.entries(reply.headers ?? {}).filter(
      ([k]) => !['content-type', 'x-ms-error-code'].includes(k.toLowerCase()),
    ),
  );
  const fields = [`"id":${JSON.stringify(id)}`, `"status":${reply.status}`];
  if (Object.keys(headers).length > 0) fields.push(`"headers":${JSON.stringify(headers)}`);
  if (reply.body !== undefined && reply.body !== '' && reply.status !== 204) {
    fields.push(`"body":${typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)}`);
  }
  return `{${fields.join(',')}}`;
}
