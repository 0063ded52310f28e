/**
 * `npm run targets:complexity` (not part of CI; about an hour on 2 cores): complexity/3 against the
 * planted truths of its issue at the sizes the issue states (the tests run smaller versions of the
 * costly ones), the earlier targets with complexity/2 beside it, the fold-seed spread on the MNIST
 * models of ../shared/data (when present), and the cost. Prints one line per target with its
 * measured value and whether it is met; writes docs/complexity-targets.md (`--only a,b` runs
 * some sections and writes nothing).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gainValue, mapComplexity, type ComplexityOptions } from '../src/core/complexity/complexity.js';
import { responseMatrix, type ResponseMatrix } from '../src/core/matrix.js';
import { Rng } from '../src/core/random.js';
import { installWorkerThreads } from '../src/runtime/pool.js';
import { hyperplaneMap, piecewise, plantedGain } from '../test/fixtures/plantedMaps.js';
import { readMatrixFile } from '../src/io/matrixFile.js';
import type { Complexity3Result } from '../src/core/complexity/definition3.js';

installWorkerThreads();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const entropy = (p: number[]) => -p.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
const column = (v: ArrayLike<number>) => responseMatrix(v.length, 1, Float64Array.from(v));
const gauss = (rng: Rng, n: number, d: number) => Float64Array.from({ length: n * d }, () => rng.normal());
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? 'null' : x.toFixed(3));

function relu(x: Float64Array, n: number, p: number, q: number, seed: number): Float64Array {
  const w = gauss(new Rng(seed), p, q);
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < q; j++) {
      let v = 0;
      for (let a = 0; a < p; a++) v += x[i * p + a] * w[a * q + j];
      out[i * q + j] = Math.max(0, v / Math.sqrt(p));
    }
  return out;
}

/** A random ReLU network 4 -> 16 -> ... (L layers of 16, biased), the entropy of its activation patterns. */
function reluNetwork(L: number, n: number, seed: number) {
  const rng = new Rng(seed);
  let x = gauss(rng, n, 4);
  let p = 4;
  const x0 = x;
  const codes: string[] = new Array(n).fill('');
  for (let l = 0; l < L; l++) {
    const w = gauss(rng, p, 16),
      b = gauss(rng, 1, 16);
    const out = new Float64Array(n * 16);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < 16; j++) {
        let v = 0.5 * b[j];
        for (let a = 0; a < p; a++) v += (x[i * p + a] * w[a * 16 + j]) / Math.sqrt(p);
        codes[i] += v > 0 ? '1' : '0';
        out[i * 16 + j] = Math.max(0, v);
      }
    x = out;
    p = 16;
  }
  const counts = new Map<string, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return { x: responseMatrix(n, 4, x0), y: responseMatrix(n, 16, x), truth: entropy([...counts.values()].map((c) => c / n)) };
}

/** sum |x_i| (l1) or |x|_2 (l2) of 10-D Gaussian x, with Gaussian noise 0.01. */
function normMap(kind: 'l1' | 'l2', n: number, seed: number, d = 10) {
  const rng = new Rng(seed);
  const x = gauss(rng, n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += kind === 'l1' ? Math.abs(x[i * d + j]) : x[i * d + j] ** 2;
    y[i] = (kind === 'l1' ? s : Math.sqrt(s)) + 0.01 * rng.normal();
  }
  return { x: responseMatrix(n, d, x), y: responseMatrix(n, 1, y) };
}

/** A 4 x 4 checkerboard on U[0,1]^2, a random affine map (2 outputs) in each cell, noise 0.05. */
function checkerboard(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: 2 * n }, () => rng.next());
  const a = gauss(rng, 16, 6);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(3, Math.floor(4 * x[2 * i])) * 4 + Math.min(3, Math.floor(4 * x[2 * i + 1]));
    for (let j = 0; j < 2; j++) y[2 * i + j] = a[c * 6 + 3 * j] + a[c * 6 + 3 * j + 1] * x[2 * i] + a[c * 6 + 3 * j + 2] * x[2 * i + 1] + 0.05 * rng.normal();
  }
  return { x: responseMatrix(n, 2, x), y: responseMatrix(n, 2, y) };
}

const run = (name: string) => !only || only.includes(name);
const both = (x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions = {}) => [
  mapComplexity(x, y, opts),
  mapComplexity(x, y, { ...opts, definition: 2, nulls: 0 }),
];
const three = (x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions = {}) => mapComplexity(x, y, opts) as Complexity3Result;
const codes = (r: { warnings: { code: string }[] }) => [...new Set(r.warnings.map((w) => w.code))].join(', ') || '-';
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

