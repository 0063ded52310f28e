/**
 * The `neurorep` command line: dispatch to commands, map errors to exit codes
 * (0 ok, 1 analysis error, 2 usage or input error), never a stack trace for a user mistake.
 */

import { AnalysisError } from '../core/dimension.js';
import { InputError } from '../core/matrix.js';
import { formatOptions, GLOBAL_OPTIONS, parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { analyzeCommand } from './commands/analyze.js';
import { complexityCommand } from './commands/complexity.js';
import { dimensionCommand } from './commands/dimension.js';
import { infoCommand } from './commands/info.js';
import { patternsCommand } from './commands/patterns.js';
import { networkCommand } from './commands/network.js';
import { activationsCommand } from './commands/activations.js';
import { dynamicsCommand } from './commands/dynamics.js';
import { runsCommand } from './commands/runs.js';
import { compareCommand } from './commands/compare.js';
import { serveCommand } from './commands/serve.js';
import { reportCommand } from './commands/report.js';
import { demoCommand } from './commands/demo.js';
import { makeContext, processOutput, toolkitVersion, type Output } from './context.js';
import { installWorkerThreads } from '../parallel/pool.js';

export const COMMANDS: Command[] = [demoCommand, infoCommand, dimensionCommand, complexityCommand, patternsCommand, analyzeCommand, activationsCommand, networkCommand, dynamicsCommand, compareCommand, runsCommand, serveCommand, reportCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `neurorep ${toolkitVersion()}: complexity and dimensionality of neural representations`,
    '',
    'usage: neurorep <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'global options:',
    formatOptions(GLOBAL_OPTIONS),
    '',
    "Run 'neurorep <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 analysis error, 2 usage or input error.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: neurorep ${c.usage}`, '', c.description, '', 'options:', formatOptions(c.options), '', 'global options:', formatOptions(GLOBAL_OPTIONS)].join('\n');
}

/** Run the CLI on argv (without node and script). Returns the exit code. */
export async function runCli(argv: readonly string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(mainHelp() + '\n');
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(toolkitVersion() + '\n');
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const args = parseArgs(rest, command.options);
    if (args.options.help) {
      io.out(commandHelp(command) + '\n');
      return 0;
    }
    if (args.options.version) {
      io.out(toolkitVersion() + '\n');
      return 0;
    }
    installWorkerThreads();
    const ctx = makeContext(io, {
      quiet: args.options.quiet as boolean | undefined,
      json: args.options.json as boolean | undefined,
      store: args.options.store as string | undefined,
      noStore: args.options['no-store'] as boolean | undefined,
    });
    return await command.run(args, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`neurorep: ${err.message}\nRun 'neurorep ${name && COMMANDS.some((c) => c.name === name) ? name + ' ' : ''}--help' for usage.\n`);
      return 2;
    }
    if (err instanceof InputError) {
      io.err(`neurorep: ${err.message}\n`);
      return 2;
    }
    if (err instanceof AnalysisError) {
      io.err(`neurorep: analysis failed: ${err.message}\n`);
      return 1;
    }
    const e = err as Error;
    io.err(`neurorep: internal error: ${e?.message ?? String(err)}\n${process.env.NEUROREP_DEBUG ? (e?.stack ?? '') + '\n' : '(set NEUROREP_DEBUG=1 for the stack trace; please report it)\n'}`);
    return 1;
  }
}
