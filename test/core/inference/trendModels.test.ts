/**
 * fits/2 on planted trends: each model recovers its own parameters and is selected by AICc over the
 * others, the power law's exponent depends on the range where the truth is a step in log t, its
 * residuals then run in long blocks, and the bootstrap interval on b covers the planted exponent
 * at about its nominal rate.
 */
import test from 'ava';
import { analyzeTrend } from '../../../src/core/inference/trendModels.js';
import { Rng } from '../../../src/core/random.js';

const steps = Array.from({ length: 30 }, (_, i) => Math.round(10 ** (0.5 + (3 * i) / 29)));

function noisy(f: (t: number) => number, sd: number, seed: number): number[] {
  const rng = new Rng(seed);
  return steps.map((t) => f(t) + sd * rng.normal());
}

test('a planted power law is selected and its exponent recovered, with an interval that covers it', (t) => {
  const r = analyzeTrend(
    steps,
    noisy((x) => 3 * x ** -0.3, 0.01, 1),
    { seed: 1 },
  );
  t.is(r.selected, 'power');
  const p = r.fits.find((f) => f.model === 'power')!;
  t.true(Math.abs(p.params.b + 0.3) < 0.01, `b ${p.params.b}`);
  t.true(p.intervals.b![0] <= -0.3 && -0.3 <= p.intervals.b![1], JSON.stringify(p.intervals.b));
  t.true(Math.abs(r.exponentByHalf!.lower! - r.exponentByHalf!.upper!) < 0.05);
});

test('a power law levelling off is the offset model; a step in log t is the logistic, where the power law fails its diagnostics', (t) => {
  const off = analyzeTrend(
    steps,
    noisy((x) => 2 + 5 * x ** -0.5, 0.01, 2),
    { seed: 2, resamples: 100 },
  );
  t.is(off.selected, 'offset');
  const o = off.fits.find((f) => f.model === 'offset')!;
  t.true(Math.abs(o.params.b + 0.5) < 0.05 && Math.abs(o.params.c - 2) < 0.05, JSON.stringify(o.params));

  // A plateau, a drop centred at t = 40, a second plateau: what D_eff does over training.
  const step = analyzeTrend(
    steps,
    noisy((x) => 5 - 3 / (1 + Math.exp(-(Math.log(x) - Math.log(40)) / 0.4)), 0.05, 3),
    { seed: 3, resamples: 100 },
  );
  t.is(step.selected, 'logistic');
  const l = step.fits.find((f) => f.model === 'logistic')!;
  t.true(Math.abs(l.params.midpoint / 40 - 1) < 0.15 && Math.abs(l.params.low - 5) < 0.1 && Math.abs(l.params.high - 2) < 0.1, JSON.stringify(l.params));
  const p = step.fits.find((f) => f.model === 'power')!;
  t.true(p.deltaAicc > 10, `power law worse by ${p.deltaAicc}`);
  t.true(p.signRuns.pValue < 0.01, `power-law residual runs ${p.signRuns.runs} (expected ${p.signRuns.expected.toFixed(1)})`);
  t.true(Math.abs(step.exponentByHalf!.lower! - step.exponentByHalf!.upper!) > 0.05, JSON.stringify(step.exponentByHalf));
});

test('zeros are data, nulls and steps outside the range are left out', (t) => {
  const values: (number | null)[] = steps.map((x) => (x < 30 ? 0 : 1));
  values[3] = null;
  const r = analyzeTrend(steps, values, { resamples: 0 });
  t.is(r.points, 29);
  const part = analyzeTrend(steps, values, { resamples: 0, range: [100, 1000] });
  t.true(part.range[0] >= 100 && part.range[1] <= 1000);
  t.true(part.points < 29 && part.points > 5);
});

test('the bootstrap interval on the exponent covers the planted one in at least 85 % of 40 noisy power laws', (t) => {
  let hits = 0;
  for (let s = 0; s < 40; s++) {
    const r = analyzeTrend(
      steps,
      noisy((x) => 2 * x ** -0.2, 0.03, 100 + s),
      { seed: s, resamples: 200, models: ['power'] },
    );
    const iv = r.fits.find((f) => f.model === 'power')!.intervals.b!;
    if (iv[0] <= -0.2 && -0.2 <= iv[1]) hits++;
  }
  t.log(`coverage ${hits}/40`);
  t.true(hits >= 34, `${hits}/40`);
});
