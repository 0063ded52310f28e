import test from 'ava';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { h5 } from '../../../adapters/nwb/h5Node.js';
import { cli, ROOT, SHARED_DATA, tempDir } from '../../helpers.js';
import { twoAreaSpec, writeTemp } from './helpers.js';

async function expectInputError(t: import('ava').ExecutionContext, args: string[], pattern: RegExp): Promise<void> {
  const r = await cli(...args);
  t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  t.regex(r.stderr, pattern);
  t.notRegex(r.stderr, /\n\s+at /);
}

test('not an HDF5 file', async (t) => {
  const dir = tempDir();
  const p = join(dir, 'fake.nwb');
  writeFileSync(p, 'just text, not HDF5');
  await expectInputError(t, ['analyze', p], /fake\.nwb: not an HDF5 file/);
  await expectInputError(t, ['info', p], /fake\.nwb: not an HDF5 file/);
});

test('HDF5 without NWB attributes', async (t) => {
  const mod = await h5();
  const p = join(tempDir(), 'plain.h5');
  const f = new mod.File(p, 'w');
  f.create_dataset({ name: 'x', data: [1, 2, 3] });
  f.close();
  await expectInputError(t, ['analyze', p], /plain\.h5: \/: an HDF5 file without NWB attributes/);
});

test('spike_times_index that points past spike_times', async (t) => {
  const { spec } = twoAreaSpec();
  const p = await writeTemp(spec);
  const mod = await h5();
  const f = new mod.File(p, 'a');
  const idx = f.get('units/spike_times_index') as InstanceType<typeof mod.Dataset>;
  const ends = Array.from(idx.value as Int32Array);
  ends[ends.length - 1] += 50;
  idx.write_slice([[0, ends.length]], Int32Array.from(ends));
  f.close();
  await expectInputError(t, ['analyze', p], /gen\.nwb: \/units\/spike_times_index: points past \/units\/spike_times/);
});

test('a table or column that does not exist; a window with B <= A', async (t) => {
  const p = await writeTemp(twoAreaSpec().spec);
  await expectInputError(t, ['analyze', p, '--table', 'epochs'], /\/intervals\/epochs: no such interval table; the file has \/intervals\/trials/);
  await expectInputError(t, ['analyze', p, '--align', 'onset'], /\/intervals\/trials\/onset: no column 'onset'/);
  await expectInputError(t, ['analyze', p, '--stimulus', 'contrast'], /\/intervals\/trials\/contrast: no column/);
  await expectInputError(t, ['analyze', p, '--group-by', 'depth'], /--group-by depth: no such units column/);
  await expectInputError(t, ['analyze', p, '--window', '0.5,0.2'], /--window 0\.5,0\.2: B must be greater than A/);
  await expectInputError(t, ['analyze', p, '--window', '0.5'], /--window expects two numbers/);
});

test('no units and no ophys (the real Neuropixels LF file)', async (t) => {
  await expectInputError(
    t,
    ['analyze', join(SHARED_DATA, 'nwb', 'spikeglx_lf_sub-001_ses-1.nwb')],
    /spikeglx_lf_sub-001_ses-1\.nwb: \/units: no units .* and no ophys/,
  );
});

test('opening a large file reads only what is asked', async (t) => {
  // 256 MB of unrelated float32 data beside a small units table.
  const { spec } = twoAreaSpec();
  const big = new Float32Array(64 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 997) big[i] = i;
  spec.extra = [{ path: 'acquisition/huge/data', data: big, shape: [8192, 8192] }];
  const p = await writeTemp(spec, 'large.nwb');
  // The warm-up file is large enough (48 MB) to be hashed in a worker thread too: the test then
  // measures what the extra 208 MB add, not the fixed cost of that thread.
  const mediumSpec = twoAreaSpec().spec;
  mediumSpec.extra = [{ path: 'acquisition/medium/data', data: new Float32Array(12 * 1024 * 1024).fill(1), shape: [3072, 4096] }];
  const small = await writeTemp(mediumSpec, 'medium.nwb');
  const size = statSync(p).size;
  t.true(size > 256e6);
  // A fresh process opens the file, builds the matrices and profiles them, and reports how many
  // bytes it read (Linux /proc/self/io). Then the whole CLI run: its only full read is the
  // streamed sha256 of the run record, so its memory stays far below the file size.
  const script = `
    import { readFileSync } from 'node:fs';
    const rchar = () => Number(/rchar: (\\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
    const { NwbFile, lockResponses } = await import(${JSON.stringify(join(ROOT, 'adapters', 'nwb', 'index.ts'))});
    const { profileGroup } = await import(${JSON.stringify(join(ROOT, 'src', 'analysis', 'profile.ts'))});
    const { runCli } = await import(${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))});
    const { h5 } = await import(${JSON.stringify(join(ROOT, 'adapters', 'nwb', 'h5Node.ts'))});
    await h5(); // h5wasm reserves its WASM heap up front
    const before = rchar();
    const nwb = await NwbFile.open(${JSON.stringify(p)});
    const locked = lockResponses(nwb, { stimulus: 'orientation' });
    for (const g of locked.groups) profileGroup({ name: g.name, trials: g.matrix, stimulusIds: locked.stimulus.values, threshold: 0 });
    nwb.close();
    const read = rchar() - before;
    const io = { out: () => {}, err: (s) => process.stderr.write(s), errIsTTY: false };
    // Warm up on a medium file (modules, worker threads), then measure what the large file adds.
    await runCli(['analyze', ${JSON.stringify(small)}, '--quiet', '--json', '--no-store'], io);
    const warm = process.memoryUsage().rss;
    const code = await runCli(['analyze', ${JSON.stringify(p)}, '--quiet', '--json', '--no-store'], io);
    console.log(JSON.stringify({ code, read, grown: process.memoryUsage().rss - warm }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const { code, read, grown } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.is(code, 0);
  t.true(read < size / 50, `the adapter read ${read} bytes of a ${size}-byte file`);
  t.true(grown < size / 10, `memory grew by ${grown} bytes for a ${size}-byte file`);
});
