/**
 * `neurorep batch`: analyze many NWB sessions with the same options, N at a time in worker
 * processes. Each session runs `neurorep analyze ... --no-store --out-record <shard>` in its own
 * process; this process alone writes the store (it imports each shard as it arrives), so there is
 * one writer whatever N is. Resumable: a session whose resume key (the file's sha256, the analyze
 * options, the toolkit version) is in the store already is skipped.
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/matrix.js';
import { isUrl } from '../../../adapters/nwb/index.js';
import { RemoteFile } from '../../../adapters/remote/remoteFile.js';
import { sha256File } from '../../io/matrixFile.js';
import { decodeShard } from '../../store/shard.js';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { packageRoot, toolkitVersion } from '../../package.js';
import { type Context } from '../context.js';
import { analyzeCommand } from './analyze.js';

/** Analyze options that batch forwards; --json, --out-record and --label are batch's own concern. */
const FORWARDED = Object.fromEntries(Object.entries(analyzeCommand.options).filter(([k]) => k !== 'json'));

export const batchCommand: Command = {
  name: 'batch',
  summary: 'analyze many NWB sessions with the same options, N at a time; resumable',
  usage: 'batch <file.nwb|folder|manifest.txt>... [analyze options] [--jobs N]',
  description: [
    'Every NWB file named, found in a folder (*.nwb, not recursive) or listed in a manifest (a .txt',
    'file, one path per line, # comments) is analyzed with the same analyze options, --jobs at a',
    'time in worker processes (default: the number of cores). A progress line (done/total,',
    'failures, elapsed, ETA) goes to stderr. A failing session never stops the others: failures are',
    'listed with their reason at the end and the exit code is 1. Sessions already in the store with',
    'the same file content (sha256), options and toolkit version are skipped, so rerunning after a',
    'crash does only the missing work. The runs of one batch carry its id (record field batch.id).',
  ].join('\n'),
  storesRuns: true,
  options: {
    ...FORWARDED,
    jobs: { type: 'integer', min: 1, arg: 'N', help: 'sessions analyzed at once (default: the number of cores)' },
    slurm: { type: 'boolean', help: 'submit a SLURM job array (one task per session) and an import job instead of running here' },
    partition: { type: 'string', arg: 'P', help: 'with --slurm: the partition (default: the cluster default)' },
    time: { type: 'string', arg: 'T', help: 'with --slurm: time limit per session, SLURM format (default 1:00:00)' },
    mem: { type: 'string', arg: 'M', help: 'with --slurm: memory per session, SLURM format (default 4G)' },
    'cpus-per-task': { type: 'integer', min: 1, arg: 'C', help: 'with --slurm: cores per session (default 2)' },
    'array-limit': { type: 'integer', min: 1, arg: 'L', help: 'with --slurm: sessions running at once (default: no limit)' },
    shards: { type: 'string', arg: 'DIR', help: 'with --slurm: folder on storage every node sees, for scripts, shards and logs (default ./neurorep-batch-<id>)' },
    'dry-run': { type: 'boolean', help: 'with --slurm: print the job scripts, submit nothing' },
    wait: { type: 'boolean', help: 'with --slurm: wait until the import job has run, then report' },
  },
  async run(args, ctx) {
    if (ctx.outRecord) throw new UsageError('batch writes one run per session; --out-record is for single runs');
    if (ctx.noStore) throw new UsageError('batch keeps its runs in the store (that is how it resumes); --no-store does not apply');
    if (ctx.storeProblem) throw new InputError(`${ctx.store}: the results store cannot be written (${ctx.storeProblem}); batch keeps its runs there: pass --store DIR`);
    const slurmOnly = ['partition', 'time', 'mem', 'cpus-per-task', 'array-limit', 'shards', 'dry-run', 'wait'].filter((o) => args.options[o] !== undefined && args.options[o] !== false);
    if (!args.options.slurm && slurmOnly.length) throw new UsageError(`--${slurmOnly[0]} goes with --slurm`);
    if (args.options.slurm) return submitSlurm(args.positionals, args.options, ctx);
    const sessions = expandInputs(args.positionals);
    const jobs = (args.options.jobs as number | undefined) ?? availableParallelism();
    const forwarded = forwardedArgv(args.options);
    assertStoreFolder(ctx.store);
    const batchId = randomUUID();
    const work = mkdtempSync(join(tmpdir(), 'neurorep-batch-'));
    const started = Date.now();
    let done = 0, failed = 0, skipped = 0;
    const failures: { file: string; reason: string }[] = [];
    const store = RunStore.open(ctx.store);
    const progress = () => {
      const finished = done + failed + skipped;
      const elapsed = (Date.now() - started) / 1000;
      const ran = done + failed;
      const eta = ran > 0 ? (elapsed / ran) * (sessions.length - finished) : NaN;
      ctx.log(`batch ${batchId.slice(0, 8)}: ${finished}/${sessions.length} (${done} analyzed, ${skipped} skipped, ${failed} failed), ${elapsed.toFixed(0)} s${Number.isFinite(eta) && finished < sessions.length ? `, about ${eta.toFixed(0)} s left` : ''}`);
    };
    try {
      const queue = sessions.map((file, i) => ({ file, i }));
      const runOne = async (s: { file: string; i: number }): Promise<void> => {
        let key: string;
        try {
          key = resumeKey(s.file, forwarded);
        } catch (err) {
          failed++;
          failures.push({ file: s.file, reason: (err as Error).message });
          return;
        }
        if (store.hasBatchKey(key)) {
          skipped++;
          return;
        }
        const shard = join(work, `${s.i}.json`);
        const cache = isUrl(s.file) ? ['--cache', resolve(ctx.store, 'remote-cache')] : [];
        // The cores are shared among the sessions running at once (unless NEUROREP_THREADS says otherwise).
        const threads = process.env.NEUROREP_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / Math.min(jobs, sessions.length))));
        const r = await child(['analyze', s.file, ...forwarded, ...cache, '--no-store', '--quiet', '--out-record', shard, ...(ctx.label ? ['--label', ctx.label] : [])], { NEUROREP_BATCH_ID: batchId, NEUROREP_BATCH_KEY: key, NEUROREP_THREADS: threads });
        if (r.code !== 0) {
          failed++;
          failures.push({ file: s.file, reason: lastLine(r.stderr, s.file) || `exit code ${r.code}` });
          return;
        }
        const { record, representations } = decodeShard(readFileSync(shard, 'utf8'), shard);
        store.save(record, representations);
        rmSync(shard, { force: true });
        done++;
      };
      const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await runOne(next);
          progress();
        }
      });
      await Promise.all(workers);
    } finally {
      store.close();
      rmSync(work, { recursive: true, force: true });
    }
    ctx.io.out(`batch ${batchId}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}: ${done} analyzed, ${skipped} already in the store, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    for (const f of failures) ctx.io.out(`  failed: ${f.file}: ${f.reason}\n`);
    return failed > 0 ? 1 : 0;
  },
};

/** The session's resume key: its content, the analyze options (as argv) and the toolkit version. */
function resumeKey(file: string, forwarded: string[]): string {
  // A remote file is identified by its URL, ETag and size (hashing it would download it).
  let content: string;
  if (isUrl(file)) {
    const r = RemoteFile.open(file);
    content = `${file}\n${r.etag ?? ''}\n${r.size}`;
    r.close();
  } else content = sha256File(file);
  return createHash('sha256').update(JSON.stringify([content, forwarded, toolkitVersion()])).digest('hex');
}

/** Single-quoted for a POSIX shell. */
function sh(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * --slurm: a job array with one task per session still missing from the store (each runs
 * `neurorep analyze ... --out-record <shards>/<task>.json`) and an import job that depends on it
 * (afterany) and alone writes the store. Scripts, session lists, shards and logs go to --shards.
 */
async function submitSlurm(inputs: string[], options: Record<string, unknown>, ctx: Context): Promise<number> {
  const sessions = expandInputs(inputs);
  const forwarded = forwardedArgv(options);
  assertStoreFolder(ctx.store);
  const batchId = randomUUID();
  const shards = resolve((options.shards as string | undefined) ?? `neurorep-batch-${batchId.slice(0, 8)}`);
  const keys = sessions.map((f) => resumeKey(f, forwarded));
  let todo = sessions.map((file, i) => ({ file, key: keys[i] }));
  if (existsSync(join(ctx.store, 'neurorep.db'))) {
    const store = RunStore.open(ctx.store, { readonly: true });
    try {
      todo = todo.filter((s) => !store.hasBatchKey(s.key));
    } finally {
      store.close();
    }
  }
  const skipped = sessions.length - todo.length;
  if (todo.length === 0) {
    ctx.io.out(`batch: all ${sessions.length} sessions are in the store already; nothing to submit\n`);
    return 0;
  }
  const node = process.execPath;
  const bin = join(packageRoot(), 'bin', 'neurorep.js');
  const store = resolve(ctx.store);
  const limit = options['array-limit'] !== undefined ? `%${options['array-limit'] as number}` : '';
  const common = [
    ...(options.partition ? [`#SBATCH --partition=${options.partition as string}`] : []),
    `#SBATCH --time=${(options.time as string | undefined) ?? '1:00:00'}`,
  ];
  const arrayScript = [
    '#!/bin/bash',
    `#SBATCH --job-name=neurorep-${batchId.slice(0, 8)}`,
    `#SBATCH --array=0-${todo.length - 1}${limit}`,
    ...common,
    `#SBATCH --mem=${(options.mem as string | undefined) ?? '4G'}`,
    `#SBATCH --cpus-per-task=${(options['cpus-per-task'] as number | undefined) ?? 2}`,
    `#SBATCH --output=${join(shards, 'logs', '%a.out')}`,
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
    `#SBATCH --output=${join(shards, 'logs', 'import.out')}`,
    '# After every session (afterany): merge the shards into the store; the only job that writes it.',
    'set -uo pipefail',
    `${sh(node)} ${sh(bin)} import ${sh(join(shards, 'runs'))} --store ${sh(store)}`,
    '',
  ].join('\n');
  if (options['dry-run']) {
    ctx.io.out(`# neurorep batch ${batchId}: ${todo.length} session${todo.length === 1 ? '' : 's'} to submit (${skipped} already in the store)\n`);
    ctx.io.out(`# ${join(shards, 'array.sbatch')}\n${arrayScript}\n# ${join(shards, 'import.sbatch')} (submitted with --dependency=afterany:<array job>)\n${importScript}`);
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
  ctx.log(`submitted job array ${arrayJob} (${todo.length} sessions${skipped ? `, ${skipped} already in the store` : ''}); shards, scripts and logs in ${shards}`);
  if (!options.wait) {
    const importJob = sbatch(importArgs);
    ctx.io.out(`batch ${batchId}: job array ${arrayJob} (${todo.length} sessions) and import job ${importJob} submitted; follow with squeue -j ${arrayJob},${importJob}; the store is updated when ${importJob} has run\n`);
    return 0;
  }
  sbatch(importArgs, true);
  const failures = todo
    .map((s, i) => ({ ...s, i }))
    .filter((s) => !existsSync(join(shards, 'runs', `${s.i}.json`)))
    .map((s) => ({ file: s.file, reason: lastLine(readIfExists(join(shards, 'logs', `${s.i}.out`)), s.file) || 'no shard was written' }));
  const imported = todo.length - failures.length;
  ctx.io.out(`batch ${batchId}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}: ${imported} analyzed on SLURM (job ${arrayJob}), ${skipped} already in the store, ${failures.length} failed\n`);
  for (const f of failures) ctx.io.out(`  failed: ${f.file}: ${f.reason}\n`);
  return failures.length ? 1 : 0;
}

