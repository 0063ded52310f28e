/**
 * neurorep's benchmark: `npm run bench [-- --only NAME[,NAME]] [-- --skip-nwb]`.
 *
 * On the same generated matrices, in the same run, it times neurorep's commands end to end
 * (a fresh `node bin/neurorep.js` process each: start-up included) against the same computation
 * in Python with Debian's python3-numpy / python3-sklearn / python3-h5py (installed with apt if
 * missing), and prints the ratio neurorep / Python per case with both peak memories (GNU time).
 * Not part of CI; results are also written to bench/out/results-<time>.json. `--root DIR` times
 * another neurorep checkout (e.g. an earlier commit) on the same inputs.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNwbFile } from '../adapters/nwb/write.js';
import { Rng } from '../src/core/random.js';
import { writeNpy } from '../src/io/matrixFile.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(tmpdir(), 'neurorep-bench');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const skipNwb = args.includes('--skip-nwb');
/** The neurorep checkout to time (default this one): lets one run compare a before and an after. */
const NEUROREP_ROOT = args.includes('--root') ? args[args.indexOf('--root') + 1] : ROOT;

interface Timed {
  seconds: number;
  peakMB: number;
  stdout: string;
  ok: boolean;
  stderr: string;
}

/** Run a command under GNU time: wall seconds and peak resident memory. */
function timed(cmd: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', ...cmd], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr);
  return {
    seconds: m ? Number(m[1]) : NaN,
    peakMB: m ? Number(m[2]) / 1024 : NaN,
    stdout: r.stdout,
    ok: r.status === 0,
    stderr: r.stderr.replace(/__TIME__.*\n?/, ''),
  };
}

function ensurePython(): void {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import numpy, sklearn, h5py, threadpoolctl'], { stdio: 'ignore' }).status === 0;
  if (ok && existsSync('/usr/bin/time')) return;
  process.stderr.write('installing Debian python3-numpy python3-sklearn python3-h5py time ...\n');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'python3-numpy', 'python3-sklearn', 'python3-h5py', 'python3-threadpoolctl', 'time'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error('could not install the Python baseline (apt-get failed); run as root on Debian');
}

/** numpy at its best: without the OpenBLAS core-type overrides some machines set for safety. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function gaussianNpy(path: string, n: number, d: number, seed: number, spectrumDecay = 0.5): void {
  if (existsSync(path)) return;
  const rng = new Rng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() * (j + 1) ** -spectrumDecay;
  writeNpy(path, { data, shape: [n, d], dtype: 'f4' });
}

async function nwbFile(path: string): Promise<void> {
  if (existsSync(path)) return;
  // 500 units x ~250,000 spikes (float64) = ~1 GB of spike times; 5,000 trials 2 s apart.
  const rng = new Rng(7);
  const trials = 5000;
  const span = 2 * trials + 10;
  const spikeTimes: Float64Array[] = [];
  for (let u = 0; u < 500; u++) {
    const count = 240000 + rng.int(20000);
    const t = new Float64Array(count);
    for (let s = 0; s < count; s++) t[s] = span * rng.next();
    spikeTimes.push(t.sort());
  }
  await writeNwbFile(path, {
    identifier: 'bench',
    sessionDescription: 'neurorep benchmark session (synthetic)',
    electrodes: { location: ['A', 'B'], group: ['g0', 'g1'] },
    units: { spikeTimes, electrodes: spikeTimes.map((_, u) => u % 2) },
    intervals: { trials: { start: Array.from({ length: trials }, (_, i) => 5 + 2 * i), stop: Array.from({ length: trials }, (_, i) => 6 + 2 * i) } },
  });
}

interface Case {
  name: string;
  prepare: () => Promise<string[]>;
  neurorep: (files: string[]) => string[];
  python: (files: string[]) => string[];
  /** Extra Python baselines shown for context. */
  extra?: { label: string; cmd: (files: string[]) => string[] }[];
}

const node = process.execPath;
const cli = join(NEUROREP_ROOT, 'bin', 'neurorep.js');
const py = ['/usr/bin/python3', join(ROOT, 'bench', 'python', 'cases.py')];
const dimCase = (n: number, d: number): Case => ({
  name: `dimension ${n}x${d}`,
  prepare: async () => {
    const p = join(WORK, `dim-${n}x${d}.npy`);
    gaussianNpy(p, n, d, n + d);
    return [p];
  },
  neurorep: ([p]) => [node, cli, 'dimension', p, '--json', '--no-store', '--quiet'],
  python: ([p]) => [...py, 'dimension', p],
  extra: [{ label: 'numpy eigvalsh', cmd: ([p]) => [...py, 'dimension-eigh', p] }],
});

