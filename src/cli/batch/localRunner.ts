/**
 * A batch on this machine: each session runs `neurorep analyze ... --no-store --out-record <shard>`
 * in its own process, --jobs at a time; this process alone writes the store (it imports each shard
 * as it arrives), so there is one writer whatever the number of jobs.
 *
 * Nothing finished is lost: shards wait in `<store>-pending/<batch>/` (beside the store) until
 * they are in the store. A store that another process keeps locked is waited for (NEUROREP_STORE_WAIT_SECONDS,
 * default 300); if it stays locked, the shards stay where they are, the batch says where, and the
 * next batch on the same store imports them first. Ctrl-C or SIGTERM stops the running analyses.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isUrl } from '../../../adapters/nwb/index.js';
import { decodeShard, readShardFile } from '../../store/shard.js';
import { assertStoreFolder, isStoreLocked, RunStore } from '../../store/runStore.js';
import { packageRoot } from '../../package.js';
import { processRuns } from '../../runtime/processes.js';
import type { Context } from '../context.js';
import { lastLine, resumeKey } from './sessions.js';

/** Analyze every session here, `jobs` at a time; returns the exit code (1 when any session failed). */
export async function runLocalBatch(sessions: string[], forwarded: string[], jobs: number, ctx: Context): Promise<number> {
  assertStoreFolder(ctx.store);
  // Resume keys first (a session whose key cannot be made fails below, named): a rerun of the same
  // sessions continues the batch id under which some are stored, so summary covers all of them.
  const keys = new Map<string, string | Error>();
  sessions.forEach((file, i) => {
    try {
      keys.set(file, resumeKey(file, forwarded));
    } catch (err) {
      keys.set(file, err as Error);
    }
    ctx.progress('resume keys (file hashes)', i + 1, sessions.length);
  });
  // Read-only: a store another process keeps locked is read all the same (WAL), and a new store has no batch to continue.
  let continued: string | null = null;
  if (existsSync(join(ctx.store, 'neurorep.db'))) {
    const opened = RunStore.open(ctx.store, { readonly: true });
    try {
      continued = opened.batchOfKeys([...keys.values()].filter((k): k is string => typeof k === 'string'));
    } finally {
      opened.close();
    }
  }
  const batchId = continued ?? randomUUID();
  if (continued) ctx.log(`continuing batch ${batchId.slice(0, 8)}: sessions already stored under it are skipped`);
  // Beside the store, not inside it: nothing but the store's own files lives in the store folder.
  const pending = `${resolve(ctx.store)}-pending`;
  const work = join(pending, batchId);
  mkdirSync(work, { recursive: true });
  // Another batch on this store must not take (or remove) this one's folder while it runs.
  const owner = join(work, OWNER_FILE);
  writeFileSync(owner, JSON.stringify({ host: hostname(), pid: process.pid }));
  const started = Date.now();
  let done = 0,
    failed = 0,
    skipped = 0,
    elsewhere = 0,
    unstored = 0;
  const failures: { file: string; reason: string }[] = [];
  const store = RunStore.open(ctx.store);
  const earlier = await importPending(store, pending, work, ctx);
  if (earlier) ctx.log(`imported ${earlier} finished run${earlier === 1 ? '' : 's'} an earlier batch could not store`);
  const running = new Set<ChildProcess>();
  const stop = (signal: NodeJS.Signals) => {
    for (const p of running) p.kill('SIGTERM');
    rmSync(owner, { force: true });
    removeIfEmpty(work);
    removeIfEmpty(pending);
    ctx.io.err(`neurorep: batch stopped (${signal}); the runs it finished are in the store${existsSync(work) ? ` or, not yet stored, in ${work}` : ''}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = () => {
    const finished = done + failed + skipped + elsewhere;
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
      const key = keys.get(s.file)!;
      if (key instanceof Error) {
        failed++;
        failures.push({ file: s.file, reason: lastLine(key.message, s.file) });
        return;
      }
      // Claimed in the store: a second batch on the same store leaves this session to the first.
      const claim = claimSession(store, key, batchId);
      if (claim === 'stored') {
        skipped++;
        return;
      }
      if (claim !== 'mine') {
        elsewhere++;
        return;
      }
      const shard = join(work, `${s.i}.json`);
      const cache = isUrl(s.file) ? ['--cache', resolve(ctx.store, 'remote-cache')] : [];
      // The cores are shared among the sessions running at once (unless NEUROREP_THREADS says otherwise).
      const threads = process.env.NEUROREP_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / Math.min(jobs, sessions.length))));
      const r = await child(
        ['analyze', s.file, ...forwarded, ...cache, '--no-store', '--quiet', '--out-record', shard, ...(ctx.label ? ['--label', ctx.label] : [])],
        { NEUROREP_BATCH_ID: batchId, NEUROREP_BATCH_KEY: key, NEUROREP_THREADS: threads },
        running,
      );
      if (r.code !== 0) {
        release(store, batchId, key);
        failed++;
        failures.push({ file: s.file, reason: lastLine(r.stderr, s.file) || `exit code ${r.code}` });
        return;
      }
      const stored = await storeShard(store, shard, ctx);
      release(store, batchId, key);
      if (stored === 'stored') done++;
      else if (stored === 'locked') unstored++;
      else {
        failed++;
        failures.push({ file: s.file, reason: stored.problem });
      }
    };
    const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await runOne(next);
        progress();
      }
    });
    await Promise.all(workers);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    release(store, batchId);
    store.close();
    rmSync(owner, { force: true });
    removeIfEmpty(work);
    removeIfEmpty(pending);
  }
  ctx.io.out(
    `batch ${batchId}: ${sessions.length} session${sessions.length === 1 ? '' : 's'}: ${done} analyzed, ${skipped} already in the store, ${failed} failed${elsewhere ? `, ${elsewhere} left to another batch analyzing them now` : ''}${unstored ? `, ${unstored} analyzed but not stored` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  for (const f of failures) ctx.io.out(`  failed: ${f.file}: ${f.reason}\n`);
  if (unstored) {
    ctx.io.out(
      `  ${unstored} finished run${unstored === 1 ? '' : 's'} could not be stored: another process kept the store locked for ${storeWaitSeconds()} s. Nothing is lost: the shards are in ${work}; store them with 'neurorep import ${work} --store ${ctx.store}' (or rerun the batch, which imports them first).\n`,
    );
    return 2;
  }
  return failed > 0 ? 1 : 0;
}

/** How long a finished run waits for a store another process keeps locked (NEUROREP_STORE_WAIT_SECONDS, default 300 s). */
function storeWaitSeconds(): number {
  const v = Number(process.env.NEUROREP_STORE_WAIT_SECONDS);
  return process.env.NEUROREP_STORE_WAIT_SECONDS !== undefined && Number.isFinite(v) && v >= 0 ? v : 300;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A finished run's shard into the store, waiting while another process keeps the store locked.
 * The shard is removed only once the run is in the store.
 */
async function storeShard(store: RunStore, shard: string, ctx: Context): Promise<'stored' | 'locked' | { problem: string }> {
  let decoded;
  try {
    decoded = decodeShard(readShardFile(shard), shard);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  const deadline = Date.now() + storeWaitSeconds() * 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      store.saveIfAbsent(decoded.record, decoded.representations);
      rmSync(shard, { force: true });
      return 'stored';
    } catch (err) {
      if (!isStoreLocked(err)) return { problem: `the run could not be stored: ${(err as Error).message} (its shard is kept: ${shard})` };
      if (Date.now() >= deadline) return 'locked';
      if (attempt === 0) ctx.log(`the store ${ctx.store} is locked by another process; waiting up to ${storeWaitSeconds()} s to store the finished runs`);
      await sleep(Math.min(5000, 250 * 2 ** attempt));
    }
  }
}

/** Shards earlier batches could not store (in `<store>-pending/`, other than `current`): into the store now. */
async function importPending(store: RunStore, pending: string, current: string, ctx: Context): Promise<number> {
  let imported = 0;
  for (const dir of readdirSync(pending)) {
    const folder = join(pending, dir);
    if (folder === current || !statSync(folder).isDirectory() || ownerLives(folder)) continue;
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.json'))) if ((await storeShard(store, join(folder, f), ctx)) === 'stored') imported++;
    removeIfEmpty(folder);
  }
  return imported;
}

/**
 * Claim a session in the store; a store another process keeps locked cannot take the claim, and
 * the batch goes on unclaimed (as before claims existed) rather than wait on every session.
 */
function claimSession(store: RunStore, key: string, batchId: string): ReturnType<RunStore['claim']> {
  try {
    return store.claim(key, batchId);
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
    return store.hasBatchKey(key) ? 'stored' : 'mine';
  }
}

/** Give up claims; on a locked store they lapse with this process instead. */
function release(store: RunStore, batchId: string, key?: string): void {
  try {
    store.release(batchId, key);
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
  }
}

/** The file that marks a pending folder as a running batch's. */
const OWNER_FILE = '.owner';

/** Whether the batch that made a pending folder still runs (on this machine; a folder from elsewhere is left alone). */
function ownerLives(folder: string): boolean {
  let o: { host?: string; pid?: number };
  try {
    o = JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as { host?: string; pid?: number };
  } catch {
    return false;
  }
  return o.host !== hostname() || processRuns(Number(o.pid));
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
  } catch {
    /* already gone */
  }
}

function child(argv: string[], env: Record<string, string>, running: Set<ChildProcess>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(packageRoot(), 'bin', 'neurorep.js'), ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.add(p);
    p.on('close', () => running.delete(p));
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.length > 20000) stderr = stderr.slice(-10000);
    });
    p.on('error', (err) => done({ code: -1, stderr: err.message }));
    p.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}
