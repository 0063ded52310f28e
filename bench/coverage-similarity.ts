/**
 * `npm run coverage:compare` (not part of CI): how often the 95 % intervals of compare's
 * similarities contain what they claim, the expectation of the score at this number of stimuli
 * (estimated from further datasets of the same population), and how often a p-value <= 0.05 on
 * unrelated representations.
 *
 * Population: 5 latent stimulus factors z; an area of 40 neurons, z W + trial noise, averaged over
 * two halves of 4 repeats each (so ceilings and cross-validated RDMs exist); a layer of 60 ReLU
 * units of z. Options: --datasets N (default 100), --truth T (default 200), --out FILE (default
 * docs/coverage-compare.md). Seeded: the same options give the same table.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { responseMatrix } from '../src/core/matrix.js';
import { measure, type Metric } from '../src/core/similarity/measures.js';
import { Side } from '../src/core/similarity/side.js';
import { foldAssignment } from '../src/core/inference/resampling.js';
import { Rng } from '../src/core/random.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const DATASETS = Number(opt('datasets', '100'));
const TRUTH = Number(opt('truth', '200'));
const OUT = opt('out', join(import.meta.dirname, '..', 'docs', 'coverage-compare.md'));
const METRICS: Metric[] = ['predictivity', 'predictivity-reverse', 'rsa-spearman', 'rsa-cosine', 'rsa-cv-spearman', 'rsa-cv-cosine', 'procrustes', 'cka'];
const LATENT = 5,
  NEURONS = 40,
  UNITS = 60;

// Fixed population weights (seed 1); datasets differ in stimuli and noise.
const wr = new Rng(1);
const WA = Float64Array.from({ length: LATENT * NEURONS }, () => wr.normal() / Math.sqrt(LATENT));
const WL = Float64Array.from({ length: LATENT * UNITS }, () => wr.normal() / Math.sqrt(LATENT));

function meanSd(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1))];
}

/** n x d: each stimulus's latent factors through the weights w, then f (identity or ReLU). */
function mix(src: Float64Array, w: Float64Array, n: number, d: number, f: (v: number) => number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < LATENT; k++) acc += src[i * LATENT + k] * w[k * d + j];
      out[i * d + j] = f(acc);
    }
  return out;
}

function dataset(seed: number, n: number, related: boolean): { layer: Side; area: Side } {
  const rng = new Rng(seed);
  const z = Float64Array.from({ length: n * LATENT }, () => rng.normal());
  const zl = related ? z : Float64Array.from({ length: n * LATENT }, () => rng.normal());
  const signal = mix(z, WA, n, NEURONS, (v) => v);
  const half = () =>
    responseMatrix(
      n,
      NEURONS,
      signal.map((v) => v + rng.normal() / Math.sqrt(4)),
    );
  const a = half(),
    b = half();
  const full = responseMatrix(
    n,
    NEURONS,
    a.data.map((v, i) => (v + b.data[i]) / 2),
  );
  const layer = responseMatrix(
    n,
    UNITS,
    mix(zl, WL, n, UNITS, (v) => Math.max(v, 0)).map((v) => v + 0.3 * rng.normal()),
  );
  return { layer: new Side({ n, d: UNITS, matrix: layer }), area: new Side({ n, d: NEURONS, matrix: full, halves: { a, b } }) };
}

