/**
 * `npm run coverage` (not part of CI): how often neurorep's 95 % intervals contain what they claim
 * to contain, and how often its permutation nulls reject when nothing is there.
 *
 * Intervals (grouped jackknife, 20 groups) on simulated data with a known truth:
 * - D_eff and PR, plug-in and corrected: isotropic and power-law (alpha 1 and 2) populations,
 *   d in {50, 200}, n in {2d, 5d, 20d}, 100 datasets each. A corrected interval should contain the
 *   population value; a plug-in interval the plug-in's own expectation at that n (estimated from
 *   200 further datasets), which is what it can honestly claim.
 * - pattern entropies S(k) and I(k) of independent units (population values known exactly);
 * - complexity of planted piecewise-linear maps (population value: entropy of the true masses).
 * Nulls: the share of p <= 0.05 on data with nothing to find (target about 5 %).
 *
 * Options: --datasets N (default 100), --workers W (default 2), --only dimension,patterns,
 * complexity,nulls, --out FILE (default docs/coverage.md), --partial FILE (every finished
 * configuration appended as a JSON line at once). Seeded: the same options give the same table.
 */

import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapComplexity } from '../src/core/complexity/complexity.js';
import { effectiveDimension } from '../src/core/dimension/effectiveDimension.js';
import { responseMatrix } from '../src/core/matrix.js';
import { patternEntropy } from '../src/core/patterns/patterns.js';
import { ckaFromGrams, linearGram } from '../src/core/similarity/cka.js';
import { nullSummary } from '../src/core/inference/permutation.js';
import { spectralDimensions } from '../src/core/inference/spectrumCorrection.js';
import { Rng } from '../src/core/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const DATASETS = Number(opt('datasets', '100'));
const WORKERS = Number(opt('workers', '2'));
const ONLY = opt('only', 'dimension,patterns,complexity,nulls').split(',');
const OUT = opt('out', join(ROOT, 'docs', 'coverage.md'));
const PARTIAL = args.includes('--partial') ? opt('partial', '') : '';

interface Job {
  family: string;
  label: string;
  datasets: number;
}

interface Result {
  family: string;
  label: string;
  rows: { interval: string; target: string; covered: number; total: number; width: number }[];
}

function gaussianRows(rng: Rng, lambda: number[], n: number): Float64Array {
  const d = lambda.length;
  const x = new Float64Array(n * d);
  const sd = lambda.map(Math.sqrt);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() * sd[j];
  return x;
}

function population(kind: string, d: number): number[] {
  return Array.from({ length: d }, (_, i) => (kind === 'isotropic' ? 1 : (i + 1) ** -(kind === 'power law, alpha 1' ? 1 : 2)));
}

const DIM_CONFIGS = ['isotropic', 'power law, alpha 1', 'power law, alpha 2'].flatMap((kind) =>
  [50, 200].flatMap((d) => [2, 5, 20].map((f) => ({ kind, d, n: f * d, f }))),
);

function dimensionJob(label: string, datasets: number): Result {
  const c = DIM_CONFIGS.find((x) => `${x.kind}, d = ${x.d}, n = ${x.f}d` === label)!;
  const lambda = population(c.kind, c.d);
  const truth = spectralDimensions(lambda);
  // The plug-in's own expectation at this n, from independent datasets.
  let eD = 0,
    ePR = 0,
    eAlpha = 0;
  const extra = 200;
  for (let s = 0; s < extra; s++) {
    const r = effectiveDimension(responseMatrix(c.n, c.d, gaussianRows(new Rng(900000 + s), lambda, c.n)), { correctionMaxRank: 0 });
    eD += r.effectiveDimension / extra;
    ePR += r.participationRatio / extra;
    eAlpha += (r.alpha ?? NaN) / extra;
  }
  const targets: Record<string, { name: string; value: number }> = {
    effectiveDimension: { name: 'E[plug-in D_eff] at this n', value: eD },
    effectiveDimensionCorrected: { name: 'population D_eff', value: truth.effectiveDimension },
    participationRatio: { name: 'E[plug-in PR] at this n', value: ePR },
    participationRatioCorrected: { name: 'population PR', value: truth.participationRatio },
    alpha: { name: 'E[plug-in alpha] at this n', value: eAlpha },
  };
  const tally = new Map<string, { covered: number; total: number; width: number }>();
  for (let s = 0; s < datasets; s++) {
    const m = responseMatrix(c.n, c.d, gaussianRows(new Rng(1000 + s), lambda, c.n));
    const r = effectiveDimension(m, { seed: s, intervals: 20, correctionMaxRank: 256 });
    for (const [k, tgt] of Object.entries(targets)) {
      const iv = r.intervals?.bounds[k];
      const t = tally.get(k) ?? { covered: 0, total: 0, width: 0 };
      if (iv && Number.isFinite(tgt.value)) {
        t.total++;
        if (iv.lo <= tgt.value && tgt.value <= iv.hi) t.covered++;
        t.width += (iv.hi - iv.lo) / datasets;
      }
      tally.set(k, t);
    }
  }
  return {
    family: 'dimension',
    label,
    rows: Object.entries(targets).map(([k, tgt]) => ({ interval: k, target: `${tgt.name} = ${tgt.value.toPrecision(4)}`, ...tally.get(k)! })),
  };
}

