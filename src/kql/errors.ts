import { lineAndColumn } from './analyzer.js';

/** A query that cannot run: bad syntax, a semantic error, or a runtime failure. */
export class KqlError extends Error {
  override name = 'KqlError';
  constructor(
    message: string,
    readonly code = 'SemanticError',
  ) {
    super(message);
  }
}

/** Something the engine does not implement. It fails rather than give a wrong answer. */
export class NotSupportedError extends KqlError {
  override name = 'NotSupportedError';
  constructor(what: string, text: string, start: number) {
    const { line, column } = lineAndColumn(text, start);
    super(`not supported: ${what} at ${line}:${column}`, 'NotSupported');
  }
}