const lines: string[] = [
  '# Coverage of the similarity intervals and false-positive rates of their nulls',
  '',
  `Measured by \`npm run coverage:compare\` (\`bench/coverage-similarity.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${DATASETS} datasets per configuration; the target of an interval is the expectation of the score at that number of stimuli, estimated from ${TRUTH} further datasets of the same population. Intervals (compare/3): grouped jackknife over 20 groups of stimuli (shape metrics refitted without each group). Population: 5 latent factors; an area of 40 neurons (two halves of 4 noisy repeats each), a layer of 60 ReLU units.`,
  '',
  '| stimuli | measure | target (mean score) | coverage | mean width | p <= 0.05 on unrelated data |',
  '| ---: | --- | ---: | ---: | ---: | ---: |',
];
const t0 = Date.now();
const ONLY = opt('only', 'coverage,ceilings,baselines').split(',');
for (const n of ONLY.includes('coverage') ? [80, 200] : []) {
  const fold = foldAssignment(new Rng(0), n, 5);
  const truth: Record<string, number> = {};
  for (let s = 0; s < TRUTH; s++) {
    const { layer, area } = dataset(100_000 + s, n, true);
    for (const m of METRICS) truth[m] = (truth[m] ?? 0) + measure(m, layer, area, fold, { folds: 5, seed: s, intervals: 0, nulls: 0 })!.cell.value / TRUTH;
  }
  const hit: Record<string, number> = {},
    width: Record<string, number> = {},
    fp: Record<string, number> = {};
  for (let s = 0; s < DATASETS; s++) {
    const { layer, area } = dataset(s, n, true);
    for (const m of METRICS) {
      const c = measure(m, layer, area, fold, { folds: 5, seed: s, intervals: 20, nulls: 0 })!.cell;
      if (c.interval && c.interval[0] <= truth[m] && truth[m] <= c.interval[1]) hit[m] = (hit[m] ?? 0) + 1;
      width[m] = (width[m] ?? 0) + (c.interval ? c.interval[1] - c.interval[0] : NaN) / DATASETS;
    }
    const unrelated = dataset(500_000 + s, n, false);
    for (const m of METRICS) {
      const c = measure(m, unrelated.layer, unrelated.area, fold, { folds: 5, seed: s, intervals: 0, nulls: 39 })!.cell;
      if (c.null!.pValue <= 0.05) fp[m] = (fp[m] ?? 0) + 1;
    }
  }
  for (const m of METRICS) {
    const line = `| ${n} | ${m} | ${truth[m].toFixed(4)} | ${((100 * (hit[m] ?? 0)) / DATASETS).toFixed(0)} % (${hit[m] ?? 0}/${DATASETS}) | ${width[m].toFixed(4)} | ${((100 * (fp[m] ?? 0)) / DATASETS).toFixed(0)} % (${fp[m] ?? 0}/${DATASETS}, 39 permutations) |`;
    lines.push(line);
    console.log(line);
  }
}

// A perfect model (the planted signal) against a recording at three reliabilities: the ceiling-normalised score should be 1.
const CEILING_METRICS: Metric[] = ['predictivity', 'rsa-spearman', 'rsa-cosine', 'procrustes', 'shape-alpha0.5', 'cka'];
const RELIABILITY_DATASETS = Number(opt('ceiling-datasets', '40'));
function perfectModel(seed: number, n: number, trialSd: number): { model: Side; area: Side } {
  const rng = new Rng(seed);
  const z = Float64Array.from({ length: n * LATENT }, () => rng.normal());
  const signal = mix(z, WA, n, NEURONS, (v) => v);
  // Two halves of 2 repeats each: a half's noise sd is trialSd / sqrt 2.
  const half = () =>
    responseMatrix(
      n,
      NEURONS,
      signal.map((v) => v + (trialSd / Math.SQRT2) * rng.normal()),
    );
  const a = half(),
    b = half();
  const full = responseMatrix(
    n,
    NEURONS,
    a.data.map((v, i) => (v + b.data[i]) / 2),
  );
  return { model: new Side({ n, d: NEURONS, matrix: responseMatrix(n, NEURONS, signal) }), area: new Side({ n, d: NEURONS, matrix: full, halves: { a, b } }) };
}
if (ONLY.includes('ceilings')) {
  const n = 100;
  const fold = foldAssignment(new Rng(0), n, 5);
  lines.push(
    '',
    `## Ceilings: a perfect model at three reliabilities (${RELIABILITY_DATASETS} datasets each, ${n} stimuli, 4 repeats)`,
    '',
    'The model is the planted signal itself; its ceiling-normalised score should be 1 (target: within 0.05). compare/3 extrapolates each measure to the full average by simulated noise; compare/2 is sqrt(Spearman-Brown(similarity of the halves)).',
    '',
    "The ceiling's own 95 % interval (jackknife over 20 groups of stimuli of the halves' similarity) should cover the perfect model's expected score, the mean over the datasets.",
    '',
    "| median reliability | measure | compare/3 normalised: mean (sd) | compare/2 normalised: mean (sd) | met (compare/3) | ceiling's interval covers the expected score |",
    '| ---: | --- | ---: | ---: | --- | ---: |',
  );
  for (const trialSd of [2.75, 1.42, 0.56]) {
    const got: Record<string, [number[], number[]]> = {};
    const scores: Record<string, number[]> = {},
      ceilingIntervals: Record<string, ([number, number] | null)[]> = {};
    let reliability = 0;
    for (let s = 0; s < RELIABILITY_DATASETS; s++) {
      const { model, area } = perfectModel(700_000 + s, n, trialSd);
      reliability += area.reliability()!.medianReliability / RELIABILITY_DATASETS;
      for (const m of CEILING_METRICS) {
        const three = measure(m, model, area, fold, { folds: 5, seed: s, intervals: 0, nulls: 0 })!.cell;
        const two = measure(m, model, area, fold, { folds: 5, seed: s, intervals: 0, nulls: 0, ceilings: 'split-half' })!.cell;
        got[m] ??= [[], []];
        (scores[m] ??= []).push(three.score);
        (ceilingIntervals[m] ??= []).push(m === 'predictivity' ? null : (area.measureCeilings().find((c) => c.measure.startsWith(m + '/'))?.interval ?? null));
        got[m][0].push(three.normalised!);
        got[m][1].push(two.normalised!);
      }
    }
    for (const m of CEILING_METRICS) {
      const [mean3, sd3] = meanSd(got[m][0]),
        [mean2, sd2] = meanSd(got[m][1]);
      const expected = meanSd(scores[m])[0];
      const covered = ceilingIntervals[m].filter((iv) => iv && iv[0] <= expected && expected <= iv[1]).length;
      const line = `| ${reliability.toFixed(2)} | ${m} | ${mean3.toFixed(3)} (${sd3.toFixed(3)}) | ${m === 'predictivity' ? '(same)' : `${mean2.toFixed(3)} (${sd2.toFixed(3)})`} | ${Math.abs(mean3 - 1) <= 0.05 ? 'yes' : 'no'} | ${m === 'predictivity' ? '-' : `${covered}/${RELIABILITY_DATASETS}`} |`;
      lines.push(line);
      console.log(line);
    }
  }
}

