/** The shape of a CLI command: its help text, its options and what it does. */

import type { ParsedArgs, OptionSpecs } from './args.js';
import type { Context } from './context.js';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s), after `neurorep`. */
  usage: string;
  /** Longer explanation for `neurorep <command> --help`. */
  description: string;
  options: OptionSpecs;
  /** The command keeps runs in the store: its writability is checked before computing. */
  storesRuns?: boolean;
  /** Returns the process exit code (0 ok). Throws InputError/UsageError/AnalysisError. */
  run(args: ParsedArgs, ctx: Context): Promise<number> | number;
}
