/**
 * Shards and the store (issue "Hardening, third round", items 8-10): `import` reads only regular
 * files of bounded size, refuses records the store cannot hold (deep nesting, huge texts) before
 * writing, adds a run at most once when two imports race, and two batches on one store analyse
 * each session once. Files are made here.
 */

import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { encodeShard, decodeShard } from '../../src/store/shard.js';
import { RunStore } from '../../src/store/runStore.js';
import type { RunRecord } from '../../src/store/schema.js';
import { writeSessions } from '../adapters/nwb/helpers.js';
import { ROOT, tempDir } from '../helpers.js';
import { clean, neurorep, type Run } from './helpers.js';

/** `count` real shards of dimension runs, in `dir`. */
function shards(dir: string, count: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const m = join(dir, `m${k}.csv`);
    writeFileSync(m, Array.from({ length: 30 }, (_, i) => [Math.sin(i + k), Math.cos(3 * i), (i % 7) - 3 + k, Math.sin(i * i)].join(',')).join('\n'));
    const s = join(dir, `s${k}.json`);
    const r = neurorep(['dimension', m, '--no-store', '--quiet', '--out-record', s]);
    if (r.code !== 0) throw new Error(r.stderr);
    out.push(s);
  }
  return out;
}

function spawnRun(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b));
    p.stderr.on('data', (b: Buffer) => (stderr += b));
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr, peakMiB: NaN }));
  });
}

test('import refuses a pipe, a link to /dev/zero and an oversized file by name, at once, and imports the good shards', (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = join(dir, 'shards');
  mkdirSync(folder);
  const [good] = shards(dir, 1);
  writeFileSync(join(folder, 'good.json'), readFileSync(good));
  const fifo = join(folder, 'pipe.json');
  const made = spawnSync('mkfifo', [fifo]).status === 0;
  symlinkSync('/dev/zero', join(folder, 'zero.json'));
  // A sparse file of 600 MiB: refused by its size, never read.
  const fd = openSync(join(folder, 'huge.json'), 'w');
  ftruncateSync(fd, 600 * 2 ** 20);
  closeSync(fd);
  const started = Date.now();
  const r = neurorep(['import', folder, '--store', join(dir, 'store')]);
  t.true(Date.now() - started < 60_000, 'no hang');
  t.is(r.code, 2, r.stderr);
  t.regex(r.stdout, /1 run imported/);
  if (made) t.regex(r.stderr, /pipe\.json: not a regular file \(a pipe\); a shard is a file written by --out-record/);
  t.regex(r.stderr, /zero\.json: not a regular file \(a device\)/);
  t.regex(r.stderr, /huge\.json: 600 MiB, larger than a shard can be \(at most 500 MiB\)/);
  t.true(r.peakMiB < 400, `peak ${r.peakMiB} MiB`);
  clean(t, r);
});

test('a shard nesting 2000 levels deep or holding a 100 000-character name is refused before the store is written; the store keeps working', (t) => {
  const dir = tempDir('neurorep-rel-');
  const [good] = shards(dir, 1);
  const { record, representations } = decodeShard(readFileSync(good, 'utf8'), good);
  let deep: unknown = 1;
  for (let i = 0; i < 2000; i++) deep = { d: deep };
  const deepShard = join(dir, 'deep.json');
  writeFileSync(
    deepShard,
    encodeShard({ ...record, id: '00000000-0000-4000-8000-000000000001', params: { ...record.params, deep } } as RunRecord, representations),
  );
  const longShard = join(dir, 'long.json');
  const src = record.source as { path: string };
  writeFileSync(
    longShard,
    encodeShard({ ...record, id: '00000000-0000-4000-8000-000000000002', source: { ...src, path: 'x'.repeat(100_000) } } as RunRecord, representations),
  );
  const store = join(dir, 'store');
  const r = neurorep(['import', deepShard, longShard, good, '--store', store]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /deep\.json: the run record nests deeper than 64 levels/);
  t.regex(r.stderr, /long\.json: the run record holds a text of 100000 characters at \$\.source\.path \(at most 65536\)/);
  t.regex(r.stdout, /1 run imported/);
  for (const cmd of [['runs'], ['summary', record.id]]) {
    const after = neurorep([...cmd, '--store', store]);
    t.not(after.code, 1, `${cmd[0]}: ${after.stderr}`);
    clean(t, after);
  }
});

test('three imports of the same 1500 shards at once: each run added once, no "UNIQUE constraint" error', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const [one] = shards(dir, 1);
  const { record, representations } = decodeShard(readFileSync(one, 'utf8'), one);
  const folder = join(dir, 'many');
  mkdirSync(folder);
  for (let i = 0; i < 1500; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    writeFileSync(join(folder, `${i}.json`), encodeShard({ ...record, id } as RunRecord, representations));
  }
  const store = join(dir, 'store');
  RunStore.open(store).close();
  const runs = await Promise.all([0, 1, 2].map(() => spawnRun(['import', folder, '--store', store], dir)));
  for (const r of runs) {
    t.is(r.code, 0, r.stderr);
    t.notRegex(r.stderr, /UNIQUE|internal error/);
  }
  const added = runs.map((r) => Number(/(\d+) runs? imported/.exec(r.stdout)![1]));
  t.is(
    added.reduce((a, b) => a + b, 0),
    1500,
    runs.map((r) => r.stdout).join(' | '),
  );
  const db = RunStore.open(store, { readonly: true });
  t.is(db.count(), 1500);
  db.close();
});

test('two batches on one store at once: every session is analysed once (claimed), none twice', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = join(dir, 'sessions');
  await writeSessions(folder, 4, 'claim');
  const store = join(dir, 'store');
  RunStore.open(store).close();
  const args = ['batch', folder, '--stimulus', 'orientation', '--jobs', '1', '--store', store];
  const [a, b] = await Promise.all([spawnRun(args, dir), spawnRun(args, dir)]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const analyzed = [a, b].map((r) => Number(/: (\d+) analyzed/.exec(r.stdout)![1]));
  t.is(analyzed[0] + analyzed[1], 4, `${a.stdout} | ${b.stdout}`);
  const db = RunStore.open(store, { readonly: true });
  t.is(db.list().length, 4, 'one run per session');
  db.close();
});
