/**
 * What every command gets: where to print, whether to be quiet, progress on stderr (a redrawn bar
 * on a terminal, a plain line every few seconds otherwise), the store, and number formatting.
 */

import { printable } from './text.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is an interactive terminal (progress bars only then). */
  errIsTTY: boolean;
}

export const processOutput: Output = {
  // Everything on stdout passes through printable(): data strings reach no terminal raw, and in
  // JSON output the escapes it writes are valid JSON string escapes. Stderr too (messages quote
  // values typed by users, file names and bytes of files), except the carriage return that starts
  // a redrawn progress bar.
  out: (t) => process.stdout.write(printable(t)),
  err: (t) => process.stderr.write(t.startsWith('\r') ? '\r' + printable(t.slice(1)) : printable(t)),
  errIsTTY: Boolean(process.stderr.isTTY),
};

export interface Context {
  io: Output;
  quiet: boolean;
  json: boolean;
  store: string;
  /** True with --no-store: compute and print, keep nothing. */
  noStore: boolean;
  /** --label: kept in every run record this command makes. */
  label?: string;
  /** --out-record FILE: the finished run (record and representations) also written as a shard. */
  outRecord?: string;
  /** Why the store cannot be written, when a check before the computation found out. */
  storeProblem?: string;
  /** A log line on stderr (suppressed by --quiet). */
  log: (line: string) => void;
  /** Progress of a long step: redrawn in place on a TTY; otherwise a plain line every few seconds (CI logs, nohup). */
  progress: (label: string, done: number, total: number) => void;
}

export function makeContext(
  io: Output,
  opts: { quiet?: boolean; json?: boolean; store?: string; noStore?: boolean; label?: string; outRecord?: string },
): Context {
  const quiet = opts.quiet === true;
  let lastDraw = 0;
  let drawing = false;
  // Not a terminal: a line every NEUROREP_PROGRESS_SECONDS (default 5) once work has run that long.
  const every = 1000 * (Number(process.env.NEUROREP_PROGRESS_SECONDS) > 0 ? Number(process.env.NEUROREP_PROGRESS_SECONDS) : 5);
  const started = Date.now();
  let lastLine = started;
  return {
    io,
    quiet,
    json: opts.json === true,
    store: opts.store ?? process.env.NEUROREP_STORE ?? './.neurorep',
    noStore: opts.noStore === true,
    label: opts.label,
    outRecord: opts.outRecord,
    log: (line) => {
      if (quiet) return;
      if (drawing) {
        io.err('\n');
        drawing = false;
      }
      io.err(printable(line) + '\n');
    },
    progress: (label, done, total) => {
      if (quiet) return;
      const now = Date.now();
      if (!io.errIsTTY) {
        if (now - lastLine < every) return;
        lastLine = now;
        io.err(`${printable(label)}: ${done}/${total} (${Math.round((now - started) / 1000)} s)\n`);
        return;
      }
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      io.err(`\r${printable(label)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      drawing = done < total;
      if (!drawing) io.err('\n');
    },
  };
}

/** JSON with non-finite numbers as null (JSON has no NaN), one object on one line. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** A number for people: 4 significant digits, or '-' when missing. */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}