function sbatch(argv: string[], waiting = false): string {
  const r = spawnSync('sbatch', argv, { encoding: 'utf8' });
  if (r.error) throw new InputError(`sbatch: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; --slurm needs SLURM (sbatch on the PATH), or use --dry-run to see the scripts' : r.error.message}`);
  if (r.status !== 0 && !(waiting && r.stdout.trim())) throw new InputError(`sbatch ${argv[argv.length - 1]}: ${r.stderr.trim() || `exit code ${r.status}`}`);
  return r.stdout.trim().split(';')[0];
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Files, folders (*.nwb inside) and manifests (.txt, one path per line) -> the NWB files, in order, once each. */
export function expandInputs(inputs: string[]): string[] {
  if (inputs.length === 0) throw new UsageError('batch needs NWB files, folders or a manifest');
  const out: string[] = [];
  const add = (p: string, from: string) => {
    if (isUrl(p)) {
      out.push(p);
      return;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(`${p}: no such file or folder${from ? ` (listed in ${from})` : ''}`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p).filter((f) => /\.nwb$/i.test(f)).sort();
      if (found.length === 0) throw new InputError(`${p}: no *.nwb files in this folder`);
      for (const f of found) out.push(resolve(p, f));
    } else if (/\.txt$/i.test(p) && !from) {
      const lines = readFileSync(p, 'utf8').split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
      for (const l of lines) add(resolve(p, '..', l), p);
    } else out.push(resolve(p));
  };
  for (const p of inputs) add(p, '');
  return [...new Set(out)];
}

/** The analyze options given to batch, as argv for each session (in a fixed order: part of the resume key). */
function forwardedArgv(options: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const name of Object.keys(FORWARDED).sort()) {
    if (name === 'force' || name === 'cache') continue;
    const v = options[name];
    if (v === undefined || v === false) continue;
    argv.push(`--${name}`);
    if (v !== true) argv.push(String(v));
  }
  return argv;
}

function child(argv: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(packageRoot(), 'bin', 'neurorep.js'), ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.length > 20000) stderr = stderr.slice(-10000);
    });
    p.on('error', (err) => done({ code: -1, stderr: err.message }));
    p.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}

/** The last message line of a session's stderr or log, without the file name it repeats. */
function lastLine(text: string, file = ''): string {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  let line = (lines[lines.length - 1] ?? '').replace(/^neurorep: /, '');
  if (file && line.startsWith(`${file}: `)) line = line.slice(file.length + 2);
  return line.slice(0, 300);
}