const PATTERN_CONFIGS = [256, 4096].map((n) => ({ n, d: 16, p: 0.3 }));

function patternsJob(label: string, datasets: number): Result {
  const c = PATTERN_CONFIGS.find((x) => `independent units, q = ${x.p}, d = ${x.d}, n = ${x.n}` === label)!;
  const h = -c.p * Math.log(c.p) - (1 - c.p) * Math.log(1 - c.p);
  const tally = new Map<string, { covered: number; total: number; width: number; target: number }>();
  for (let s = 0; s < datasets; s++) {
    const rng = new Rng(2000 + s);
    const data = Float64Array.from({ length: c.n * c.d }, () => (rng.next() < c.p ? 1 : 0));
    const r = patternEntropy(responseMatrix(c.n, c.d, data), { seed: s, intervals: 20 });
    for (const pt of r.curve) {
      for (const [k, target] of [
        [`entropy_k${pt.k}`, pt.k * h],
        [`multiInformation_k${pt.k}`, 0],
      ] as const) {
        const iv = r.intervals!.bounds[k];
        const t = tally.get(k) ?? { covered: 0, total: 0, width: 0, target };
        if (iv) {
          t.total++;
          if (iv.lo <= target && target <= iv.hi) t.covered++;
          t.width += (iv.hi - iv.lo) / datasets;
        }
        tally.set(k, t);
      }
    }
  }
  return {
    family: 'patterns',
    label,
    rows: [...tally.entries()].map(([k, t]) => ({
      interval: k,
      target: `population ${k.startsWith('entropy') ? 'S(k)' : 'I(k)'} = ${t.target.toPrecision(4)}`,
      covered: t.covered,
      total: t.total,
      width: t.width,
    })),
  };
}

const COMPLEXITY_CONFIGS = [
  { name: '|x| on U[-1, 3], noise 0.05', masses: [0.25, 0.75] },
  { name: '3 pieces 0.2/0.3/0.5, noise 0.05', masses: [0.2, 0.3, 0.5] },
];

function complexityJob(label: string, datasets: number): Result {
  const c = COMPLEXITY_CONFIGS.find((x) => x.name === label)!;
  const truth = -c.masses.reduce((a, m) => a + m * Math.log(m), 0);
  let covered = 0,
    total = 0,
    width = 0;
  for (let s = 0; s < datasets; s++) {
    const rng = new Rng(3000 + s);
    const n = 1000;
    const x = Array.from({ length: n }, () => rng.next());
    const knots = [0];
    for (const m of c.masses.slice(0, -1)) knots.push(knots[knots.length - 1] + m);
    const slopes = c.masses.map((_, i) => (i % 2 === 0 ? -1.5 : 1.5));
    const at = [0];
    for (let i = 1; i < c.masses.length; i++) at.push(at[i - 1] + slopes[i - 1] * (knots[i] - knots[i - 1]));
    const y = x.map((v) => {
      let p = 0;
      while (p + 1 < knots.length && v > knots[p + 1]) p++;
      return at[p] + slopes[p] * (v - knots[p]) + 0.05 * rng.normal();
    });
    const r = mapComplexity(responseMatrix(n, 1, Float64Array.from(x)), responseMatrix(n, 1, Float64Array.from(y)), { seed: s, intervals: 20 });
    const iv = r.intervals?.bounds.complexity;
    if (iv) {
      total++;
      if (iv.lo <= truth && truth <= iv.hi) covered++;
      width += (iv.hi - iv.lo) / datasets;
    }
  }
  return {
    family: 'complexity',
    label,
    rows: [{ interval: 'complexity (C)', target: `entropy of the true masses = ${truth.toPrecision(4)}`, covered, total, width }],
  };
}

