/**
 * Command-line parsing: `--name value`, `--name=value`, boolean flags, and options whose value is
 * optional (`--bootstrap` alone means its default). Unknown options and bad values are usage
 * errors (exit 2) that name the option.
 */

import { closest, distance } from 'fastest-levenshtein';

/** The known name nearest a mistyped one (at most 2 edits, or 3 for long names), for "did you mean". */
export function didYouMean(given: string, known: readonly string[]): string | null {
  if (known.length === 0) return null;
  const best = closest(given, [...known]);
  return distance(given, best) <= (given.length > 8 ? 3 : 2) ? best : null;
}

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
  /** The only values allowed (the parsed type is then their union). */
  choices?: readonly (string | number)[];
  /** Allowed range for numbers. */
  min?: number;
  max?: number;
  /** One-line description for --help. */
  help: string;
  /** Placeholder for --help, e.g. 'B'. */
  arg?: string;
  /** The value names a file the command reads: never a file it may write (--out-record, --out). */
  input?: true;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** The value an option of this type parses to (distributes over a union of types). */
type ValueOfType<T extends OptionType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;

/** The value an option of this spec parses to: one of its choices when it has them. */
export type OptionValue<S extends OptionSpec> = S extends { choices: readonly (infer C)[] } ? C : ValueOfType<S['type']>;

/** Parsed options, typed from their specs: every option may be absent. */
export type ParsedOptions<S extends OptionSpecs> = { [K in keyof S]?: OptionValue<S[K]> };

export interface ParsedArgs<S extends OptionSpecs = OptionSpecs> {
  positionals: string[];
  options: ParsedOptions<S & typeof GLOBAL_OPTIONS & typeof STORING_OPTIONS>;
}

/** `--seed S`, shared by every command with a random step. */
export const SEED_OPTION = { type: 'integer', arg: 'S', help: 'random seed (default 0)' } as const satisfies OptionSpec;

/** `--json`: the command's output as one JSON object on stdout. */
export function jsonOption(what = 'the run record') {
  return { type: 'boolean', help: `print ${what} as one JSON object` } as const satisfies OptionSpec;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  store: { type: 'string', arg: 'DIR', help: 'results store directory (default $NEUROREP_STORE, else ./.neurorep)' },
  'no-store': { type: 'boolean', help: 'do not keep this run in the store' },
  quiet: { type: 'boolean', help: 'no progress or log lines on stderr' },
  'max-array-bytes': {
    type: 'integer',
    min: 1,
    arg: 'BYTES',
    help: 'largest array read from an .npz member (default $NEUROREP_MAX_ARRAY_BYTES, else half the free memory)',
  },
  help: { type: 'boolean', help: 'show help' },
  version: { type: 'boolean', help: 'print the version' },
} as const satisfies OptionSpecs;

/**
 * On every command that stores runs: a label, and the run also as a shard file for `neurorep
 * import` (--force replaces that file).
 */
export const STORING_OPTIONS = {
  label: { type: 'string', arg: 'TEXT', help: 'a label kept with the run, shown by `runs`, the viewer and compare (at most 200 characters)' },
  'out-record': {
    type: 'string',
    arg: 'FILE',
    help: 'also write the finished run (record and representations) to FILE, for `neurorep import` elsewhere; with --no-store, only there',
  },
  force: { type: 'boolean', help: 'replace --out-record FILE when it exists' },
} as const satisfies OptionSpecs;

/** Options retired under another name: using the old one is a usage error that names the new one. */
export const RENAMED_OPTIONS: Readonly<Record<string, string>> = { bootstrap: 'intervals' };

export function parseArgs<S extends OptionSpecs>(
  argv: readonly string[],
  specs: S,
  renamed: Readonly<Record<string, string>> = RENAMED_OPTIONS,
): ParsedArgs<S> {
  const all: OptionSpecs = { ...GLOBAL_OPTIONS, ...specs };
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean> = {};
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
    if (!spec) {
      const now = Object.hasOwn(renamed, name) ? renamed[name] : undefined;
      if (now !== undefined && Object.hasOwn(all, now)) throw new UsageError(`--${name} is now --${now} (renamed 2026-12-02; same meaning)`);
      const near = didYouMean(name, Object.keys(all));
      throw new UsageError(`unknown option '--${name}'${near ? `; did you mean --${near}?` : ''}`);
    }
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
  return { positionals, options: options as ParsedArgs<S>['options'] };
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

function convert(name: string, raw: string, spec: OptionSpec): string | number {
  const value = convertType(name, raw, spec);
  if (spec.choices && !spec.choices.includes(value)) throw new UsageError(`--${name} must be ${listed(spec.choices)}, got '${raw}'`);
  return value;
}

/** 'a', 'a or b', 'a, b or c'. */
function listed(values: readonly (string | number)[]): string {
  return values.length === 1 ? String(values[0]) : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

function convertType(name: string, raw: string, spec: OptionSpec): string | number {
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

/** The files named by options marked `input` (e.g. --stimulus-ids FILE, --labels FILE). */
export function inputFilesOf(options: Readonly<Record<string, unknown>>, specs: OptionSpecs): string[] {
  return Object.entries(options)
    .filter(([name, v]) => specs[name]?.input === true && typeof v === 'string')
    .map(([, v]) => v as string);
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
    throw new UsageError(
      `${command}: missing ${names
        .slice(args.positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    );
  }
  if (args.positionals.length > names.length) {
    throw new UsageError(`${command}: unexpected argument '${args.positionals[names.length]}'`);
  }
  return args.positionals;
}