/** The complexity case's inputs (made by the default case, which runs first). */
const complexityInputs = (): string[] => [join(WORK, 'cx-x.npy'), join(WORK, 'cx-y.npy')];
/** The complexity case at an earlier definition, against the same Python reference (definition 1). */
const complexityAt = (definition: number): Case => ({
  name: `complexity n=5000 p=q=256, definition ${definition}`,
  prepare: async () => {
    const files = complexityInputs();
    if (!files.every(existsSync)) throw new Error('run the default complexity case first (it writes the inputs)');
    return files;
  },
  neurorep: ([x, y]) => [node, cli, 'complexity', x, y, '--definition', String(definition), '--json', '--no-store', '--quiet'],
  python: ([x, y]) => [...py, 'complexity', x, y],
});

const CASES: Case[] = [
  dimCase(2000, 500),
  dimCase(10000, 2000),
  dimCase(2000, 20000),
  {
    name: 'complexity n=5000 p=q=256 (default, definition 3)',
    prepare: async () => {
      const x = join(WORK, 'cx-x.npy'),
        y = join(WORK, 'cx-y.npy');
      if (!existsSync(y)) {
        gaussianNpy(x, 5000, 256, 11, 0.3);
        // Y: a ReLU map of X (piecewise linear) plus noise.
        const rng = new Rng(12);
        const { readMatrixFile } = await import('../src/io/matrixFile.js');
        const xm = readMatrixFile(x).matrix;
        const w = Float64Array.from({ length: 256 * 256 }, () => rng.normal() / 16);
        const out = new Float32Array(5000 * 256);
        for (let i = 0; i < 5000; i++)
          for (let j = 0; j < 256; j++) {
            let s = 0;
            for (let k = 0; k < 256; k++) s += xm.data[i * 256 + k] * w[k * 256 + j];
            out[i * 256 + j] = Math.max(0, s) + 0.1 * rng.normal();
          }
        writeNpy(y, { data: out, shape: [5000, 256], dtype: 'f4' });
      }
      return [x, y];
    },
    neurorep: ([x, y]) => [node, cli, 'complexity', x, y, '--json', '--no-store', '--quiet'],
    python: ([x, y]) => [...py, 'complexity', x, y],
  },
  complexityAt(2),
  complexityAt(1),
  {
    name: 'patterns 10000x1000',
    prepare: async () => {
      const p = join(WORK, 'pat-10000x1000.npy');
      gaussianNpy(p, 10000, 1000, 21, 0);
      return [p];
    },
    neurorep: ([p]) => [node, cli, 'patterns', p, '--json', '--no-store', '--quiet'],
    python: ([p]) => [...py, 'patterns', p],
  },
  {
    // The shipped MNIST CNN on the 2000 shipped images (needs ../shared/data; skipped without it).
    name: 'network MNIST CNN, 2000 images',
    prepare: async () => {
      const p = join(WORK, 'mnist-cnn-acts.npz');
      const data = join(ROOT, '..', 'shared', 'data');
      if (!existsSync(p)) {
        const r = spawnSync(
          node,
          [
            cli,
            'activations',
            join(data, 'models', 'mnist_cnn_cntk.onnx'),
            join(data, 'datasets', 'mnist', 'mnist_test_first2000_images_uint8.npy'),
            '--out',
            p,
            '--no-store',
            '--quiet',
          ],
          { stdio: 'inherit' },
        );
        if (r.status !== 0) throw new Error('could not compute the MNIST CNN activations (is ../shared/data there?)');
      }
      return [p];
    },
    neurorep: ([p]) => [node, cli, 'network', p, '--json', '--no-store', '--quiet'],
    python: ([p]) => [...py, 'network', p],
  },
  {
    name: 'NWB analyze 1 GB, 500 units x 5000 trials',
    prepare: async () => {
      const p = join(WORK, 'bench-1gb.nwb');
      await nwbFile(p);
      return [p];
    },
    neurorep: ([p]) => [node, cli, 'analyze', p, '--json', '--no-store', '--quiet'],
    python: ([p]) => [...py, 'nwb', p],
  },
];

