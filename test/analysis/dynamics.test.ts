import test from 'ava';
import { join } from 'node:path';
import { trainingDynamics } from '../../src/analysis/dynamics.js';
import { responseMatrix, type ResponseMatrix } from '../../src/core/matrix.js';
import { writeNpz } from '../../src/io/matrixFile.js';
import { cli, orthonormalCentredColumns, tempDir } from '../helpers.js';

/** n x d data whose covariance has exactly r equal non-zero eigenvalues: D_eff = r exactly. */
function isotropicRank(n: number, d: number, r: number, seed: number): ResponseMatrix {
  const cols = orthonormalCentredColumns(n, r, seed);
  const x = new Float64Array(n * d);
  for (let j = 0; j < r; j++) for (let i = 0; i < n; i++) x[i * d + j] = cols[j][i] * 10;
  return responseMatrix(n, d, x);
}

test('D_eff = 2 t^0.5 over checkpoints: the power-law fit recovers a = 2, b = 0.5, R^2 = 1', (t) => {
  const steps = [1, 4, 16, 64];
  const checkpoints = steps.map((s, i) => ({
    step: s,
    layers: [{ name: 'h', matrix: isotropicRank(120, 20, 2 * Math.sqrt(s), i) }],
    input: null,
    source: `c${s}`,
  }));
  const d = trainingDynamics([...checkpoints].reverse());
  t.deepEqual(d.steps, steps, 'checkpoints are ordered by step');
  const deff = d.series.find((s) => s.layer === 'h' && s.observable === 'effectiveDimension')!;
  deff.values.forEach((v, i) => t.true(Math.abs(v! - 2 * Math.sqrt(steps[i])) < 1e-9));
  t.true(Math.abs(deff.fit.a - 2) < 1e-9, `a ${deff.fit.a}`);
  t.true(Math.abs(deff.fit.b - 0.5) < 1e-9, `b ${deff.fit.b}`);
  t.true(Math.abs(deff.fit.r2 - 1) < 1e-9);
});

test('dynamics CLI: checkpoint files with steps -> a stored record; bad checkpoints exit 2', async (t) => {
  const dir = tempDir();
  const files = [1, 10, 100].map((s, i) => {
    const f = join(dir, `acts-${s}.npz`);
    const h1 = isotropicRank(80, 12, 2 + i, i);
    const h2 = isotropicRank(80, 8, 2, 10 + i);
    writeNpz(f, [
      ['h1', { data: h1.data, shape: [80, 12] }],
      ['h2', { data: h2.data, shape: [80, 8] }],
      ['step', { data: [s], shape: [1] }],
    ]);
    return f;
  });
  const r = await cli('dynamics', ...files, '--json');
  t.is(r.code, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  t.is(rec.kind, 'dynamics');
  t.deepEqual(rec.steps, [1, 10, 100]);
  t.deepEqual(rec.layers, ['h1', 'h2']);
  t.deepEqual(
    rec.series
      .find((s: { layer: string; observable: string }) => s.layer === 'h1' && s.observable === 'effectiveDimension')
      .values.map((v: number) => Math.round(v * 1e6) / 1e6),
    [2, 3, 4],
  );
  const noStep = join(dir, 'nostep.npz');
  writeNpz(noStep, [['h1', { data: new Float64Array(24).map((_, i) => i % 5), shape: [4, 6] }]]);
  const bad = await cli('dynamics', files[0], noStep);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /nostep\.npz: no 'step' array/);
  const other = join(dir, 'other.npz');
  writeNpz(other, [
    ['x', { data: isotropicRank(80, 12, 2, 1).data, shape: [80, 12] }],
    ['step', { data: [5], shape: [1] }],
  ]);
  const mismatch = await cli('dynamics', files[0], other);
  t.is(mismatch.code, 2);
  t.regex(mismatch.stderr, /other\.npz: layers x differ/);
});

