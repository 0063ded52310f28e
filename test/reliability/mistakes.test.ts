/**
 * Classes 5-8: control characters never reach the terminal raw; user mistakes are exit 2 with a
 * message naming the path or option (never "internal error"); truncated or foreign HDF5 files are
 * named as such without the library's diagnostic stack; a closed stdout ends a command quietly.
 */

import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { RunStore } from '../../src/store/runStore.js';
import { ROOT, SHARED_DATA, tempDir } from '../helpers.js';
import { twoAreaSpec } from '../adapters/nwb/helpers.js';
import { clean, neurorep, userMistake } from './helpers.js';

const ESC = '\u001b';

test('control characters from data files and paths are escaped in every message and output', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const csv = join(dir, 'cells.csv');
  writeFileSync(csv, `1,2\n3,${ESC}[2Jred\n`);
  userMistake(t, neurorep(['dimension', csv, '--no-store']), /line 2, column 2: '\\u001b\[2Jred' is not a number/);
  const oddName = join(dir, `name${ESC}]0;title\u0007.csv`);
  userMistake(t, neurorep(['dimension', oddName, '--no-store']), /name\\u001b\]0;title\\u0007\.csv: no such file/);
  // Area names (NWB strings) in text output, JSON output and the run list.
  const { spec } = twoAreaSpec();
  spec.electrodes!.location = spec.electrodes!.location.map((l) => (l === 'V1' ? `V1${ESC}[31m` : `LM\u009b2J`));
  const nwb = join(dir, 'areas.nwb');
  await writeNwbFile(nwb, spec);
  const store = join(dir, 'store');
  const text = neurorep(['analyze', nwb, '--stimulus', 'orientation', '--store', store]);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /V1\\u001b\[31m/);
  t.regex(text.stdout, /LM\\u009b2J/);
  clean(t, text);
  const json = neurorep(['analyze', nwb, '--stimulus', 'orientation', '--json', '--no-store']);
  clean(t, json);
  t.deepEqual(
    JSON.parse(json.stdout).groups.map((g: { name: string }) => g.name),
    [`V1${ESC}[31m`, 'LM\u009b2J'],
    'JSON keeps the exact strings, escaped',
  );
  const runs = neurorep(['runs', '--store', store]);
  t.is(runs.code, 0);
  clean(t, runs);
  const info = neurorep(['info', nwb]);
  t.is(info.code, 0, info.stderr);
  clean(t, info);
});

