#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 keeps compiled code on disk between runs (start-up of the report and engine modules).
module.enableCompileCache?.();

const { main } = await import('../dist/src/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`provlog: internal error: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 70;
  },
);
