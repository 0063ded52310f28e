/**
 * A batch on SLURM: a job array with one task per session still missing from the store, and an
 * import job that depends on it and alone writes the store; scripts, session lists, shards and
 * logs go to one folder every node sees.
 */

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/matrix.js';
import { UsageError } from '../args.js';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { packageRoot } from '../../package.js';
import type { Context } from '../context.js';
import { lastLine, resumeKey } from './sessions.js';

/** The job's resources and where its files go (batch's --slurm options). */
export interface SlurmOptions {
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  arrayLimit?: number;
  shards?: string;
  dryRun?: boolean;
  wait?: boolean;
}

/** Single-quoted for a POSIX shell. */
function sh(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** SLURM's syntax for each value pasted into an #SBATCH line: nothing else can reach the script. */
const SBATCH_SYNTAX: Record<'partition' | 'time' | 'mem', { pattern: RegExp; example: string }> = {
  partition: { pattern: /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, example: 'debug or gpu,cpu' },
  time: { pattern: /^(\d+(-\d+)?(:\d+){0,2}|UNLIMITED|INFINITE)$/i, example: 'minutes, MM:SS, HH:MM:SS, D-HH or D-HH:MM:SS' },
  mem: { pattern: /^\d+[KMGT]?$/i, example: '4G, 500M or 16000' },
};

/** A usage error for a value that is not in SLURM's syntax (a newline there would become a command in the job). */
export function checkSlurmValue(name: keyof typeof SBATCH_SYNTAX, value: string | undefined): void {
  if (value === undefined) return;
  const { pattern, example } = SBATCH_SYNTAX[name];
  if (!pattern.test(value)) throw new UsageError(`--${name} ${JSON.stringify(value)}: not in SLURM's syntax (${example})`);
}

/** A path written into a job script or a list a script reads line by line: no control characters, no double quote. */
function checkScriptPath(path: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f"]/.test(path))
    throw new InputError(
      `${JSON.stringify(path)}: ${what} with a control character (newline, tab, ...) or a double quote cannot be written into a SLURM job script; rename it`,
    );
}

/** The cluster's MaxArraySize (scontrol show config), or null when it cannot be read. */
function maxArraySize(): number | null {
  const r = spawnSync('scontrol', ['show', 'config'], { encoding: 'utf8' });
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * --slurm: a job array with one task per session still missing from the store (each runs
 * `neurorep analyze ... --out-record <shards>/<task>.json`) and an import job that depends on it
 * (afterany) and alone writes the store. Scripts, session lists, shards and logs go to --shards.
 */
export async function submitSlurm(sessions: string[], forwarded: string[], options: SlurmOptions, ctx: Context): Promise<number> {
  assertStoreFolder(ctx.store);
  checkSlurmValue('partition', options.partition);
  checkSlurmValue('time', options.time);
  checkSlurmValue('mem', options.mem);
  checkScriptPath(resolve(ctx.store), 'the store folder');
  for (const f of sessions) checkScriptPath(f, 'a session file name');
  const keys = sessions.map((f) => resumeKey(f, forwarded));
  let todo = sessions.map((file, i) => ({ file, key: keys[i] }));
  // A rerun of the same sessions continues the batch id under which some are stored (summary covers them all).
  let continued: string | null = null;
  if (existsSync(join(ctx.store, 'neurorep.db'))) {
    const store = RunStore.open(ctx.store, { readonly: true });
    try {
      todo = todo.filter((s) => !store.hasBatchKey(s.key));
      continued = store.batchOfKeys(keys);
    } finally {
      store.close();
    }
  }
  const batchId = continued ?? randomUUID();
  // Each submission in a folder of its own: a rerun (same --shards, same continued batch id) never meets the last one's shards or logs.
  const shards = join(resolve(options.shards ?? `neurorep-batch-${batchId.slice(0, 8)}`), randomUUID().slice(0, 8));
  checkScriptPath(shards, 'the shards folder');
  const skipped = sessions.length - todo.length;
  if (todo.length === 0) {
    ctx.io.out(`batch: all ${sessions.length} sessions are in the store already; nothing to submit\n`);
    return 0;
  }
  const most = options.dryRun ? null : maxArraySize();
  if (most !== null && todo.length > most)
    throw new InputError(
      `${todo.length} sessions to submit, but this cluster's MaxArraySize is ${most} (array indices 0..${most - 1}): split the sessions into batches of at most ${most} (e.g. by folder); sessions already stored are skipped when you rerun`,
    );
  const node = process.execPath;
  const bin = join(packageRoot(), 'bin', 'neurorep.js');
  const store = resolve(ctx.store);
  const limit = options.arrayLimit !== undefined ? `%${options.arrayLimit}` : '';
  const common = [...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []), `#SBATCH --time=${options.time ?? '1:00:00'}`];
  const arrayScript = [
    '#!/bin/bash',
    `#SBATCH --job-name=neurorep-${batchId.slice(0, 8)}`,
    `#SBATCH --array=0-${todo.length - 1}${limit}`,
    ...common,
    `#SBATCH --mem=${options.mem ?? '4G'}`,
    `#SBATCH --cpus-per-task=${options.cpusPerTask ?? 2}`,
    `#SBATCH --output="${join(shards, 'logs', '%a.out')}"`,
    '# One session per array task: analyze it into a shard; the import job writes the store.',
    'set -euo pipefail',
    `line=$((SLURM_ARRAY_TASK_ID + 1))`,
    `file="$(sed -n "\${line}p" ${sh(join(shards, 'sessions.txt'))})"`,
    `export NEUROREP_BATCH_ID=${batchId}`,
    `export NEUROREP_BATCH_KEY="$(sed -n "\${line}p" ${sh(join(shards, 'keys.txt'))})"`,
    'export NEUROREP_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `exec ${sh(node)} ${sh(bin)} analyze "$file" ${forwarded.map(sh).join(' ')}${ctx.label ? ` --label ${sh(ctx.label)}` : ''} --no-store --quiet --force --out-record ${sh(join(shards, 'runs'))}/"$SLURM_ARRAY_TASK_ID".json`,
    '',
  ].join('\n');
  const importScript = [
    '#!/bin/bash',
    `#SBATCH --job-name=neurorep-${batchId.slice(0, 8)}-import`,
    ...common,
    '#SBATCH --mem=2G',
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --output="${join(shards, 'logs', 'import.out')}"`,
    '# After every session (afterany): merge the shards into the store; the only job that writes it.',
    'set -uo pipefail',
    `${sh(node)} ${sh(bin)} import ${sh(join(shards, 'runs'))} --store ${sh(store)}`,
    '',
  ].join('\n');
  if (options.dryRun) {
    ctx.io.out(`# neurorep batch ${batchId}: ${todo.length} session${todo.length === 1 ? '' : 's'} to submit (${skipped} already in the store)\n`);
    ctx.io.out(
      `# ${join(shards, 'array.sbatch')}\n${arrayScript}\n# ${join(shards, 'import.sbatch')} (submitted with --dependency=afterany:<array job>)\n${importScript}`,
    );
    return 0;
  }
  mkdirSync(join(shards, 'logs'), { recursive: true });
  mkdirSync(join(shards, 'runs'), { recursive: true });
  writeFileSync(join(shards, 'sessions.txt'), todo.map((s) => s.file).join('\n') + '\n');
  writeFileSync(join(shards, 'keys.txt'), todo.map((s) => s.key).join('\n') + '\n');
  writeFileSync(join(shards, 'array.sbatch'), arrayScript);
  writeFileSync(join(shards, 'import.sbatch'), importScript);
  const arrayJob = sbatch(['--parsable', join(shards, 'array.sbatch')]);
  const importArgs = ['--parsable', `--dependency=afterany:${arrayJob}`, ...(options.wait ? ['--wait'] : []), join(shards, 'import.sbatch')];
  ctx.log(
    `submitted job array ${arrayJob} (${todo.length} sessions${skipped ? `, ${skipped} already in the store` : ''}); shards, scripts and logs in ${shards}`,
  );
  if (!options.wait) {
    const importJob = sbatch(importArgs);
    ctx.io.out(
      `batch ${batchId}: job array ${arrayJob} (${todo.length} sessions) and import job ${importJob} submitted; follow with squeue -j ${arrayJob},${importJob}; the store is updated when ${importJob} has run\n`,
    );
    return 0;
  }
  sbatch(importArgs, true);
  // A shard counts only if it carries this batch's id (and, in this submission's own folder, only this submission wrote there).
  const failures = todo
    .map((s, i) => ({ ...s, i }))
    .filter((s) => shardBatch(join(shards, 'runs', `${s.i}.json`)) !== batchId)
    .map((s) => ({ file: s.file, reason: lastLine(readIfExists(join(shards, 'logs', `${s.i}.out`)), s.file) || 'no shard was written' }));
  const imported = todo.length - failures.length;
  ctx.io.out(
    `batch ${batchId}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}: ${imported} analyzed on SLURM (job ${arrayJob}), ${skipped} already in the store, ${failures.length} failed\n`,
  );
  for (const f of failures) ctx.io.out(`  failed: ${f.file}: ${f.reason}\n`);
  return failures.length ? 1 : 0;
}

function sbatch(argv: string[], waiting = false): string {
  const r = spawnSync('sbatch', argv, { encoding: 'utf8' });
  if (r.error)
    throw new InputError(
      `sbatch: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; --slurm needs SLURM (sbatch on the PATH), or use --dry-run to see the scripts' : r.error.message}`,
    );
  if (r.status !== 0 && !(waiting && r.stdout.trim())) throw new InputError(`sbatch ${argv[argv.length - 1]}: ${r.stderr.trim() || `exit code ${r.status}`}`);
  return r.stdout.trim().split(';')[0];
}

/** The batch id a shard's record carries, or null (no shard, or not readable). */
function shardBatch(path: string): string | null {
  try {
    const head = JSON.parse(readFileSync(path, 'utf8')) as { record?: { batch?: { id?: unknown } } };
    return typeof head.record?.batch?.id === 'string' ? head.record.batch.id : null;
  } catch {
    return null;
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
