/**
 * The `neurorep` command line: dispatch to commands, map errors to exit codes
 * (0 ok, 1 analysis error, 2 usage or input error), never a stack trace for a user mistake.
 */

import { AnalysisError, InputError } from '../core/matrix.js';
import { didYouMean, formatOptions, GLOBAL_OPTIONS, inputFilesOf, jsonOption, parseArgs, STORING_OPTIONS, UsageError, type ParsedOptions } from './args.js';
import { checkOutputPath } from './outputPath.js';
import type { Command } from './command.js';
import { makeContext, processOutput, type Output } from './context.js';
import { toolkitVersion } from '../package.js';
import { installWorkerThreads } from '../runtime/pool.js';
import { installOnnxProducts } from '../runtime/ortProducts.js';
import { applyKernelsSwitch } from '../runtime/kernelsSwitch.js';
import { StoreNotUpdated } from './storeNotUpdated.js';
import { setMaxArrayBytes } from '../io/zip.js';
import { printable } from './text.js';
import { withFlags } from '../report/flags.js';

/** A file-system error (missing path, a folder where a file was expected, no permission, full disk) as a user-facing message naming the path. */
function fileSystemMessage(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EISDIR: 'is a folder, expected a file',
    ENOTDIR: 'a part of the path is not a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'already exists',
    ENAMETOOLONG: 'name too long',
  };
  if (!e || typeof e.code !== 'string' || !(e.code in what)) return null;
  return `${e.path ?? (e as { dest?: string }).dest ?? '(a path)'}: ${what[e.code]}`;
}

/**
 * The commands, loaded only when run (start-up stays small: `patterns` never loads express, the
 * ONNX runtime or the HDF5 library). The one-line summaries here serve `neurorep --help`.
 */
export const COMMANDS: { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'demo',
    summary: 'synthetic NWB session + small network, analyzed, stored and compared (add --serve to browse)',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'info',
    summary: 'inventory of an NWB/HDF5 recording or a matrix/activation file',
    load: async () => (await import('./commands/info.js')).infoCommand,
  },
  {
    name: 'dimension',
    summary: 'effective dimension, participation ratio and power-law exponent of a matrix',
    load: async () => (await import('./commands/dimension.js')).dimensionCommand,
  },
  {
    name: 'complexity',
    summary: 'complexity of the map X -> Y: how many linear pieces, and how much information to pick one',
    load: async () => (await import('./commands/complexity.js')).complexityCommand,
  },
  {
    name: 'patterns',
    summary: 'activation-pattern entropy: switching fraction, subset entropies, whole-population entropy',
    load: async () => (await import('./commands/patterns.js')).patternsCommand,
  },
  {
    name: 'analyze',
    summary: 'NWB recording -> stimulus-locked responses per brain area -> every observable',
    load: async () => (await import('./commands/analyze.js')).analyzeCommand,
  },
  {
    name: 'batch',
    summary: 'analyze many NWB sessions with the same options, N at a time; resumable',
    load: async () => (await import('./commands/batch.js')).batchCommand,
  },
  {
    name: 'activations',
    summary: 'run an ONNX model on inputs (.npy) and save layer activations (.npz) for `network`',
    load: async () => (await import('./commands/activations.js')).activationsCommand,
  },
  {
    name: 'network',
    summary: 'depth profile of a network: observables per layer, complexity between layers',
    load: async () => (await import('./commands/network.js')).networkCommand,
  },
  {
    name: 'dynamics',
    summary: 'observables per layer over training checkpoints, with fits compared (power law, offset, logistic)',
    load: async () => (await import('./commands/dynamics.js')).dynamicsCommand,
  },
  {
    name: 'compare',
    summary: 'areas and layers side by side: predictivity, RSA, shape metrics, CKA, noise ceilings, layer mapping',
    load: async () => (await import('./commands/compare.js')).compareCommand,
  },
  {
    name: 'import',
    summary: 'merge run shards (from --out-record) into the store; importing twice changes nothing',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
  {
    name: 'summary',
    summary: 'one row per session x area over a batch (or given runs): every scalar observable with its interval',
    load: async () => (await import('./commands/summary.js')).summaryCommand,
  },
  {
    name: 'runs',
    summary: 'list the runs kept in the store (runs rm <id>... deletes runs)',
    load: async () => (await import('./commands/runs.js')).runsCommand,
  },
  {
    name: 'serve',
    summary: 'browse stored runs in a web viewer (binds 127.0.0.1 by default)',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'report',
    summary: 'write one self-contained HTML report of a run (opens offline)',
    load: async () => (await import('./commands/report.js')).reportCommand,
  },
];

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