say(`# complexity/3 targets, measured ${new Date().toISOString().slice(0, 10)} by \`npm run targets:complexity\``);
say('');
say('Every C below is complexity/3 (the median over 5 fold seeds) unless a column says complexity/2.');
say('');
if (run('pieces')) {
  say('## 1-D maps with P equal-mass linear pieces (n = 4000, noise 0.01; exp(C) per seed; target within 15 % of P)');
  say('');
  say('| P | complexity/3 exp(C) | met | complexity/2 exp(C) |');
  say('| ---: | --- | --- | --- |');
  for (const P of [2, 3, 4, 5, 6, 8, 12, 16]) {
    const v2: number[] = [],
      v1: number[] = [];
    for (let s = 0; s < 3; s++) {
      const { x, y } = piecewise(new Array(P).fill(1 / P), s);
      const [a, b] = both(x, y, { seed: s });
      v2.push(a.effectivePieces ?? NaN);
      v1.push(b.effectivePieces ?? NaN);
    }
    say(
      `| ${P} | ${v2.map((v) => v.toFixed(2)).join(', ')} | ${v2.every((v) => Math.abs(v - P) <= 0.15 * P) ? 'yes' : 'no'} | ${v1.map((v) => v.toFixed(2)).join(', ')} |`,
    );
  }
  say('');
  say('## Unequal masses (C per seed; target within 0.1 nats of the entropy of the masses)');
  say('');
  say('| masses | entropy | complexity/3 C | met | complexity/2 C |');
  say('| --- | ---: | --- | --- | --- |');
  for (const masses of [
    [0.25, 0.75],
    [0.1, 0.3, 0.6],
    [0.05, 0.15, 0.3, 0.5],
    [0.4, 0.1, 0.1, 0.2, 0.2],
  ]) {
    const v2: number[] = [],
      v1: number[] = [];
    for (let s = 0; s < 3; s++) {
      const { x, y } = piecewise(masses, 10 + s);
      const [a, b] = both(x, y, { seed: s });
      v2.push(a.complexity ?? NaN);
      v1.push(b.complexity ?? NaN);
    }
    const h = entropy(masses);
    say(
      `| ${masses.join('/')} | ${h.toFixed(3)} | ${v2.map(f3).join(', ')} | ${v2.every((v) => Math.abs(v - h) < 0.1) ? 'yes' : 'no'} | ${v1.map(f3).join(', ')} |`,
    );
  }
  const rng = new Rng(3);
  const xs = Array.from({ length: 4000 }, () => 4 * rng.next() - 1);
  const [a, b] = both(column(xs), column(xs.map((v) => Math.abs(v) + 0.01 * rng.normal())), { seed: 1 });
  say(`| abs(x) on U[-1, 3] | 0.562 | ${f3(a.complexity)} | ${Math.abs((a.complexity ?? 9) - 0.5623) < 0.1 ? 'yes' : 'no'} | ${f3(b.complexity)} |`);
  say('');
}
if (run('hyperplanes')) {
  say('## 4-D maps cut by random hyperplanes (n = 4000; target exp(C) within 25 % of exp(H) of the true regions)');
  say('');
  say('| hyperplanes | truth exp(H) -> complexity/3 exp(C) per seed | met | complexity/2 exp(C) |');
  say('| ---: | --- | --- | --- |');
  for (const cuts of [2, 3, 4]) {
    const out: string[] = [],
      v1: string[] = [];
    let ok = true;
    for (let seed = 0; seed < 3; seed++) {
      const m = hyperplaneMap(cuts, 20 + 3 * cuts + seed);
      const truth = Math.exp(m.regionEntropy);
      const [r2, r1] = both(m.x, m.y, { seed });
      ok &&= Math.abs((r2.effectivePieces ?? 0) - truth) <= 0.25 * truth;
      out.push(`${truth.toFixed(2)} -> ${f3(r2.effectivePieces)}`);
      v1.push(f3(r1.effectivePieces));
    }
    say(`| ${cuts} | ${out.join('; ')} | ${ok ? 'yes' : 'no'} | ${v1.join(', ')} |`);
  }
  say('');
}
if (run('relu')) {
  say('## Random ReLU layers on Gaussian inputs (64 -> 64, n = 4000)');
  say('');
  say('| map | seed | complexity/3 C | gain | K* | linear R^2 | best R^2 | null p (199 shuffles) | complexity/2 C |');
  say('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (let s = 0; s < 3; s++) {
    const n = 4000,
      p = 64;
    const x = gauss(new Rng(100 + s), n, p);
    const y1 = relu(x, n, p, p, 200 + s);
    const mean = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += y1[i * p + j] / n;
    const y2 = relu(
      y1.map((v, i) => v - mean[i % p]),
      n,
      p,
      p,
      300 + s,
    );
    for (const [name, y] of [
      ['one layer', y1],
      ['two layers composed', y2],
    ] as const) {
      const [a, b] = both(responseMatrix(n, p, x), responseMatrix(n, p, y), { seed: s, nulls: name === 'one layer' && s === 0 ? 199 : 0 });
      say(
        `| ${name} | ${s} | ${f3(a.complexity)} | ${(100 * gainValue(a)).toFixed(2)} % | ${a.kStar} | ${f3(a.linearR2)} | ${f3(a.bestR2)} | ${a.null ? a.null.pValue.toFixed(3) : '-'} | ${f3(b.complexity)} |`,
      );
    }
  }
  say('');
}
if (run('trends')) {
  say('## sin(3x) on [-pi, pi]: mean C over 10 seeds (sd), against noise (n = 2000) and against n (noise sd 1)');
  say('');
  const meanC = (n: number, noise: number, def: 2 | 3) => {
    const v: number[] = [];
    for (let s = 0; s < 10; s++) {
      const rng = new Rng(50 + s);
      const x = Array.from({ length: n }, () => Math.PI * (2 * rng.next() - 1));
      v.push(mapComplexity(column(x), column(x.map((t) => Math.sin(3 * t) + noise * rng.normal())), { seed: s, definition: def }).complexity ?? NaN);
    }
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return { m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
  };
  say('| setting | complexity/3 mean C (sd) | complexity/2 mean C (sd) |');
  say('| --- | --- | --- |');
  for (const noise of [0.1, 1, 3]) {
    const a = meanC(2000, noise, 3),
      b = meanC(2000, noise, 2);
    say(`| noise ${noise}, n 2000 | ${a.m.toFixed(3)} (${a.sd.toFixed(3)}) | ${b.m.toFixed(3)} (${b.sd.toFixed(3)}) |`);
  }
  for (const n of [500, 2000, 8000]) {
    const a = meanC(n, 1, 3),
      b = meanC(n, 1, 2);
    say(`| noise 1, n ${n} | ${a.m.toFixed(3)} (${a.sd.toFixed(3)}) | ${b.m.toFixed(3)} (${b.sd.toFixed(3)}) |`);
  }
  say('');
}
if (run('coverage')) {
  say("## Coverage of the gain's interval (|x| on U[-1, 2], noise 0.3, n = 1000, 40 datasets)");
  say('');
  const f = (v: number) => Math.abs(v);
  const truth = plantedGain(f, 0.3, -1, 2, 999);
  let covered = 0,
    width = 0,
    mean = 0;
  const D = 40;
  for (let d = 0; d < D; d++) {
    const rng = new Rng(5000 + d);
    const xs = Array.from({ length: 1000 }, () => -1 + 3 * rng.next());
    const r = three(column(xs), column(xs.map((v) => f(v) + 0.3 * rng.normal())), { seed: d });
    if (r.gain.interval.lo <= truth && truth <= r.gain.interval.hi) covered++;
    width += (r.gain.interval.hi - r.gain.interval.lo) / D;
    mean += r.gain.absolute / D;
  }
  say(
    `Planted gain ${truth.toFixed(4)}; mean estimate ${mean.toFixed(4)}; the 95 % interval covers it in ${covered}/${D} datasets (${((100 * covered) / D).toFixed(0)} %), mean width ${width.toFixed(4)}.`,
  );
  say('');
}
if (run('depth')) {
  say('## Random ReLU networks 4 -> 16^L (n = 16000; target: C strictly increasing in L, or every capped value flagged `complexity-lower-bound`)');
  say('');
  say('| L | true pattern entropy | C [seed range] | K* | best K per seed | gain | warnings | complexity/2 C | s |');
  say('| ---: | ---: | --- | ---: | --- | ---: | --- | ---: | ---: |');
  const cs: { c: number; flagged: boolean }[] = [];
  for (let L = 1; L <= 4; L++) {
    const m = reluNetwork(L, 16000, L);
    const t0 = performance.now();
    const r = three(m.x, m.y, { seed: 0 });
    const took = seconds(t0);
    const two = mapComplexity(m.x, m.y, { seed: 0, definition: 2 });
    cs.push({ c: r.complexity ?? NaN, flagged: r.warnings.some((w) => w.code === 'complexity-lower-bound') });
    say(
      `| ${L} | ${m.truth.toFixed(2)} | ${f3(r.complexity)} [${f3(r.seedInterval?.lo)}, ${f3(r.seedInterval?.hi)}] | ${r.kStar} | ${r.seeds.map((s) => s.bestK).join(', ')} | ${(100 * r.gain.absolute).toFixed(1)} % | ${codes(r)} | ${f3(two.complexity)} | ${took} |`,
    );
  }
  const increasing = cs.every((v, i) => i === 0 || v.c > cs[i - 1].c);
  const flaggedCapped = cs.every((v, i) => v.flagged || i === 0 || v.c > cs[i - 1].c);
  say('');
  say(`Met: ${increasing ? 'yes (strictly increasing)' : flaggedCapped ? 'yes (every value that does not increase is flagged a lower bound)' : 'no'}.`);
  say('');
}
if (run('l1')) {
  say('## sum |x_i| in 10-D (1,024 pieces; noise 0.01; targets: flagged a lower bound at n = 4000; exp(C) >= 400 at n = 16000)');
  say('');
  say('| n | exp(C) [seed range] | K* | data bound | warnings | met | complexity/2 exp(C) | s |');
  say('| ---: | --- | ---: | ---: | --- | --- | ---: | ---: |');
  for (const n of [4000, 16000]) {
    const m = normMap('l1', n, 1);
    const t0 = performance.now();
    const r = three(m.x, m.y, { seed: 0 });
    const took = seconds(t0);
    const two = mapComplexity(m.x, m.y, { seed: 0, definition: 2 });
    const flagged = r.warnings.some((w) => w.code === 'complexity-lower-bound');
    const met = n === 4000 ? flagged : (r.effectivePieces ?? 0) >= 400;
    say(
      `| ${n} | ${f3(r.effectivePieces)} [${f3(Math.exp(r.seedInterval?.lo ?? NaN))}, ${f3(Math.exp(r.seedInterval?.hi ?? NaN))}] | ${r.kStar} | ${r.dataBound} | ${codes(r)} | ${met ? 'yes' : 'no'} | ${f3(two.effectivePieces)} | ${took} |`,
    );
  }
  say('');
}
if (run('checker')) {
  say('## 4 x 4 checkerboard of random affine maps on U[0,1]^2 (2 outputs, n = 4000, noise 0.05; target exp(C) within 20 % of 16, or `pieces-unresolved`)');
  say('');
  say('| seed | exp(C) | best R^2 | noise floor | warnings | met | complexity/2 exp(C), best R^2 |');
  say('| ---: | ---: | ---: | ---: | --- | --- | --- |');
  for (let s = 1; s <= 3; s++) {
    const m = checkerboard(4000, s);
    const [r, two] = both(m.x, m.y, { seed: 0 }) as [Complexity3Result, ReturnType<typeof mapComplexity>];
    const met = Math.abs((r.effectivePieces ?? 0) - 16) <= 3.2 || r.warnings.some((w) => w.code === 'pieces-unresolved');
    say(
      `| ${s} | ${f3(r.effectivePieces)} | ${f3(r.bestR2)} | ${f3(r.noiseFloor)} | ${codes(r)} | ${met ? 'yes' : 'no'} | ${f3(two.effectivePieces)}, ${f3(two.bestR2)} |`,
    );
  }
  say('');
}
if (run('scale')) {
  say('## Smooth vs piecewise: scale curves of the 10-D radial norm |x|_2 and the 10-D L1 norm (n = 4000, noise 0.01)');
  say('');
  const curves = (['l2', 'l1'] as const).map((k) => three(normMap(k, 4000, 1).x, normMap(k, 4000, 1).y, { seed: 0 }));
  say(`| resolution | ${curves.map((_, i) => (i === 0 ? 'radial norm C' : 'L1 norm C')).join(' | ')} | difference |`);
  say('| ---: | ---: | ---: | ---: |');
  curves[0].scaleCurve.forEach((p, i) => {
    const a = p.complexity,
      b = curves[1].scaleCurve[i].complexity;
    say(`| ${p.resolution} | ${f3(a)} | ${f3(b)} | ${a !== null && b !== null ? (a - b).toFixed(3) : '-'} |`);
  });
  say('');
  say(`Held-out R^2 at the best K: radial ${f3(curves[0].bestR2)}, L1 ${f3(curves[1].bestR2)}; warnings: radial ${codes(curves[0])}; L1 ${codes(curves[1])}.`);
  say('');
}
if (run('mnist')) {
  const data = join(ROOT, '..', 'shared', 'data');
  say('## Fold-seed spread on the MNIST models (2000 test images; target: the interval from seeds 0-4 contains every single-seed value)');
  say('');
  if (!existsSync(join(data, 'models'))) say('(skipped: ../shared/data is not here)');
  else {
    const dir = mkdtempSync(join(tmpdir(), 'neurorep-targets-'));
    const acts = (model: string, out: string, extra: string[] = []) => {
      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, 'bin', 'neurorep.js'),
          'activations',
          join(data, 'models', model),
          join(data, 'datasets', 'mnist', 'mnist_test_first2000_images_uint8.npy'),
          '--out',
          join(dir, out),
          '--force',
          ...extra,
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      return join(dir, out);
    };
    const mlp = acts('mnist2x10_mlp.onnx', 'mlp.npz', ['--scale', '1/255']);
    const cnn = acts('mnist_cnn_cntk.onnx', 'cnn.npz');
    say(
      '| map | C (seeds 0-4) [range] | single-seed C, seeds 0-4 | seeds 5-9 (complexity/3 at seeds 5-9) | gain [95 % CI] | met | complexity/2 C, seeds 0-4 |',
    );
    say('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, file, a, b] of [
      ['MLP hidden1 -> hidden2', mlp, 'onnx::Gemm_10', 'onnx::Gemm_12'],
      ['CNN ReLU32 -> ReLU114', cnn, 'ReLU32_Output_0', 'ReLU114_Output_0'],
    ] as const) {
      const x = readMatrixFile(file, { key: a }).matrix,
        y = readMatrixFile(file, { key: b }).matrix;
      const r = three(x, y, { seed: 0 });
      const later = three(x, y, { seed: 5 });
      const iv = r.seedInterval!;
      const inside = r.seeds.every((s) => s.complexity !== null && s.complexity >= iv.lo && s.complexity <= iv.hi);
      const laterInside = later.seeds.filter((s) => s.complexity !== null && s.complexity >= iv.lo && s.complexity <= iv.hi).length;
      const two = [0, 1, 2, 3, 4].map((s) => f3(mapComplexity(x, y, { seed: s, definition: 2 }).complexity));
      say(
        `| ${name} | ${f3(r.complexity)} [${f3(iv.lo)}, ${f3(iv.hi)}] | ${r.seeds.map((s) => f3(s.complexity)).join(', ')} | ${later.seeds.map((s) => f3(s.complexity)).join(', ')} (median ${f3(later.complexity)}; ${laterInside} of 5 inside) | ${(100 * r.gain.absolute).toFixed(2)} % [${(100 * r.gain.interval.lo).toFixed(2)}, ${(100 * r.gain.interval.hi).toFixed(2)}]${r.gain.weak ? ': weak' : ''} | ${inside ? 'yes' : 'no'} | ${two.join(', ')} |`,
      );
    }
    say('');
    if (run('cost') || only?.includes('mnist')) {
      const network = (def: string) => {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'network', cnn, '--no-store', '--definition', def], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        return (performance.now() - t0) / 1000;
      };
      const t2 = network('2'),
        t3 = network('3');
      say(
        `Cost of \`neurorep network\` on the CNN's activations (no intervals): complexity/2 ${t2.toFixed(1)} s, complexity/3 ${t3.toFixed(1)} s (${(t3 / t2).toFixed(2)}x; target <= 1.5x).`,
      );
      say('');
    }
  }
}
if (run('cost')) {
  say('## Cost: n = 5000, p = q = 256 (independent Gaussian X, Y a random ReLU layer of X), seconds on this machine');
  say('');
  const n = 5000,
    p = 256;
  const x = gauss(new Rng(7), n, p);
  const y = relu(x, n, p, p, 8);
  for (const [def, repeats] of [
    [3, 5],
    [3, 1],
    [2, 1],
  ] as const) {
    const t0 = performance.now();
    const r = mapComplexity(responseMatrix(n, p, x), responseMatrix(n, p, y), { seed: 1, definition: def, repeats });
    say(`- complexity/${def}${def === 3 ? ` (${repeats} fold seed${repeats > 1 ? 's' : ''})` : ''}: ${seconds(t0)} s (C ${f3(r.complexity)}, K* ${r.kStar})`);
  }
  say('');
}
if (!only) writeFileSync(join(ROOT, 'docs', 'complexity-targets.md'), lines.join('\n') + '\n');
process.exit(0);
