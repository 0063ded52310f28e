import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import type { AnalyzeRecord, NetworkRecord } from '../../src/store/schema.js';
import { binary, cli, tempDir } from '../helpers.js';

test('demo: writes a synthetic session and network, stores both runs, compares them with CKA; the same seed gives the same numbers', async (t) => {
  // 9 permutations instead of 99: the nulls' draws are seeded too, and three demos stay affordable
  // (the full demo runs as the README's quick start, below).
  const run = async (seed: string) => {
    const store = tempDir();
    const r = await cli('demo', '--store', store, '--json', '--quiet', '--seed', seed, '--null', '9');
    t.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const db = RunStore.open(store);
    const analysis = db.get(out.analyze) as AnalyzeRecord;
    const network = db.get(out.network) as NetworkRecord;
    db.close();
    return { store, out, analysis, network };
  };
  const numbers = ({ out, analysis, network }: Awaited<ReturnType<typeof run>>) => ({
    groups: analysis.groups.map(({ name, effectiveDimension, patterns, complexity }) => ({ name, effectiveDimension, patterns, complexity })),
    layers: network.layers.map((l) => l.effectiveDimension),
    cka: out.comparison.cka.values,
  });
  const first = await run('5');
  const { store, out, analysis, network } = first;
  t.true(existsSync(join(store, 'demo', 'session.nwb')));
  t.true(existsSync(join(store, 'demo', 'network.npz')));
  t.deepEqual(
    analysis.groups.map((g) => g.name),
    ['V1 (simulated)', 'LM (simulated)'],
  );
  t.deepEqual(
    network.layers.map((l) => l.name),
    ['relu1', 'relu2', 'relu3'],
  );
  // Sharply tuned V1 spreads over more dimensions than broadly tuned LM (noise-corrected).
  const cv = (g: AnalyzeRecord['groups'][number]) => (g as unknown as { cvPCA: { effectiveDimension: number } }).cvPCA.effectiveDimension;
  t.true(cv(analysis.groups[0]) > cv(analysis.groups[1]), `V1 ${cv(analysis.groups[0])} vs LM ${cv(analysis.groups[1])}`);
  t.deepEqual(out.comparison.cka.values.length, 3);
  t.true(out.comparison.cka.values.flat().every((v: number | null) => v !== null));
  const a = numbers(first);
  t.deepEqual(a, numbers(await run('5')));
  t.notDeepEqual(a, numbers(await run('6')));
});

test('the README quick start: the built binary runs the demo', (t) => {
  const store = tempDir();
  // (The full demo: about a minute alone, longer beside other test files.)
  const r = binary(['demo', '--store', store], { timeoutMs: 400_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /V1 \(simulated\)/);
  t.regex(r.stdout, /debiased linear CKA/);
  t.regex(r.stdout, /npx neurorep compare [0-9a-f-]{36} [0-9a-f-]{36}/);
  // The printed command reproduces what was printed: every line of its output is in the demo's.
  const printed = /npx neurorep (compare [^\n]+)/.exec(r.stdout)![1].trim().split(/\s+/);
  const again = binary(printed, { timeoutMs: 400_000 });
  t.is(again.code, 0, again.stderr);
  const lines = again.stdout.split('\n').filter((l) => l.trim() !== '');
  t.true(lines.length > 10);
  const missing = lines.filter((l) => !r.stdout.includes(l));
  t.deepEqual(missing, [], 'lines of the printed compare command that the demo did not print');
});

test('compare and report on a folder without a store: exit 2, and no store is created', async (t) => {
  const dir = join(tempDir(), 'nothing-here');
  for (const args of [
    ['compare', 'abcd'],
    ['report', 'abcd', '--out', join(tempDir(), 'r.html')],
  ]) {
    const r = await cli(...args, '--store', dir);
    t.is(r.code, 2);
    t.regex(r.stderr, /no results store here/);
  }
  t.false(existsSync(dir));
});
