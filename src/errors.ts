/** A mistake of the user's (bad argument, missing file, bad input): reported in one line, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
