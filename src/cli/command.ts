/** The shape of a CLI command: its help text, its options and what it does. */

import type { ParsedArgs, OptionSpecs } from './args.js';
import type { Context } from './context.js';

export interface Command<S extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s), after `neurorep`. */
  usage: string;
  /** Longer explanation for `neurorep <command> --help`. */
  description: string;
  options: S;
  /** Old option names and the names that replaced them (default: --bootstrap is now --intervals). */
  renamed?: Readonly<Record<string, string>>;
  /** The command keeps runs in the store: its writability is checked before computing. */
  storesRuns?: boolean;
  /** Returns the process exit code (0 ok). Throws InputError/UsageError/AnalysisError. */
  run(args: ParsedArgs<S>, ctx: Context): Promise<number> | number;
}

/** A command whose parsed options are typed from its option specs (so no command casts them). */
export function defineCommand<const S extends OptionSpecs>(command: Command<S>): Command<S> {
  return command;
}
