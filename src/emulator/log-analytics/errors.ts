/**
 * The query API's error bodies: `{"error":{"code","message","innererror"?}}`. Query errors are 400
 * `BadArgumentError` with an innererror `SyntaxError` or `SemanticError`; the innermost message is the
 * engine's diagnostic (line:col, the source line and a caret), the same text the local CLI prints.
 */
import { randomUUID } from 'node:crypto';
import type { Diagnostic } from '../../kql/analyzer.js';
import { QueryError } from '../../kql/engine.js';
import type { KqlError } from '../../kql/errors.js';
import { type EmulatorReply, errorReply } from '../http.js';

const INVALID = 'The request had some invalid properties';

export function badArgument(
  innerCode: string,
  message: string,
  inner: Record<string, unknown> = {},
): EmulatorReply {
  return errorReply(400, 'BadArgumentError', INVALID, {
    correlationId: randomUUID(),
    innererror: { code: innerCode, message, ...inner },
  });
}

export function workspaceNotFound(id: string): EmulatorReply {
  return errorReply(404, 'PathNotFoundError', `The requested path does not exist`, {
    innererror: { code: 'WorkspaceNotFoundError', message: `Workspace ${id} could not be found.` },
  });
}

export function resourceNotFound(id: string): EmulatorReply {
  return errorReply(404, 'PathNotFoundError', `The requested path does not exist`, {
    innererror: { code: 'ResourceNotFoundError', message: `The resource ${id} could not be found.` },
  });
}

export function unresolvedWorkspace(name: string): EmulatorReply {
  return errorReply(400, 'FailedToResolveResource', `Failed to resolve the workspace '${name}'.`);
}

/** Kusto's syntax diagnostics are KS0xx; binding (semantic) ones KS1xx and above. */
function isSyntax(d: Diagnostic): boolean {
  const n = Number(/^KS(\d+)$/.exec(d.code)?.[1] ?? '0');
  return n < 100;
}

/** The 400 answer to a query the engine refused (syntax, semantics, an unsupported feature, a runtime failure). */
export function queryErrorReply(error: KqlError, text: string): EmulatorReply {
  if (error instanceof QueryError && error.diagnostics.length > 0) {
    const first = error.diagnostics[0];
    const token = text.slice(first.start, first.end);
    return badArgument(
      isSyntax(first) ? 'SyntaxError' : 'SemanticError',
      isSyntax(first) ? 'A recognition error occurred in the query.' : 'A semantic error occurred.',
      {
        line: first.line,
        pos: first.column - 1,
        ...(token ? { token } : {}),
        innererror: { code: first.code, message: error.message },
      },
    );
  }
  if (error.code === 'BadArgumentError') {
    // Control commands (`.show …`): the query endpoint does not parse them.
    return badArgument('SyntaxError', 'A recognition error occurred in the query.', {
      line: 1,
      pos: 0,
      token: '.',
      innererror: {
        code: 'SYN0002',
        message: `Control commands cannot run on the query endpoint: ${error.message}`,
      },
    });
  }
  return badArgument('SemanticError', 'A semantic error occurred.', {
    innererror: { code: error.code, message: error.message },
  });
}

/** The partial-failure `error` of a response whose tables were cut at the result row limit. */
export function resultTooLarge(limit: number): Record<string, unknown> {
  return {
    code: 'PartialError',
    message: 'There were some errors when processing your query.',
    details: [
      {
        code: 'EngineError',
        message: 'Something went wrong processing your query on the server.',
        innererror: {
          code: 'E_QUERY_RESULT_SET_TOO_LARGE',
          message: `Query result set has exceeded the internal record count limit ${limit} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)`,
          severity: 2,
          severityName: 'Error',
        },
      },
    ],
  };
}

export function gatewayTimeout(seconds: number): EmulatorReply {
  return errorReply(504, 'GatewayTimeout', 'Gateway timeout', {
    innererror: {
      code: 'GatewayTimeout',
      message: `The query ran longer than the ${seconds} s the request allowed (Prefer: wait=${seconds}).`,
    },
  });
}