/** A command's own options, with --label on every command that stores runs. */
function optionsOf(c: Command): Command['options'] {
  return c.storesRuns ? { ...STORING_OPTIONS, ...c.options } : c.options;
}

function commandHelp(c: Command): string {
  return [
    `usage: neurorep ${c.usage}`,
    '',
    c.description,
    '',
    'options:',
    formatOptions(optionsOf(c)),
    '',
    'global options:',
    formatOptions(GLOBAL_OPTIONS),
  ].join('\n');
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
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) {
      const near = didYouMean(
        name,
        COMMANDS.map((c) => c.name),
      );
      throw new UsageError(`unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    }
    const command = await entry.load();
    const args = parseArgs(rest, optionsOf(command), command.renamed);
    // The dispatcher knows only the options every command shares; each command's run() sees its own, typed.
    const shared = args.options as ParsedOptions<typeof GLOBAL_OPTIONS & typeof STORING_OPTIONS & { json: ReturnType<typeof jsonOption> }>;
    const label = shared.label;
    if (label !== undefined && (label.trim() === '' || label.length > 200)) throw new UsageError('--label takes a non-empty text of at most 200 characters');
    if (shared.help) {
      io.out(commandHelp(command) + '\n');
      return 0;
    }
    if (shared.version) {
      io.out(toolkitVersion() + '\n');
      return 0;
    }
    applyKernelsSwitch();
    installWorkerThreads();
    installOnnxProducts();
    setMaxArrayBytes(shared['max-array-bytes'] ?? null);
    const ctx = makeContext(io, {
      quiet: shared.quiet,
      json: shared.json,
      store: shared.store,
      noStore: shared['no-store'],
      label,
      outRecord: shared['out-record'],
    });
    if (ctx.outRecord !== undefined) {
      // Before any computation: a run never ends in "cannot write".
      checkOutputPath(ctx.outRecord, {
        store: ctx.store,
        // Positionals and every file-valued option (a missing file is no clash; symlinks resolve in the check).
        inputs: [...args.positionals, ...inputFilesOf(args.options, optionsOf(command))]
          .filter((p) => !p.includes('://'))
          .map((p) => p.replace(/\.npz:.*$/i, '.npz')),
        force: shared.force === true,
        option: '--out-record',
      });
    }
    // Loaded here, not at start-up: the store module brings SQLite and the record schemas.
    if (command.storesRuns) (await import('./save.js')).checkStore(ctx);
    return await command.run(args, ctx);
  } catch (err) {
    if (err instanceof StoreNotUpdated) {
      io.err(`neurorep: ${printable(err.message)}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      io.err(`neurorep: ${printable(err.message)}\nRun 'neurorep ${name && COMMANDS.some((c) => c.name === name) ? name + ' ' : ''}--help' for usage.\n`);
      return 2;
    }
    if (err instanceof InputError) {
      io.err(`neurorep: ${printable(withFlags(err.message))}\n`);
      return 2;
    }
    if (err instanceof AnalysisError) {
      io.err(`neurorep: analysis failed: ${printable(withFlags(err.message))}\n`);
      return 1;
    }
    const fsProblem = fileSystemMessage(err);
    if (fsProblem) {
      io.err(`neurorep: ${printable(fsProblem)}\n`);
      return 2;
    }
    const e = err as Error;
    io.err(
      `neurorep: internal error: ${e?.message ?? String(err)}\n${process.env.NEUROREP_DEBUG ? (e?.stack ?? '') + '\n' : '(set NEUROREP_DEBUG=1 for the stack trace; please report it)\n'}`,
    );
    return 1;
  }
}
