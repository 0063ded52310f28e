import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { recordProblems, type RunRecord } from '../../src/store/schema.js';
import { ROOT, tempDir } from '../helpers.js';
import { dimensionRecord } from './fixtures.js';

test('write/read round trip, with representations', (t) => {
  const store = RunStore.open(tempDir());
  const rec = dimensionRecord();
  const id = rec.id as string;
  const values = Float64Array.from([1, 2, 3, 4, 5, 6]);
  store.save(rec as RunRecord, [{ name: 'm', stimulusIds: [1, 2], n: 2, d: 3, form: 'matrix', values }]);
  t.deepEqual(store.get(id), rec);
  const reps = store.representations(id);
  t.is(reps.length, 1);
  t.deepEqual(Array.from(reps[0].values), Array.from(values));
  t.deepEqual(reps[0].stimulusIds, [1, 2]);
  t.is(store.list()[0].id, id);
  t.is(store.resolveId(id.slice(0, 6)), id);
  t.is(store.get('00000000-0000-0000-0000-000000000000'), null);
  t.is(store.get('../../etc/passwd'), null);
  store.close();
});

test('records are schema-checked before writing', (t) => {
  const store = RunStore.open(tempDir());
  const bad = dimensionRecord({ effectiveDimension: 'many' });
  t.true(recordProblems(bad).some((p) => p.includes('effectiveDimension')));
  t.throws(() => store.save(bad as unknown as RunRecord), { message: /does not match its schema/ });
  t.throws(() => store.save(dimensionRecord({ kind: 'mystery' }) as unknown as RunRecord), { message: /unknown record kind/ });
  t.is(store.count(), 0);
  store.close();
});

const writerScript = (dir: string, count: number, big: boolean) => `
  const { RunStore } = await import(${JSON.stringify(join(ROOT, 'src', 'store', 'runStore.ts'))});
  const { dimensionRecord } = await import(${JSON.stringify(join(ROOT, 'test', 'store', 'fixtures.ts'))});
  const store = RunStore.open(${JSON.stringify(dir)});
  const values = new Float64Array(${big ? 3_000_000 : 10}).fill(1);
  for (let i = 0; i < ${count}; i++) {
    const rec = dimensionRecord();
    store.save(rec, [{ name: 'a', stimulusIds: [], n: 1, d: values.length, form: 'matrix', values }, { name: 'b', stimulusIds: [], n: 1, d: values.length, form: 'matrix', values }]);
    if (i === 0) process.stdout.write('first\\n');
  }
  store.close();
`;

test('kill -9 during writes leaves a valid database without a partial run', async (t) => {
  const dir = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writerScript(dir, 1000, true)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  await new Promise((r) => setTimeout(r, 400)); // mid-way through later 48 MB transactions
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const store = RunStore.open(dir);
  t.is(store.integrityCheck(), 'ok');
  const runs = store.list();
  t.true(runs.length >= 1 && runs.length < 1000, `${runs.length} runs`);
  for (const r of runs) {
    t.truthy(store.get(r.id)); // parses and passes the schema
    t.is(store.representations(r.id).length, 2, 'every stored run has all its representations');
  }
  store.close();
});

test('two processes writing at once both succeed', (t) => {
  const dir = tempDir();
  RunStore.open(dir).close();
  const script = writerScript(dir, 40, false);
  const procs = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' }));
  return Promise.all(procs.map((p) => new Promise<number>((r) => p.once('exit', (c) => r(c ?? -1))))).then((codes) => {
    t.deepEqual(codes, [0, 0]);
    const store = RunStore.open(dir);
    t.is(store.count(), 80);
    store.close();
    // and a reader in another process sees them too
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'runs', '--json', '--store', dir], { encoding: 'utf8' });
    t.is(JSON.parse(r.stdout).runs.length, 80);
  });
});