const NULL_CONFIGS = [
  'complexity gain, X and Y independent',
  'CKA, independent representations',
  'multi-information, independent units',
  'cvPCA signal, no stimulus signal',
];

function nullsJob(label: string, datasets: number): Result {
  let rejections = 0,
    total = 0;
  for (let s = 0; s < datasets; s++) {
    const rng = new Rng(4000 + s);
    let p: number | null = null;
    if (label === NULL_CONFIGS[0]) {
      const n = 300;
      const r = mapComplexity(
        responseMatrix(
          n,
          2,
          Float64Array.from({ length: 2 * n }, () => rng.normal()),
        ),
        responseMatrix(
          n,
          3,
          Float64Array.from({ length: 3 * n }, () => rng.normal()),
        ),
        { seed: s, nulls: 19 },
      );
      p = r.null?.pValue ?? null;
    } else if (label === NULL_CONFIGS[1]) {
      const n = 60;
      const a = responseMatrix(
        n,
        10,
        Float64Array.from({ length: 10 * n }, () => rng.normal()),
      );
      const b = responseMatrix(
        n,
        10,
        Float64Array.from({ length: 10 * n }, () => rng.normal()),
      );
      const ga = linearGram(a),
        gb = linearGram(b);
      const obs = ckaFromGrams(ga, gb, n);
      const draws: number[] = [];
      for (let k = 0; k < 99; k++) {
        const perm = rng.permutation(n);
        const g = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] = gb[perm[i] * n + perm[j]];
        draws.push(ckaFromGrams(ga, g, n));
      }
      p = nullSummary('cka', 'perm', obs, draws, s)!.pValue;
    } else if (label === NULL_CONFIGS[2]) {
      const n = 500,
        d = 10;
      const r = patternEntropy(
        responseMatrix(
          n,
          d,
          Float64Array.from({ length: n * d }, () => (rng.next() < 0.4 ? 1 : 0)),
        ),
        { seed: s, nulls: 99 },
      );
      p = r.curve[r.curve.length - 1].null?.pValue ?? null;
    } else {
      const nStim = 60,
        reps = 4,
        d = 20;
      const trials = responseMatrix(
        nStim * reps,
        d,
        Float64Array.from({ length: nStim * reps * d }, () => rng.normal()),
      );
      const repeats = Array.from({ length: nStim }, (_, i) => Array.from({ length: reps }, (_, r) => i * reps + r));
      const avg = new Float64Array(nStim * d);
      repeats.forEach((g, i) =>
        g.forEach((row) => {
          for (let j = 0; j < d; j++) avg[i * d + j] += trials.data[row * d + j] / reps;
        }),
      );
      const r = effectiveDimension(responseMatrix(nStim, d, avg), { repeats, trials, seed: s, nulls: 99, correctionMaxRank: 0 });
      p = r.cvPCA?.null?.pValue ?? 1;
    }
    if (p !== null) {
      total++;
      if (p <= 0.05) rejections++;
    }
  }
  return { family: 'nulls', label, rows: [{ interval: 'p <= 0.05 (false positive)', target: 'nothing to find', covered: rejections, total, width: NaN }] };
}

function allJobs(): Job[] {
  const jobs: Job[] = [];
  if (ONLY.includes('dimension'))
    for (const c of DIM_CONFIGS) jobs.push({ family: 'dimension', label: `${c.kind}, d = ${c.d}, n = ${c.f}d`, datasets: DATASETS });
  if (ONLY.includes('patterns'))
    for (const c of PATTERN_CONFIGS) jobs.push({ family: 'patterns', label: `independent units, q = ${c.p}, d = ${c.d}, n = ${c.n}`, datasets: DATASETS });
  if (ONLY.includes('complexity'))
    for (const c of COMPLEXITY_CONFIGS) jobs.push({ family: 'complexity', label: c.name, datasets: Math.max(10, Math.round(DATASETS / 2)) });
  if (ONLY.includes('nulls')) for (const c of NULL_CONFIGS) jobs.push({ family: 'nulls', label: c, datasets: DATASETS });
  return jobs;
}