test('user mistakes are exit 2 naming the path or option: folders, permissions, nesting, magnitudes, scales', (t) => {
  const dir = tempDir('neurorep-rel-');
  userMistake(t, neurorep(['dimension', dir, '--no-store']), new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is a directory, expected a file`));
  userMistake(t, neurorep(['analyze', dir, '--no-store']), /is a directory, expected a file/);
  userMistake(t, neurorep(['info', dir]), /is a directory, expected a file/);
  userMistake(t, neurorep(['dimension', join(dir, 'missing.npy'), '--no-store']), /missing\.npy: no such file/);

  let nested = '1';
  for (let i = 0; i < 100_000; i++) nested = `[${nested}]`;
  writeFileSync(join(dir, 'nested.json'), `{"data":${nested}}`);
  userMistake(t, neurorep(['dimension', join(dir, 'nested.json'), '--no-store']), /nested\.json: data\[0\]\[0\] is a list of 1, not a number/);
  writeFileSync(join(dir, 'deep.json'), `{"data":[[1,2],[3,4]],"x":${nested}}`);
  const deep = neurorep(['dimension', join(dir, 'deep.json'), '--no-store']);
  t.not(deep.code, 1, 'deep nesting elsewhere in the file is not an internal error');
  clean(t, deep);

  const rows = (scale: number) =>
    JSON.stringify({ data: Array.from({ length: 30 }, (_, i) => [Math.sin(i) * scale, Math.cos(2 * i) * scale, ((i % 5) - 2) * scale]) });
  writeFileSync(join(dir, 'huge.json'), rows(1e200));
  writeFileSync(join(dir, 'tiny.json'), rows(1e-200));
  writeFileSync(join(dir, 'fine.json'), rows(1));
  userMistake(
    t,
    neurorep(['dimension', join(dir, 'huge.json'), '--no-store']),
    /huge\.json: values as large as .*e\+200: their variance overflows double precision; divide the data by a constant/,
  );
  userMistake(
    t,
    neurorep(['dimension', join(dir, 'tiny.json'), '--no-store']),
    /tiny\.json: the largest value is .*e-200: its variance underflows double precision; multiply the data by a constant/,
  );
  userMistake(t, neurorep(['complexity', join(dir, 'fine.json'), join(dir, 'huge.json'), '--no-store']), /huge\.json: values as large as/);
  // Scale invariance is what the message promises: 1e50 times the data gives the same D_eff.
  writeFileSync(join(dir, 'big.json'), rows(1e50));
  const a = JSON.parse(neurorep(['dimension', join(dir, 'fine.json'), '--no-store', '--json']).stdout).effectiveDimension;
  const b = JSON.parse(neurorep(['dimension', join(dir, 'big.json'), '--no-store', '--json']).stdout).effectiveDimension;
  t.true(Math.abs(a - b) < 1e-9 * a, `${a} vs ${b}`);

  userMistake(
    t,
    neurorep(['complexity', join(dir, 'fine.json'), join(dir, 'fine.json'), '--definition', '1', '--scales', '1000000', '--no-store']),
    /--scales 1000000: more pieces than the 24 training stimuli per fold/,
  );
  userMistake(
    t,
    neurorep(['complexity', join(dir, 'fine.json'), join(dir, 'fine.json'), '--definition', '1', '--scales', '1e9', '--no-store']),
    /--scales expects whole numbers/,
  );
  userMistake(t, neurorep(['dimension', join(dir, 'fine.json'), '--intervals', '0', '--no-store']), /--intervals/);
  userMistake(t, neurorep(['dimension', join(dir, 'fine.json'), '--max-array-bytes', '-5', '--no-store']), /--max-array-bytes/);
});

test('a file without read permission is exit 2 naming it', (t) => {
  const dir = tempDir('neurorep-rel-');
  chmodSync(dir, 0o755);
  const file = join(dir, 'secret.csv');
  writeFileSync(file, '1,2\n3,4\n5,7\n');
  chmodSync(file, 0o000);
  // Root reads through permissions: run the command as nobody when the suite runs as root.
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) {
    userMistake(t, neurorep(['dimension', file, '--no-store']), /secret\.csv: permission denied/);
    return;
  }
  const setpriv = spawnSync('setpriv', ['--version']);
  if (setpriv.status !== 0) {
    t.log('running as root without setpriv: the permission case cannot be exercised here');
    t.pass();
    return;
  }
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'bin', 'neurorep.js'), 'dimension', file, '--no-store'],
    { cwd: '/', encoding: 'utf8' },
  );
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /secret\.csv: permission denied \(the file cannot be read\)/);
  t.notRegex(r.stderr, /internal error|\n\s+at /);
});

test('truncated and foreign HDF5 files: named as such, no HDF5 diagnostic stack', (t) => {
  const dir = tempDir('neurorep-rel-');
  const real = join(SHARED_DATA, 'nwb', 'sub_anm00239123_ses_20170627T093549_ecephys_and_ogen.nwb');
  const bytes = readFileSync(real);
  for (const keep of [100_000, Math.floor(bytes.length / 2), bytes.length - 1]) {
    const cut = join(dir, `cut-${keep}.nwb`);
    writeFileSync(cut, bytes.subarray(0, keep));
    for (const cmd of [
      ['info', cut],
      ['analyze', cut, '--no-store'],
    ]) {
      userMistake(
        t,
        neurorep(cmd),
        new RegExp(`cut-${keep}\\.nwb: truncated: the file has ${keep} bytes, but its HDF5 superblock says it ends at byte ${bytes.length}`),
      );
    }
  }
  const foreign = join(dir, 'notes.nwb');
  writeFileSync(foreign, 'just some text\n'.repeat(1000));
  userMistake(t, neurorep(['analyze', foreign, '--no-store']), /notes\.nwb: not an HDF5 file/);
  // A valid HDF5 signature and superblock over garbage: HDF5 fails inside; the message names the file.
  const broken = Buffer.from(bytes.subarray(0, 4096 * 4));
  broken.fill(0xab, 200);
  const padded = Buffer.concat([broken, Buffer.alloc(bytes.length - broken.length, 0xcd)]);
  const garbage = join(dir, 'garbage.nwb');
  writeFileSync(garbage, padded);
  const g = neurorep(['analyze', garbage, '--no-store']);
  userMistake(t, g, /garbage\.nwb: /);
});

test('a closed stdout ends the command quietly (runs | head, --json | head)', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const store = join(dir, 'store');
  const csv = join(dir, 'm.csv');
  writeFileSync(csv, Array.from({ length: 30 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 3}`).join('\n'));
  const first = neurorep(['dimension', csv, '--store', store, '--json', '--quiet']);
  t.is(first.code, 0, first.stderr);
  const rec = JSON.parse(first.stdout);
  // 2,000 stored runs: far more than a pipe buffer of listing.
  const s = RunStore.open(store);
  try {
    for (let i = 0; i < 2000; i++) s.save({ ...rec, id: `${rec.id.slice(0, 24)}${i.toString(16).padStart(12, '0')}` });
  } finally {
    s.close();
  }
  for (const args of [
    ['runs', '--store', store],
    ['runs', '--store', store, '--json'],
  ]) {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Read the first chunk, then close the pipe, as `| head -3` does.
    await new Promise<void>((resolve) =>
      child.stdout.once('data', () => {
        child.stdout.destroy();
        resolve();
      }),
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    t.is(code, 0, stderr);
    t.is(stderr, '', 'nothing on stderr');
  }
});
