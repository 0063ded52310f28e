/**
 * Command-line parsing: `--name value`, `--name=value`, boolean flags, and options whose value is
 * optional (`--bootstrap` alone means its default). Unknown options and bad values are usage
 * errors (exit 2) that name the option.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionType = 'string' | 'number' | 'integer' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  /** Value used when an optional-value option is given without a value. */
  implicit?: number | string;
  /** Allowed range for numbers. */
  min?: number;
  max?: number;
  /** One-line description for --help. */
  help: string;
  /** Placeholder for --help, e.g. 'B'. */
  arg?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | undefined>;
}

/** `--seed S`, shared by every command with a random step. */
export const SEED_OPTION: OptionSpec = { type: 'integer', arg: 'S', help: 'random seed (default 0)' };

/** `--json`: the command's output as one JSON object on stdout. */
export function jsonOption(what = 'the run record'): OptionSpec {
  return { type: 'boolean', help: `print ${what} as one JSON object` };
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  store: { type: 'string', arg: 'DIR', help: 'results store directory (default $NEUROREP_STORE, else ./.neurorep)' },
  'no-store': { type: 'boolean', help: 'do not keep this run in the store' },
  quiet: { type: 'boolean', help: 'no progress or log lines on stderr' },
  'max-array-bytes': { type: 'integer', min: 1, arg: 'BYTES', help: 'largest array read from an .npz member (default $NEUROREP_MAX_ARRAY_BYTES, else half the free memory)' },
  help: { type: 'boolean', help: 'show help' },
  version: { type: 'boolean', help: 'print the version' },
};

/** On every command that stores runs. */
export const LABEL_OPTION: OptionSpecs[string] = { type: 'string', arg: 'TEXT', help: 'a label kept with the run, shown by `runs`, the viewer and compare (at most 200 characters)' };

/** On every command that stores runs: the run also as a shard file, for `neurorep import`. */
export const OUT_RECORD_OPTION: OptionSpecs[string] = { type: 'string', arg: 'FILE', help: 'also write the finished run (record and representations) to FILE, for `neurorep import` elsewhere; with --no-store, only there' };
export const FORCE_RECORD_OPTION: OptionSpecs[string] = { type: 'boolean', help: 'replace --out-record FILE when it exists' };

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const all = { ...GLOBAL_OPTIONS, ...specs };
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!tok.startsWith('--') || tok === '-') {
      if (tok.startsWith('-') && tok !== '-' && !/^-\d/.test(tok)) throw new UsageError(`unknown option '${tok}' (options are spelled --name)`);
      positionals.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    const name = tok.slice(2, eq < 0 ? undefined : eq);
    const spec = all[name];
    if (!spec) throw new UsageError(`unknown option '--${name}'`);
    let raw: string | undefined = eq < 0 ? undefined : tok.slice(eq + 1);
    if (spec.type === 'boolean') {
      if (raw !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    if (raw === undefined) {
      const next = argv[i + 1];
      const nextIsValue = next !== undefined && (!next.startsWith('--') || /^-\d/.test(next));
      const looksRight = nextIsValue && (spec.implicit === undefined || spec.type === 'string' || isNumeric(next));
      if (looksRight) {
        raw = next;
        i++;
      } else if (spec.implicit !== undefined) {
        options[name] = spec.implicit;
        continue;
      } else {
        throw new UsageError(`--${name} needs a value${spec.arg ? ` (${spec.arg})` : ''}`);
      }
    }
    options[name] = convert(name, raw, spec);
  }
  return { positionals, options };
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

function convert(name: string, raw: string, spec: OptionSpec): string | number {
  if (spec.type === 'string') {
    if (raw === '') throw new UsageError(`--${name} needs a non-empty value`);
    return raw;
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} expects a number, got '${raw}'`);
  if (spec.type === 'integer' && !Number.isInteger(v)) throw new UsageError(`--${name} expects a whole number, got '${raw}'`);
  if (spec.min !== undefined && v < spec.min) throw new UsageError(`--${name} must be at least ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`--${name} must be at most ${spec.max}, got ${v}`);
  return v;
}

/** Format an options table for --help. */
export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `  --${name}${s.type === 'boolean' ? '' : ` ${s.implicit !== undefined ? `[${s.arg ?? 'V'}]` : (s.arg ?? 'V')}`}`;
    return [left, s.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => l.padEnd(width) + h).join('\n');
}

/** Exactly `count` positionals, else a usage error naming what is missing. */
export function expectPositionals(args: ParsedArgs, names: string[], command: string): string[] {
  if (args.positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(args.positionals.length).map((n) => `<${n}>`).join(' ')}`);
  }
  if (args.positionals.length > names.length) {
    throw new UsageError(`${command}: unexpected argument '${args.positionals[names.length]}'`);
  }
  return args.positionals;
}
