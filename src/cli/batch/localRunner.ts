/**
 * A batch on this machine: each session runs `neurorep analyze ... --no-store --out-record <shard>`
 * in its own process, --jobs at a time; this process alone writes the store (it imports each shard
 * as it arrives), so there is one writer whatever the number of jobs.
 */

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isUrl } from '../../../adapters/nwb/index.js';
import { decodeShard } from '../../store/shard.js';
import { assertStoreFolder, RunStore } from '../../store/runStore.js';
import { packageRoot } from '../../package.js';
import type { Context } from '../context.js';
import { lastLine, resumeKey } from './sessions.js';

/** Analyze every session here, `jobs` at a time; returns the exit code (1 when any session failed). */
export async function runLocalBatch(sessions: string[], forwarded: string[], jobs: number, ctx: Context): Promise<number> {
  assertStoreFolder(ctx.store);
  const batchId = randomUUID();
  const work = mkdtempSync(join(tmpdir(), 'neurorep-batch-'));
  const started = Date.now();
  let done = 0,
    failed = 0,
    skipped = 0;
  const failures: { file: string; reason: string }[] = [];
  const store = RunStore.open(ctx.store);
  const progress = () => {
    const finished = done + failed + skipped;
    const elapsed = (Date.now() - started) / 1000;
    const ran = done + failed;
    const eta = ran > 0 ? (elapsed / ran) * (sessions.length - finished) : NaN;
    ctx.log(
      `batch ${batchId.slice(0, 8)}: ${finished}/${sessions.length} (${done} analyzed, ${skipped} skipped, ${failed} failed), ${elapsed.toFixed(0)} s${Number.isFinite(eta) && finished < sessions.length ? `, about ${eta.toFixed(0)} s left` : ''}`,
    );
  };
  try {
    const queue = sessions.map((file, i) => ({ file, i }));
    const runOne = async (s: { file: string; i: number }): Promise<void> => {
      let key: string;
      try {
        key = resumeKey(s.file, forwarded);
      } catch (err) {
        failed++;
        failures.push({ file: s.file, reason: lastLine((err as Error).message, s.file) });
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
      const r = await child(
        ['analyze', s.file, ...forwarded, ...cache, '--no-store', '--quiet', '--out-record', shard, ...(ctx.label ? ['--label', ctx.label] : [])],
        { NEUROREP_BATCH_ID: batchId, NEUROREP_BATCH_KEY: key, NEUROREP_THREADS: threads },
      );
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
  ctx.io.out(
    `batch ${batchId}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}: ${done} analyzed, ${skipped} already in the store, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  for (const f of failures) ctx.io.out(`  failed: ${f.file}: ${f.reason}\n`);
  return failed > 0 ? 1 : 0;
}

function child(argv: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(packageRoot(), 'bin', 'neurorep.js'), ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.length > 20000) stderr = stderr.slice(-10000);
    });
    p.on('error', (err) => done({ code: -1, stderr: err.message }));
    p.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}
