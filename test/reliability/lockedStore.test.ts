/**
 * A batch whose store another process keeps locked (issue "Hardening, third round (last part)",
 * item 1): finished work is never lost, the batch never ends in an internal error, and a stopped
 * batch stops its analyses.
 */

import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { twoAreaSpec, writeTemp } from '../adapters/nwb/helpers.js';
import { ROOT, tempDir } from '../helpers.js';
import { clean, neurorepAsync } from './helpers.js';

/**
 * Another process holding SQLite's write lock on the store for `ms` milliseconds (or until
 * `release()` ends it: its transaction rolls back); resolves when it has the lock.
 */
function holdLock(store: string, ms: number): Promise<{ released: Promise<void>; release: () => void }> {
  const script = `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify(join(store, 'neurorep.db'))});
    db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`;
  const p = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((r) => p.on('close', () => r()));
  return new Promise((r) => p.stdout.once('data', () => r({ released, release: () => p.kill() })));
}

async function sessions(): Promise<string> {
  const dir = tempDir('neurorep-locked-');
  for (const name of ['a.nwb', 'b.nwb']) {
    const p = await writeTemp(twoAreaSpec().spec, name);
    await import('node:fs').then((fs) => fs.copyFileSync(p, join(dir, name)));
  }
  return dir;
}

test('a store locked past the wait: exit 2 naming where the finished runs are; importing them stores both', async (t) => {
  const folder = await sessions();
  const store = join(tempDir(), 'store');
  RunStore.open(store).close();
  // Held until the batch has given up (however long the analyses take on a busy machine).
  const lock = await holdLock(store, 600_000);
  const r = await neurorepAsync(['batch', folder, '--stimulus', 'orientation', '--repeats', '1', '--store', store, '--jobs', '2'], {
    env: { NEUROREP_STORE_WAIT_SECONDS: '2' },
  });
  t.is(r.code, 2, r.stderr);
  clean(t, r);
  const where = /the shards are in (\S+);/.exec(r.stdout)?.[1];
  t.truthy(where, r.stdout);
  t.is(readdirSync(where!).filter((f) => f.endsWith('.json')).length, 2, 'both finished runs kept as shards');
  t.regex(r.stdout, /2 analyzed but not stored/);
  lock.release();
  await lock.released;
  // The next batch on the same store imports them first, and then has nothing left to do.
  const again = await neurorepAsync(['batch', folder, '--stimulus', 'orientation', '--repeats', '1', '--store', store]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /0 analyzed, 2 already in the store/);
  t.false(existsSync(where!), 'the pending shards are gone once stored');
  const db = RunStore.open(store);
  t.is(db.count(), 2);
  db.close();
});

test('a store locked for a while: the batch waits and stores everything', async (t) => {
  const folder = await sessions();
  const store = join(tempDir(), 'store');
  RunStore.open(store).close();
  // Held past SQLite's own 10 s busy timeout, released well within the batch's wait.
  await holdLock(store, 14_000);
  const r = await neurorepAsync(['batch', folder, '--stimulus', 'orientation', '--store', store, '--jobs', '2']);
  t.is(r.code, 0, r.stderr);
  clean(t, r);
  t.regex(r.stdout, /2 analyzed, 0 already in the store, 0 failed/);
  const db = RunStore.open(store);
  t.is(db.count(), 2);
  db.close();
});

test('a batch stopped with SIGTERM stops its analyses and leaves no temporary folders', async (t) => {
  const folder = await sessions();
  const store = join(tempDir(), 'store');
  const batchFolders = () => readdirSync(tmpdir()).filter((f) => f.startsWith('neurorep-batch-'));
  const before = new Set(batchFolders());
  const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'batch', folder, '--stimulus', 'orientation', '--store', store, '--jobs', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  // The children's command lines carry the store's path (their shards go beside it).
  const children = () =>
    spawnSync('pgrep', ['-f', `${store}-pending`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
  const deadline = Date.now() + 60_000;
  while (children().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.true(children().length > 0, 'an analysis was running');
  p.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => p.on('close', r));
  t.is(code, 143, stderr);
  t.regex(stderr, /batch stopped \(SIGTERM\)/);
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual(children(), [], 'no analysis left running');
  t.false(existsSync(`${store}-pending`), 'no empty folder of pending shards left behind');
  t.deepEqual(
    batchFolders().filter((f) => !before.has(f)),
    [],
    'no temporary batch folder',
  );
});
