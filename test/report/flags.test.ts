import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAG_OF_OPTION, withFlags } from '../../src/report/flags.js';
import { COMMANDS } from '../../src/cli/main.js';
import { GLOBAL_OPTIONS, STORING_OPTIONS } from '../../src/cli/args.js';
import { readMatrixFile } from '../../src/io/matrixFile.js';
import { runPage } from '../../src/report/pages.js';
import type { RunRecord } from '../../src/store/schema.js';
import { dimensionRecord } from '../store/fixtures.js';
import { encodeNpz } from '../../src/io/npz.js';
import { cli, ROOT, tempDir } from '../helpers.js';

test('every API option the table translates is a real flag of some command', async (t) => {
  const flags = new Set([...Object.keys(GLOBAL_OPTIONS), ...Object.keys(STORING_OPTIONS)].map((k) => `--${k}`));
  for (const c of COMMANDS) for (const k of Object.keys((await c.load()).options)) flags.add(`--${k}`);
  for (const [api, flag] of Object.entries(FLAG_OF_OPTION)) t.true(flags.has(flag), `${api} -> ${flag} is no flag`);
});

test('withFlags: API option names in backticks become flags, placeholders kept, other backticked words untouched', (t) => {
  t.is(withFlags('use `matchNeurons` for a fair comparison'), 'use --match-neurons for a fair comparison');
  t.is(withFlags('choose one with `key NAME`'), 'choose one with --key NAME');
  t.is(withFlags('the `orientation` column and `areaOrder`'), 'the `orientation` column and --area-order');
});

test('library errors name API options; the CLI shows them as flags', async (t) => {
  const dir = tempDir();
  const npz = join(dir, 'two.npz');
  writeFileSync(
    npz,
    encodeNpz([
      ['a', { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] }],
      ['b', { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] }],
    ]),
  );
  const err = t.throws(() => readMatrixFile(npz));
  t.regex(err!.message, /choose one with `key NAME`/);
  t.notRegex(err!.message, /--key/);
  const r = await cli('dimension', npz);
  t.is(r.code, 2);
  t.regex(r.stderr, /choose one with --key NAME/);
});

test('no module below the CLI writes a CLI flag into a message', (t) => {
  // Any string in code below the CLI that spells a --flag, except Node.js's own flags for workers.
  const nodeFlags = /--(input-type|expose-gc|no-liftoff)\b/g;
  const offenders: string[] = [];
  for (const top of ['src/core', 'src/analysis', 'src/io', 'src/store', 'src/runtime', 'adapters']) {
    for (const f of readdirSync(join(ROOT, top), { recursive: true }).map(String)) {
      if (!f.endsWith('.ts')) continue;
      readFileSync(join(ROOT, top, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim();
          if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
          if (/['`"]/.test(line) && /--[a-z][a-z-]+/.test(line.replace(nodeFlags, ''))) offenders.push(`${top}/${f}:${i + 1}: ${code.slice(0, 80)}`);
        });
    }
  }
  t.deepEqual(offenders, []);
});

test('the viewer shows library warnings with flags too (its readers type commands)', (t) => {
  const rec = dimensionRecord({ warnings: [{ code: 'unequal-group-sizes', message: 'use `matchNeurons` for a fair comparison' }] });
  const html = runPage(rec as RunRecord, { mode: 'linked' });
  t.regex(html, /use --match-neurons for a fair comparison/);
});
