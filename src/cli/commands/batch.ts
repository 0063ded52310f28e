/**
 * `neurorep batch`: analyze many NWB sessions with the same options, N at a time in worker
 * processes. Each session runs `neurorep analyze ... --no-store --out-record <shard>` in its own
 * process; this process alone writes the store (it imports each shard as it arrives), so there is
 * one writer whatever N is. Resumable: a session whose resume key (the file's sha256, the analyze
 * options, the toolkit version) is in the store already is skipped.
 */

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/matrix.js';
import { sha256File } from '../../io/matrixFile.js';
import { decodeShard } from '../../store/shard.js';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { packageRoot, toolkitVersion } from '../context.js';
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
  },
  async run(args, ctx) {
    if (ctx.outRecord) throw new UsageError('batch writes one run per session; --out-record is for single runs');
    if (ctx.noStore) throw new UsageError('batch keeps its runs in the store (that is how it resumes); --no-store does not apply');
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
          key = createHash('sha256').update(JSON.stringify([sha256File(s.file), forwarded, toolkitVersion()])).digest('hex');
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
        const r = await child(['analyze', s.file, ...forwarded, '--no-store', '--quiet', '--out-record', shard, ...(ctx.label ? ['--label', ctx.label] : [])], { NEUROREP_BATCH_ID: batchId, NEUROREP_BATCH_KEY: key });
        if (r.code !== 0) {
          failed++;
          failures.push({ file: s.file, reason: lastLine(r.stderr) || `exit code ${r.code}` });
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

/** Files, folders (*.nwb inside) and manifests (.txt, one path per line) -> the NWB files, in order, once each. */
export function expandInputs(inputs: string[]): string[] {
  if (inputs.length === 0) throw new UsageError('batch needs NWB files, folders or a manifest');
  const out: string[] = [];
  const add = (p: string, from: string) => {
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

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.startsWith('neurorep:') || l.trim());
  return (lines[lines.length - 1] ?? '').replace(/^neurorep: /, '').slice(0, 300);
}