test('fits/2 over checkpoints: a plateau-drop-plateau D_eff is not read as a power law, saturated entropies are not fitted, --fit-range is checked', async (t) => {
  // D_eff steps from 8 to 3 around t = 30 (exactly: isotropic ranks), over 14 log-spaced checkpoints.
  const steps = Array.from({ length: 14 }, (_, i) => Math.round(10 ** (0.3 + (2.7 * i) / 13)));
  const ranks = steps.map((s) => Math.round(3 + 5 / (1 + Math.exp((Math.log(s) - Math.log(30)) / 0.3))));
  const checkpoints = steps.map((s, i) => ({ step: s, layers: [{ name: 'h', matrix: isotropicRank(120, 20, ranks[i], i) }], input: null, source: `c${s}` }));
  const d = trainingDynamics(checkpoints, { resamples: 50 });
  const deff = d.series.find((s) => s.observable === 'effectiveDimension')!;
  t.not(deff.selected, 'power', `ranks ${ranks.join(' ')}`);
  t.true(
    deff.warnings.some((w) => /^not a power law: (logistic|offset) is preferred by AICc/.test(w)),
    deff.warnings.join(' | '),
  );
  const power = deff.fits.find((f) => f.model === 'power')!;
  t.truthy(power.intervals.b, 'the exponent has an interval');
  // High-rank checkpoints have more distinct patterns than half the rows: saturated, never fitted.
  const entropy = d.series.find((s) => s.observable === 'entropyAll')!;
  const saturated = entropy.flags.filter((f) => f === 'saturated').length;
  t.true(saturated >= 3 && saturated < steps.length, JSON.stringify(entropy.flags));
  t.regex(entropy.warnings.join(' | '), new RegExp(`${saturated} of 14 checkpoints not fitted \\(saturated\\)`));
  t.is(entropy.range![0], steps[entropy.flags.findIndex((f) => f === null)], 'the fit starts at the first unflagged checkpoint');
  const dir = tempDir();
  const files = [1, 10].map((s, i) => {
    const f = join(dir, `a${s}.npz`);
    writeNpz(f, [
      ['h', { data: isotropicRank(40, 6, 2 + i, i).data, shape: [40, 6] }],
      ['step', { data: [s], shape: [1] }],
    ]);
    return f;
  });
  const bad = await cli('dynamics', ...files, '--fit-range', '10,5');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--fit-range: '10,5' is not two steps T0,T1 with 0 <= T0 < T1/);
});

test("per-checkpoint intervals (intervals: G): D_eff and PR carry jackknife intervals around their values; complexity/3 its fold seeds' range", (t) => {
  const rng = (seed: number) => {
    let s = seed;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  };
  const checkpoints = [1, 10, 100].map((s, i) => {
    const r = rng(7 + i);
    const input = responseMatrix(
      120,
      3,
      Float64Array.from({ length: 360 }, () => r()),
    );
    const h = new Float64Array(120 * 6);
    for (let k = 0; k < 120; k++) for (let j = 0; j < 6; j++) h[k * 6 + j] = Math.max(0, input.data[k * 3 + (j % 3)] * (j + 1) + 0.1 * (j - i));
    return { step: s, layers: [{ name: 'h', matrix: responseMatrix(120, 6, h) }], input, source: `c${s}` };
  });
  const d = trainingDynamics(checkpoints, { intervals: 10, resamples: 0, complexity: { repeats: 3 } });
  for (const obs of ['effectiveDimension', 'participationRatio']) {
    const s = d.series.find((x) => x.observable === obs)!;
    t.is(s.intervals?.length, 3);
    s.values.forEach((v, i) => t.true(s.intervals![i]![0] <= v! && v! <= s.intervals![i]![1], `${obs} at ${i}: ${v} in ${s.intervals![i]}`));
  }
  const c = d.series.find((x) => x.observable === 'complexity')!;
  c.values.forEach((v, i) => {
    if (v !== null && c.intervals?.[i]) t.true(c.intervals[i]![0] <= v && v <= c.intervals[i]![1]);
  });
  const without = trainingDynamics(checkpoints, { resamples: 0, complexity: { repeats: 1 } });
  t.is(without.series.find((x) => x.observable === 'effectiveDimension')!.intervals, undefined, 'no intervals unless asked for');
});