/** Which BLAS numpy runs in the baselines' environment, and its kernel (threadpoolctl). */
let numpyBlas = 'unknown';

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  ensurePython();
  const blas = timed([...py, 'blas'], pythonEnv());
  try {
    const libs = JSON.parse(blas.stdout) as { internal_api: string; version: string; architecture: string; num_threads: number }[];
    numpyBlas = libs.map((l) => `${l.internal_api} ${l.version}, ${l.architecture} kernel, ${l.num_threads} threads`).join('; ');
  } catch {
    /* reported as unknown */
  }
  process.stdout.write(`numpy's BLAS (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset): ${numpyBlas}\n`);
  const rows: Record<string, unknown>[] = [];
  const cases = CASES.filter((c) => (!only || only.some((o) => c.name.startsWith(o))) && !(skipNwb && c.name.startsWith('NWB')));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(11))).join(' ');
  process.stdout.write(line(['case', 'neurorep s', 'python s', 'ratio', 'nr peak MB', 'py peak MB']) + '\n');
  for (const c of cases) {
    process.stderr.write(`preparing ${c.name} ...\n`);
    const files = await c.prepare();
    const size = files.reduce((a, f) => a + statSync(f).size, 0);
    const ours = timed(c.neurorep(files));
    const theirs = timed(c.python(files), pythonEnv());
    if (!ours.ok) process.stderr.write(`neurorep failed on ${c.name}: ${ours.stderr}\n`);
    if (!theirs.ok) process.stderr.write(`python failed on ${c.name}: ${theirs.stderr}\n`);
    const ratio = ours.seconds / theirs.seconds;
    process.stdout.write(
      line([c.name, ours.seconds.toFixed(2), theirs.seconds.toFixed(2), ratio.toFixed(2), ours.peakMB.toFixed(0), theirs.peakMB.toFixed(0)]) + '\n',
    );
    const extras = (c.extra ?? []).map((e) => {
      const t = timed(e.cmd(files), pythonEnv());
      process.stdout.write(line([`  vs ${e.label}`, '', t.seconds.toFixed(2), (ours.seconds / t.seconds).toFixed(2), '', t.peakMB.toFixed(0)]) + '\n');
      return { label: e.label, seconds: t.seconds, peakMB: t.peakMB, ratio: ours.seconds / t.seconds };
    });
    let agreement: Record<string, unknown> = {};
    try {
      agreement = { neurorep: pick(JSON.parse(ours.stdout)), python: JSON.parse(theirs.stdout) };
    } catch {
      /* a failed side has no output */
    }
    rows.push({
      case: c.name,
      inputBytes: size,
      neurorep: { seconds: ours.seconds, peakMB: ours.peakMB },
      python: { seconds: theirs.seconds, peakMB: theirs.peakMB },
      ratio,
      extras,
      agreement,
    });
  }
  if (!only || only.includes('eigen')) rows.push(eigenAlone());
  if (!only || only.includes('batch')) rows.push(await batchSpeedup());
  const outDir = join(ROOT, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, neurorep: NEUROREP_ROOT, blas: numpyBlas, rows }, null, 1));
  process.stderr.write(`results: ${file}\n`);
  const table = join(
    ROOT,
    'docs',
    'measurements',
    `bench-${new Date().toISOString().slice(0, 10)}${only ? `-${only.join('+').replace(/[^A-Za-z0-9+.-]+/g, '-')}` : ''}.md`,
  );
  mkdirSync(dirname(table), { recursive: true });
  writeFileSync(table, measurementsTable(rows));
  process.stderr.write(`table: ${table}\n`);
}

