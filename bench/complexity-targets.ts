/**
 * `npm run targets:complexity` (not part of CI): complexity/2 against the planted truths of its
 * issue, at the sizes the issue states (the tests run smaller versions of the costly ones), and the
 * same cases under complexity/1 for comparison. Prints one line per target with its measured value
 * and whether it is met; writes docs/complexity-targets.md.
 */

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapComplexity, type ComplexityOptions } from '../src/core/complexity/complexity.js';
import { responseMatrix, type ResponseMatrix } from '../src/core/matrix.js';
import { Rng } from '../src/core/random.js';
import { installWorkerThreads } from '../src/runtime/pool.js';
import { hyperplaneMap, piecewise } from '../test/fixtures/plantedMaps.js';

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

const run = (name: string) => !only || only.includes(name);
const both = (x: ResponseMatrix, y: ResponseMatrix, opts: ComplexityOptions = {}) => [
  mapComplexity(x, y, opts),
  mapComplexity(x, y, { ...opts, definition: 1, nulls: 0 }),
];

say(`# complexity/2 targets, measured ${new Date().toISOString().slice(0, 10)} by \`npm run targets:complexity\``);
say('');
if (run('pieces')) {
  say('## 1-D maps with P equal-mass linear pieces (n = 4000, noise 0.01; exp(C) per seed; target within 15 % of P)');
  say('');
  say('| P | complexity/2 exp(C) | met | complexity/1 exp(C) |');
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
  say('| masses | entropy | complexity/2 C | met | complexity/1 C |');
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
  say('| hyperplanes | truth exp(H) -> complexity/2 exp(C) per seed | met | complexity/1 exp(C) |');
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
  say('| map | seed | complexity/2 C | K* | linear R^2 | best R^2 | null p (199 shuffles) | complexity/1 C |');
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
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
      const [a, b] = both(responseMatrix(n, p, x), responseMatrix(n, p, y), { seed: s, nulls: name === 'one layer' ? 199 : 0 });
      say(
        `| ${name} | ${s} | ${f3(a.complexity)} | ${a.kStar} | ${f3(a.linearR2)} | ${f3(a.bestR2)} | ${a.null ? a.null.pValue.toFixed(3) : '-'} | ${f3(b.complexity)} |`,
      );
    }
  }
  say('');
}
if (run('trends')) {
  say('## sin(3x) on [-pi, pi]: mean C over 10 seeds (sd), against noise (n = 2000) and against n (noise sd 1)');
  say('');
  const meanC = (n: number, noise: number, def: 1 | 2) => {
    const v: number[] = [];
    for (let s = 0; s < 10; s++) {
      const rng = new Rng(50 + s);
      const x = Array.from({ length: n }, () => Math.PI * (2 * rng.next() - 1));
      v.push(mapComplexity(column(x), column(x.map((t) => Math.sin(3 * t) + noise * rng.normal())), { seed: s, definition: def }).complexity ?? NaN);
    }
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return { m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
  };
  say('| setting | complexity/2 mean C (sd) | complexity/1 mean C (sd) |');
  say('| --- | --- | --- |');
  for (const noise of [0.1, 1, 3]) {
    const a = meanC(2000, noise, 2),
      b = meanC(2000, noise, 1);
    say(`| noise ${noise}, n 2000 | ${a.m.toFixed(3)} (${a.sd.toFixed(3)}) | ${b.m.toFixed(3)} (${b.sd.toFixed(3)}) |`);
  }
  for (const n of [500, 2000, 8000]) {
    const a = meanC(n, 1, 2),
      b = meanC(n, 1, 1);
    say(`| noise 1, n ${n} | ${a.m.toFixed(3)} (${a.sd.toFixed(3)}) | ${b.m.toFixed(3)} (${b.sd.toFixed(3)}) |`);
  }
  say('');
}
if (run('cost')) {
  say('## Cost: n = 5000, p = q = 256 (independent Gaussian X, Y a random ReLU layer of X), seconds on this machine');
  say('');
  const n = 5000,
    p = 256;
  const x = gauss(new Rng(7), n, p);
  const y = relu(x, n, p, p, 8);
  for (const def of [2, 1] as const) {
    const t0 = performance.now();
    const r = mapComplexity(responseMatrix(n, p, x), responseMatrix(n, p, y), { seed: 1, definition: def });
    say(`- complexity/${def}: ${((performance.now() - t0) / 1000).toFixed(1)} s (C ${f3(r.complexity)}, K* ${r.kStar})`);
  }
  say('');
}
if (!only) writeFileSync(join(ROOT, 'docs', 'complexity-targets.md'), lines.join('\n') + '\n');
process.exit(0);
