// The poseidon-monitor command line: its commands, and how errors become exit codes (2: bad usage).

import { Command, CommanderError } from 'commander';
import { ValidationError } from '../errors.js';
import { PACKAGE_VERSION } from '../telemetry/packageVersion.js';
import { dbCommand } from './commands/db.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { UsageError } from './internal/UsageError.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The program with every command; commander's own exits are turned into exceptions (see {@link runCli}). */
export function buildProgram(): Command {
  const program = new Command('poseidon-monitor')
    .description('Monitoring for crypto trading bots: a demo bot, the metrics server, reports and exports over the SQLite history.')
    .version(PACKAGE_VERSION, '-V, --version')
    .addCommand(demoCommand())
    .addCommand(serveCommand())
    .addCommand(reportCommand())
    .addCommand(exportCommand())
    .addCommand(dbCommand())
    .addHelpText(
      'after',
      '\nEvery POSEIDON_* variable applies; flags win over variables.\nExample: poseidon-monitor demo --speed 600 --duration 5m',
    );
  configure(program);
  return program;
}

// Settings given to a parent are not inherited by commands added with addCommand, so apply them to all.
function configure(command: Command): void {
  command.exitOverride().showHelpAfterError('(add --help for usage)').allowExcessArguments(false);
  for (const sub of command.commands) configure(sub);
}

/** Runs the CLI on `argv` (as `process.argv`) and resolves to the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; every other commander exit is a usage error, already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A ValidationError here comes from what the user typed (a bad --hour, a bad POSEIDON_* variable).
    if (error instanceof UsageError || error instanceof ValidationError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
}