/** The run as a markdown page for docs/measurements/: generated, never typed. */
function measurementsTable(rows: Record<string, unknown>[]): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSyncSafe('/proc/cpuinfo'))?.[1] ?? 'unknown CPU';
  const f = (x: unknown, digits = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-');
  const lines = [
    `# npm run bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Generated by \`bench/run.ts\` (do not edit by hand). ${availableParallelism()} cores (${cpu}), Node.js ${process.version};`,
    `Python baselines with Debian's numpy/scikit-learn/h5py, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (numpy at its best kernel: ${numpyBlas}).`,
    'Times are wall seconds end to end, process start included; peak memory is the largest resident set (GNU time).',
    '',
    '| case | neurorep s | Python s | ratio | neurorep peak MB | Python peak MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (r.case === 'batch 12 sessions' || r.case === 'eigenvalues 2000x2000') continue;
    const ours = r.neurorep as { seconds: number; peakMB: number };
    const theirs = r.python as { seconds: number; peakMB: number };
    lines.push(`| ${r.case} | ${f(ours.seconds)} | ${f(theirs.seconds)} | ${f(r.ratio)} | ${f(ours.peakMB, 0)} | ${f(theirs.peakMB, 0)} |`);
    for (const e of (r.extras as { label: string; seconds: number; peakMB: number; ratio: number }[]) ?? []) {
      lines.push(`| &nbsp;&nbsp;against ${e.label} | | ${f(e.seconds)} | ${f(e.ratio)} | | ${f(e.peakMB, 0)} |`);
    }
  }
  const eigen = rows.find((r) => r.case === 'eigenvalues 2000x2000');
  if (eigen) {
    const e = eigen as { neurorep: { first: number; warm: number }; python: { first: number; warm: number } };
    lines.push(
      '',
      `Eigenvalues of a 2000 x 2000 symmetric matrix, timed inside each process (no start-up, no file reading): neurorep's \`symmetricEigen\` ${f(e.neurorep.warm)} s warm (median of 3 after the first call), ${f(e.neurorep.first)} s the first call; numpy's \`eigvalsh\` (LAPACK dsyevd) ${f(e.python.warm)} s warm, ${f(e.python.first)} s first: ratio ${f(e.neurorep.warm / e.python.warm)} warm, ${f(e.neurorep.first / e.python.first)} first.`,
    );
  }
  const batch = rows.find((r) => r.case === 'batch 12 sessions');
  if (batch) lines.push('', `batch, 12 demo-size sessions: \`--jobs 1\` ${f(batch.jobs1, 1)} s, \`--jobs 2\` ${f(batch.jobs2, 1)} s (${f(batch.speedup)}x).`);
  return lines.join('\n') + '\n';
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The headline numbers of a record, to check both sides computed the same thing. */
/** `neurorep batch` over 12 synthetic sessions (the demo's kind, seeds 1-12): --jobs 1 against --jobs 2. */
async function batchSpeedup(): Promise<Record<string, unknown>> {
  const { syntheticSession, sessionNwbSpec } = await import('../src/analysis/synthetic.js');
  const folder = join(WORK, 'batch-sessions');
  mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= 12; i++) {
    const f = join(folder, `session-${String(i).padStart(2, '0')}.nwb`);
    if (!existsSync(f)) await writeNwbFile(f, sessionNwbSpec(syntheticSession({ seed: i }), `bench-${i}`));
  }
  const times: Record<string, number> = {};
  for (const jobs of [1, 2]) {
    const store = join(WORK, `batch-store-${jobs}-${Date.now()}`);
    const t = timed([node, cli, 'batch', folder, '--stimulus', 'orientation', '--jobs', String(jobs), '--store', store, '--quiet']);
    if (!t.ok) process.stderr.write(`batch --jobs ${jobs} failed: ${t.stderr}\n`);
    times[`jobs${jobs}`] = t.seconds;
  }
  const speedup = times.jobs1 / times.jobs2;
  process.stdout.write(`batch, 12 sessions: --jobs 1 ${times.jobs1.toFixed(1)} s, --jobs 2 ${times.jobs2.toFixed(1)} s, speed-up ${speedup.toFixed(2)}x\n`);
  return { case: 'batch 12 sessions', jobs1: times.jobs1, jobs2: times.jobs2, speedup };
}

/** Eigenvalues of one 2000 x 2000 symmetric matrix, timed inside each process (bench/eigenvalues.ts, cases.py eigen). */
function eigenAlone(): Record<string, unknown> {
  const path = join(WORK, 'sym-2000.npy');
  if (!existsSync(path)) {
    const rng = new Rng(2000);
    const n = 2000;
    const s = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const v = rng.normal();
        s[i * n + j] = v;
        s[j * n + i] = v;
      }
    writeNpy(path, { data: s, shape: [n, n], dtype: 'f8' });
  }
  const ours = timed([node, '--import', 'tsx', join(ROOT, 'bench', 'eigenvalues.ts'), NEUROREP_ROOT, path]);
  const theirs = timed([...py, 'eigen', path], pythonEnv());
  const parse = (t: Timed) => {
    try {
      return JSON.parse(t.stdout) as { first: number; warm: number; largest: number };
    } catch {
      process.stderr.write(`eigenvalues failed: ${t.stderr}\n`);
      return { first: NaN, warm: NaN, largest: NaN };
    }
  };
  const a = parse(ours),
    b = parse(theirs);
  process.stdout.write(
    `eigenvalues 2000x2000 in process: neurorep ${a.warm.toFixed(2)} s warm (${a.first.toFixed(2)} first), numpy eigvalsh ${b.warm.toFixed(2)} s (${b.first.toFixed(2)} first): ratio ${(a.warm / b.warm).toFixed(2)} warm, ${(a.first / b.first).toFixed(2)} first; largest eigenvalue ${a.largest} vs ${b.largest}\n`,
  );
  return { case: 'eigenvalues 2000x2000', neurorep: a, python: b, ratio: a.warm / b.warm, ratioFirst: a.first / b.first };
}

function pick(rec: Record<string, unknown>): Record<string, unknown> {
  const keys = ['effectiveDimension', 'complexity', 'kStar', 'switchingFraction', 'entropyAll'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in rec) out[k] = rec[k];
  if (Array.isArray(rec.groups))
    out.groups = (rec.groups as Record<string, unknown>[]).map((g) => ({ name: g.name, effectiveDimension: g.effectiveDimension }));
  if (Array.isArray(rec.layers))
    out.layers = (rec.layers as Record<string, unknown>[]).map((g) => ({ name: g.name, effectiveDimension: g.effectiveDimension }));
  return out;
}

await main();