// Unrelated layer and area: does each interval cover the measure's no-relation value?
if (ONLY.includes('baselines')) {
  const n = 100;
  const fold = foldAssignment(new Rng(0), n, 5);
  const metrics: Metric[] = [...METRICS, 'shape-alpha0.5'];
  lines.push(
    '',
    `## Unrelated representations: intervals against the no-relation value (${RELIABILITY_DATASETS} datasets, ${n} stimuli)`,
    '',
    'The layer and the area share nothing. The no-relation value is 0 for a similarity and pi/2 for an angle; for a measure with a positive no-relation baseline (the cosine RSA measures) the score is read against its baseline, the mean of its permutation null (`baseline`), and its interval must cover it.',
    '',
    '| measure | mean score | mean baseline | interval covers the no-relation value | p <= 0.05 (39 permutations) | met |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  );
  const acc: Record<string, { score: number; base: number; cover: number; fp: number }> = {};
  for (let s = 0; s < RELIABILITY_DATASETS; s++) {
    const { layer, area } = dataset(800_000 + s, n, false);
    for (const m of metrics) {
      const c = measure(m, layer, area, fold, { folds: 5, seed: s, intervals: 20, nulls: 39 })!.cell;
      const angle = m === 'procrustes' || m.startsWith('shape');
      const none = c.baseline !== undefined && c.baseline !== null ? c.baseline : angle ? Math.PI / 2 : 0;
      const a = (acc[m] ??= { score: 0, base: 0, cover: 0, fp: 0 });
      a.score += c.value / RELIABILITY_DATASETS;
      a.base += none / RELIABILITY_DATASETS;
      if (c.interval && c.interval[0] <= none && none <= c.interval[1]) a.cover++;
      if (c.null!.pValue <= 0.05) a.fp++;
    }
  }
  for (const m of metrics) {
    const a = acc[m];
    const line = `| ${m} | ${a.score.toFixed(3)} | ${a.base.toFixed(3)} | ${a.cover}/${RELIABILITY_DATASETS} | ${a.fp}/${RELIABILITY_DATASETS} | ${a.cover >= 0.9 * RELIABILITY_DATASETS ? 'yes' : 'no'} |`;
    lines.push(line);
    console.log(line);
  }
}
lines.push('', `Run time: ${((Date.now() - t0) / 60000).toFixed(1)} min on one core.`, '');
writeFileSync(OUT, lines.join('\n'));
console.log(`wrote ${OUT}`);
