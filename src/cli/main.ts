import yargs from 'yargs';
import { UserError } from '../errors.js';
import { provlogVersion } from '../package-root.js';
import { demoCommand } from './commands/demo.js';
import { emulatorCommand } from './commands/emulator.js';
import { generateCommand } from './commands/generate.js';
import { importCommand } from './commands/import.js';
import { ingestCommand } from './commands/ingest.js';
import { pullCommand } from './commands/pull.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { statusCommand } from './commands/status.js';
import { workspaceCommand } from './commands/workspace.js';
import { exitCodes } from './exit-codes.js';

class UsageError extends Error {}

/** Runs the CLI; resolves to the process exit code. Heavy modules load inside the command handlers. */
export async function main(argv: string[]): Promise<number> {
  const outcome = { code: exitCodes.ok };
  const cli = yargs(argv)
    .scriptName('provlog')
    .usage('$0 <command> [options]\n\nMicrosoft Entra ID provisioning logs: import, store, query and report.')
    .option('json', {
      type: 'boolean',
      default: false,
      global: true,
      describe: 'Machine-readable output on stdout',
    })
    .command(generateCommand(outcome))
    .command(importCommand(outcome))
    .command(ingestCommand(outcome))
    .command(queryCommand(outcome))
    .command(reportCommand(outcome))
    .command(workspaceCommand(outcome))
    .command(demoCommand(outcome))
    .command(emulatorCommand(outcome))
    .command(pullCommand(outcome))
    .command(statusCommand(outcome))
    .demandCommand(1, 'Name a command; see provlog --help')
    .recommendCommands()
    .strict()
    .version(provlogVersion())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      // yargs reports its own validation failures as YError; anything else is a real error.
      // (a failed .check() arrives with its message as a string, not an Error).
      if (error instanceof Error && error.name !== 'YError') throw error;
      throw new UsageError(message ?? String(error));
    });
  try {
    await cli.parseAsync();
    return outcome.code;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`provlog: ${error.message}\nRun 'provlog --help' for usage.\n`);
      return exitCodes.usage;
    }
    if (error instanceof UserError) {
      process.stderr.write(`provlog: ${error.message}\n`);
      return error.exitCode;
    }
    if (isUserFacing(error)) {
      process.stderr.write(`provlog: ${(error as Error).message}\n`);
      return exitCodes.error;
    }
    throw error;
  }
}

/** File-system and input errors are the user's to fix; print them without a stack trace. */
function isUserFacing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (['SourceError', 'ParameterError', 'QueryFileError', 'ReportDefinitionError'].includes(error.name))
    return true;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOSPC'
  );
}