function runJob(j: Job): Result {
  switch (j.family) {
    case 'dimension':
      return dimensionJob(j.label, j.datasets);
    case 'patterns':
      return patternsJob(j.label, j.datasets);
    case 'complexity':
      return complexityJob(j.label, j.datasets);
    default:
      return nullsJob(j.label, j.datasets);
  }
}

if (args.includes('--worker')) {
  // A worker runs the jobs with the given indices and prints each result as one JSON line as soon
  // as it is done (a long run interrupted keeps what it finished: see --partial).
  const indices = opt('indices', '').split(',').filter(Boolean).map(Number);
  const jobs = allJobs();
  for (const i of indices) {
    const t0 = Date.now();
    const r = runJob(jobs[i]);
    process.stdout.write(JSON.stringify(r) + '\n');
    process.stderr.write(`  done: ${jobs[i].family} / ${jobs[i].label} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
} else {
  const jobs = allJobs();
  const t0 = Date.now();
  process.stderr.write(`coverage: ${jobs.length} configurations, ${DATASETS} datasets each, ${WORKERS} worker processes\n`);
  // Deal the jobs round-robin (dimension jobs of d = 200 are the slow ones) and run the workers concurrently.
  const shards = Array.from({ length: WORKERS }, (_, w) => jobs.map((_, i) => i).filter((i) => i % WORKERS === w));
  const results = (
    await Promise.all(
      shards.map(
        (idx) =>
          new Promise<Result[]>((resolve, reject) => {
            const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args, '--worker', '--indices', idx.join(',')], {
              stdio: ['ignore', 'pipe', 'inherit'],
              env: { ...process.env, NEUROREP_THREADS: '1' },
            });
            let out = '';
            child.stdout.on('data', (d) => {
              out += d;
              // Every finished configuration also goes to --partial FILE (JSON lines) at once.
              if (PARTIAL) appendFileSync(PARTIAL, String(d));
            });
            child.on('exit', (code) =>
              code === 0
                ? resolve(
                    out
                      .split('\n')
                      .filter(Boolean)
                      .map((l) => JSON.parse(l) as Result),
                  )
                : reject(new Error(`worker exited with ${code}`)),
            );
          }),
      ),
    )
  ).flat();
  const order = new Map(jobs.map((j, i) => [`${j.family}/${j.label}`, i]));
  results.sort((a, b) => order.get(`${a.family}/${a.label}`)! - order.get(`${b.family}/${b.label}`)!);
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);
  const lines = [
    '# Coverage of intervals and false-positive rates of nulls',
    '',
    `Measured by \`npm run coverage\` (\`bench/coverage.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${DATASETS} datasets per configuration (complexity: ${Math.max(10, Math.round(DATASETS / 2))}), intervals from a grouped jackknife over 20 groups, ${minutes} min on ${WORKERS} cores.`,
    'Coverage is the share of datasets whose 95 % interval contains the target; targets: >= 90 % for n >= 5d and >= 80 % for n = 2d.',
    "A plug-in interval can only claim the plug-in's own expectation at that number of stimuli (plug-in D_eff is biased low); the corrected ones claim the population value.",
    '',
  ];
  for (const family of ['dimension', 'patterns', 'complexity', 'nulls']) {
    const rs = results.filter((r) => r.family === family);
    if (!rs.length) continue;
    lines.push(`## ${family === 'nulls' ? 'Nulls: share of p <= 0.05 with nothing to find (target about 5 %)' : `Intervals: ${family}`}`, '');
    lines.push(
      family === 'nulls' ? '| data | rate | datasets |' : '| data | interval | target | coverage | mean width |',
      family === 'nulls' ? '| --- | ---: | ---: |' : '| --- | --- | --- | ---: | ---: |',
    );
    for (const r of rs)
      for (const row of r.rows) {
        const pct = row.total ? `${((100 * row.covered) / row.total).toFixed(0)} %` : '-';
        lines.push(
          family === 'nulls'
            ? `| ${r.label} | ${pct} | ${row.total} |`
            : `| ${r.label} | ${row.interval} | ${row.target} | ${pct} (${row.covered}/${row.total}) | ${Number.isFinite(row.width) ? row.width.toPrecision(3) : '-'} |`,
        );
      }
    lines.push('');
  }
  const text = lines.join('\n');
  writeFileSync(OUT, text);
  process.stdout.write(text + '\n');
  process.stderr.write(`wrote ${OUT}\n`);
}
