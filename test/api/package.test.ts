/**
 * The packed package as a consumer gets it: `npm pack`, the tarball unpacked into a consumer
 * project's node_modules, a strict TypeScript program importing 'neurorep' and 'neurorep/core'
 * type-checked against the emitted declarations, compiled and run. (npm would also install the
 * dependencies; here Node's upward lookup finds them in the checkout's node_modules, so what is
 * tested is exactly the packed files.)
 */

import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveDimension, fromRows } from '../../src/index.js';
import { ROOT, tempDir } from '../helpers.js';

const CONSUMER_MAIN = `
import { effectiveDimension, fromRows, patternEntropy, RunStore, NwbFile, openNwb, type DimensionResult, type ResponseMatrix } from 'neurorep';
import { mapComplexity, linearCka } from 'neurorep/core';

const rows: number[][] = [];
for (let i = 0; i < 40; i++) rows.push([Math.sin(i), Math.cos(2 * i), (i % 5) - 2, Math.sin(i * i)]);
const m: ResponseMatrix = fromRows(rows);
const d: DimensionResult = effectiveDimension(m);
const c = mapComplexity(m, m, { seed: 0 });
const p = patternEntropy(m);
console.log(JSON.stringify({
  effectiveDimension: d.effectiveDimension,
  complexity: c.complexity,
  switching: p.switchingFraction,
  cka: linearCka(m, m),
  hasStore: typeof RunStore.open === 'function',
  hasNwb: typeof NwbFile.open === 'function' && typeof openNwb === 'function',
}));
`;

test('npm pack: a consumer imports the API with types, compiles under strict TypeScript and runs', (t) => {
  const artifacts = join(ROOT, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const work = mkdtempSync(join(artifacts, 'consumer-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const files = (JSON.parse(packed)[0].files as { path: string }[]).map((f) => f.path);
  t.true(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts') && files.includes('dist/src/core/index.d.ts'));
  t.false(
    files.some((f) => f.startsWith('dist/test/') || f.startsWith('test/') || f.startsWith('src/core/')),
    'no tests or sources in the package',
  );
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  const consumer = join(work, 'app');
  const pkgDir = join(consumer, 'node_modules', 'neurorep');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', pkgDir, '--strip-components=1']);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(join(consumer, 'main.ts'), CONSUMER_MAIN);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'out',
        types: ['node'],
        skipLibCheck: false,
      },
      files: ['main.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { encoding: 'utf8' });
  t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
  const run = spawnSync(process.execPath, [join(consumer, 'out', 'main.js')], { encoding: 'utf8', cwd: consumer });
  t.is(run.status, 0, run.stderr);
  t.is(run.stderr, '', 'importing the package prints nothing');
  const got = JSON.parse(run.stdout);
  const rows: number[][] = [];
  for (let i = 0; i < 40; i++) rows.push([Math.sin(i), Math.cos(2 * i), (i % 5) - 2, Math.sin(i * i)]);
  t.is(got.effectiveDimension, effectiveDimension(fromRows(rows)).effectiveDimension);
  t.is(got.complexity, 0, 'the identity map is linear');
  t.true(Math.abs(got.cka - 1) < 1e-12);
  t.true(got.hasStore && got.hasNwb);
  // The packed binary works too.
  const version = spawnSync(process.execPath, [join(pkgDir, 'bin', 'neurorep.js'), '--version'], { encoding: 'utf8' });
  t.is(version.status, 0, version.stderr);
  t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('a real npm install of the packed tarball in a fresh ES-module project: needs only the npm registry (no ONNX Runtime download); the library and the binary run; activations says how to add ONNX Runtime', (t) => {
  // Outside the checkout: Node's upward lookup must not find the checkout's own node_modules.
  const work = tempDir('neurorep-install-');
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  // As a consumer has it: no ONNX Runtime install flags in the environment.
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(ONNXRUNTIME_NODE_INSTALL|npm_config_onnxruntime)/i.test(k)) delete env[k];
  const install = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, encoding: 'utf8', env, timeout: 600_000 });
  t.is(install.status, 0, install.stdout + install.stderr);
  t.false(existsSync(join(app, 'node_modules', 'onnxruntime-node')), 'ONNX Runtime is optional: not installed');
  writeFileSync(
    join(app, 'main.mjs'),
    "import { effectiveDimension, fromRows } from 'neurorep';\nconst rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 5) - 2]);\nconsole.log(effectiveDimension(fromRows(rows)).effectiveDimension);\n",
  );
  const run = spawnSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 5) - 2]);
  t.is(Number(run.stdout.trim()), effectiveDimension(fromRows(rows)).effectiveDimension);
  const bin = join(app, 'node_modules', '.bin', 'neurorep');
  writeFileSync(join(app, 'm.csv'), rows.map((r) => r.join(',')).join('\n'));
  const dim = spawnSync(bin, ['dimension', 'm.csv', '--no-store'], { cwd: app, encoding: 'utf8' });
  t.is(dim.status, 0, dim.stderr);
  t.regex(dim.stdout, /effective dimension/);
  writeFileSync(join(app, 'model.onnx'), 'not a model');
  writeFileSync(join(app, 'x.npy'), 'not an array');
  const acts = spawnSync(bin, ['activations', 'model.onnx', 'x.npy', '--out', 'a.npz'], { cwd: app, encoding: 'utf8' });
  t.is(acts.status, 2, acts.stderr);
  t.regex(acts.stderr, /needs ONNX Runtime for Node, an optional dependency of neurorep that is not installed here: npm install onnxruntime-node@1\.30/);
  t.notRegex(acts.stderr, /internal error|\n\s+at /);
});
