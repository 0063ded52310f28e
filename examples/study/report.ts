/**
 * docs/study.md from the study's results: every table and sentence generated from the JSON that
 * `neurorep dynamics` and `neurorep network` wrote, every figure an SVG with its uncertainty.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { acrossRuns } from '../../src/core/inference/acrossRuns.js';
import { poolRuns, type DynamicsOfRuns, type PooledSeries } from '../../src/analysis/dynamicsRuns.js';
import type { Architecture } from './train.js';
import type { Dataset } from './datasets.js';
import type { StudyConfig } from './run.js';
import { dynamicsRunsSpec } from '../../src/report/specs.js';
import { profileSpec, renderSvg, scaleSpec, stimulusSpec, type ProfilePoint, type ScalePoint, type StimulusPoint } from './figures.js';

const NAMES: Record<string, string> = {
  mnist: 'MNIST',
  fashion: 'Fashion-MNIST',
  mlp: 'MLP 784-128-128-10',
  cnn: 'CNN (conv 5x5x8 /2, conv 3x3x16 /2, dense 10)',
  effectiveDimension: 'D_eff',
  participationRatio: 'PR',
  alpha: 'alpha',
  switchingFraction: 'switching fraction',
  complexity: 'C',
  complexityGain: "C's gain",
};
const name = (k: string) => NAMES[k] ?? k;
const OBSERVABLES = ['effectiveDimension', 'participationRatio', 'alpha', 'switchingFraction', 'complexity', 'complexityGain'];
const FIGURE_OBSERVABLES = ['effectiveDimension', 'alpha', 'complexity'];

function f(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}
const ci = (iv: [number, number] | { lo: number; hi: number } | null | undefined, digits = 3) =>
  !iv ? '' : Array.isArray(iv) ? ` [${f(iv[0], digits)}, ${f(iv[1], digits)}]` : ` [${f(iv.lo, digits)}, ${f(iv.hi, digits)}]`;

interface Layer {
  name: string;
  d: number;
  effectiveDimension: number;
  effectiveDimensionCorrected: number | null;
  alpha: number | null;
  intervals?: { bounds: Record<string, { lo: number; hi: number } | undefined> };
  stimulusCurve?: { stimuli: number; mean: number; sd: number; corrected: number | null }[];
}
interface Transition {
  from: string;
  to: string;
  complexity: number | null;
  gain: { absolute: number };
  seedInterval: { lo: number; hi: number } | null;
  scaleCurve: { resolution: number; complexity: number | null }[];
}
interface NetworkJson {
  layers: Layer[];
  transitions: Transition[];
  inputTransitions: Transition[];
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The logistic's centre with its interval, marked when it lies outside the checkpoints (no step is seen there). */
function midpointText(p: PooledSeries): string {
  const m = p.selected === 'logistic' ? p.params.midpoint : undefined;
  if (!m) return '-';
  const t0 = p.curve[0]?.step,
    t1 = p.curve[p.curve.length - 1]?.step;
  const outside = t0 !== undefined && (m.mean < t0 || m.mean > t1);
  return `${f(m.mean)}${ci(m.interval)}${outside ? ' (outside the checkpoints)' : ''}`;
}

/** What one pooled series says, in a sentence. */
function finding(p: PooledSeries): string {
  const runs = `${p.runs.length} seeds`;
  if (!p.selected) return `not fitted (${p.warnings[0] ?? 'too few checkpoints'})`;
  const b = p.exponent.pooled;
  if (p.selected === 'power' && b)
    return `${b.mean < 0 ? 'falls' : 'grows'} as t^b, b = ${f(b.mean)}${ci(b.interval)} (${runs}; the power law is the model with the lowest summed AICc)`;
  const against = p.deltaAicc.power !== undefined ? ` (the power law is worse by ${f(p.deltaAicc.power)} summed AICc)` : '';
  if (p.selected === 'logistic') {
    const m = p.params.midpoint;
    const t0 = p.curve[0]?.step,
      t1 = p.curve[p.curve.length - 1]?.step;
    if (m && t0 !== undefined && (m.mean < t0 || m.mean > t1))
      return `no power law: a logistic curve in ln t is preferred${against}, but its centre (t = ${f(m.mean)}) lies outside the checkpoints (${f(t0)}-${f(t1)}): a trend still bending, not a step that is seen (${runs})`;
    return `no power law: a logistic step in ln t is preferred${against}, centred at t = ${f(m?.mean)}${ci(m?.interval)} (${runs})`;
  }
  const ob = p.params.b;
  return `no pure power law: a power law with offset is preferred${against}, b = ${f(ob?.mean)}${ci(ob?.interval)} (${runs})`;
}

export async function writeStudy(
  cfg: StudyConfig,
  out: string,
  docs: string,
  timing: { trainingSeconds: number; analysisSeconds: number; jobs: number },
  /** A README whose `<!-- study:begin -->` ... `<!-- study:end -->` block gets the summary tables. */
  readme?: string,
): Promise<void> {
  const images = join(docs, 'images', 'study');
  mkdirSync(images, { recursive: true });
  const rel = (file: string) => relative(docs, file);
  const md: string[] = [];
  const runDir = (a: Architecture, d: Dataset, s: number) => join(out, a, d, `seed${s}`);
  md.push(
    '# The study: two networks, two datasets, over training',
    '',
    '<!-- Generated by `npm run study` (examples/study/run.ts); do not edit by hand. -->',
    '',
    `Generated by \`npm run study\` on ${new Date().toISOString().slice(0, 10)}: ${cfg.architectures.map(name).join(' and ')}, trained with @tensorflow/tfjs`,
    `(SGD, learning rate 0.05, batch 64, ${cfg.steps} steps) on the 10,000 test images of ${cfg.datasets.map(name).join(' and of ')} (images 0-7999`,
    `train, 8000-9999 held out), ${cfg.seeds.length} seeds each (${cfg.seeds.join(', ')}). At ${cfg.checkpoints} log-spaced steps from 1 to ${cfg.steps} the`,
    `hidden layers are recorded on a fixed probe of ${cfg.probe} held-out images; \`neurorep dynamics\` fits every observable over`,
    'training (fits/2, per seed and pooled over seeds) and `neurorep network` profiles the final checkpoint of every run',
    '(with `--intervals 20 --complexity-intervals 0 --stimulus-curve`). Every number below is read from their JSON output.',
    '',
    `Run time on this machine (2 cores): training ${Math.round(timing.trainingSeconds / 60)} min and analysis ${Math.round(timing.analysisSeconds / 60)} min, summed over`,
    `the runs and commands; with ${timing.jobs} at a time the study takes about ${Math.round((timing.trainingSeconds + timing.analysisSeconds) / 60 / timing.jobs)} min (finished parts are reused when it is run again).`,
    'Complexity over training uses one fold seed per map',
    `(\`--repeats ${cfg.dynamicsRepeats}\`): the seeds of training are the uncertainty that matters there, and five fold seeds per map would make`,
    'the dynamics five times longer; the final profiles use the default five.',
    '',
  );

  // Accuracy.
  md.push('## Accuracy', '', 'Held-out accuracy (2,000 images) at the last step, mean over seeds with their range:', '');
  const accRows: string[][] = [];
  for (const a of cfg.architectures)
    for (const d of cfg.datasets) {
      const accs = cfg.seeds.map((s) => {
        const h = JSON.parse(readFileSync(join(runDir(a, d, s), 'accuracy.json'), 'utf8')) as { step: number; accuracy: number }[];
        return h[h.length - 1].accuracy * 100;
      });
      const s = acrossRuns(accs)!;
      accRows.push([name(a), name(d), `${f(s.mean)} % [${f(s.min)}, ${f(s.max)}]`]);
    }
  md.push(table(['network', 'dataset', 'accuracy'], accRows), '');

  // Over training.
  md.push(
    '## Over training',
    '',
    "Per layer and observable, three models are fitted to each seed's series (power law y = a t^b, power law with offset,",
    'logistic step in ln t; docs/observables.md 4.4 and 4.7). The selected model has the lowest AICc summed over the seeds; b is the',
    "power law's exponent pooled over seeds (mean, 95 % t interval over seeds) whether or not the power law is selected;",
    'saturated or lower-bound values are never fitted. Figures: thin lines are the seeds, the band is the 95 % t interval',
    "of the across-seed mean at each checkpoint, the dashed line is the selected model (mean of the seeds' fits).",
    '',
  );
  const statements: string[] = [];
  const summaryTraining: string[][] = [];
  const summaryProfiles: string[][] = [];
  for (const a of cfg.architectures) {
    const stored = JSON.parse(readFileSync(join(out, `dynamics-${a}.json`), 'utf8')) as DynamicsOfRuns;
    // Pooled again under the current definition (cheap; the observables are not recomputed).
    const dyn: DynamicsOfRuns = { ...stored, ...poolRuns(stored.steps, stored.series, stored.runs) };
    md.push(`### ${name(a)}`, '');
    const rows: string[][] = [];
    for (const layer of dyn.layers)
      for (const obs of OBSERVABLES)
        for (const g of dyn.groups) {
          const p = dyn.pooled.find((x) => x.group === g && x.layer === layer && x.observable === obs);
          if (!p) continue;
          const b = p.exponent.pooled;
          rows.push([
            layer,
            name(obs),
            name(g),
            p.selected ?? 'not fitted',
            p.selected && p.selected !== 'power' && p.deltaAicc.power !== undefined ? `+${f(p.deltaAicc.power)}` : '-',
            b ? `${f(b.mean)}${ci(b.interval)}` : '-',
            p.exponent.perRun.map((r) => f(r.b)).join(', ') || '-',
            midpointText(p),
          ]);
        }
    md.push(
      table(
        [
          'layer',
          'observable',
          'dataset',
          'selected (summed AICc)',
          'power law worse by',
          'b pooled [95 % CI over seeds]',
          'b per seed',
          'logistic step at t [95 % CI]',
        ],
        rows,
      ),
      '',
    );
    const tests = dyn.comparisons.filter((c) => c.test && OBSERVABLES.includes(c.observable));
    if (tests.length) {
      md.push(
        `Do the datasets differ? Welch's t test of the seeds' power-law exponents (${name(tests[0].groups[0])} minus ${name(tests[0].groups[1])}):`,
        '',
        table(
          ['layer', 'observable', 'difference of b [95 % CI]', 'p'],
          tests.map((c) => [c.layer, name(c.observable), `${f(c.test!.difference)}${ci(c.test!.interval)}`, f(c.test!.pValue, 2)]),
        ),
        '',
      );
    }
    for (const layer of dyn.layers)
      for (const obs of ['effectiveDimension', 'complexity'])
        for (const g of dyn.groups) {
          const p = dyn.pooled.find((x) => x.group === g && x.layer === layer && x.observable === obs);
          if (!p) continue;
          const b = p.exponent.pooled;
          summaryTraining.push([
            name(a).split(' ')[0],
            layer,
            name(obs),
            name(g),
            p.selected
              ? `${p.selected}${p.selected !== 'power' && p.deltaAicc.power !== undefined ? ` (power law +${f(p.deltaAicc.power, 2)})` : ''}`
              : 'not fitted',
            midpointText(p),
            b ? `${f(b.mean)}${ci(b.interval)}` : '-',
          ]);
        }
    const differ = tests.filter((c) => c.test!.pValue < 0.05);
    if (tests.length)
      statements.push(
        `${name(a)}: the power-law exponents of ${name(dyn.groups[0])} and ${name(dyn.groups[1] ?? '')} differ at p < 0.05 in ${differ.length} of ${tests.length} layer x observable pairs (Welch, ${cfg.seeds.length} seeds each, no correction for the ${tests.length} tests: about ${f(0.05 * tests.length, 2)} would pass by chance)${differ.length ? `: ${differ.map((c) => `${c.layer} ${name(c.observable)} (difference ${f(c.test!.difference)}${ci(c.test!.interval)}, p = ${f(c.test!.pValue, 2)})`).join('; ')}` : ''}.`,
      );
    // Findings for the figure observables.
    for (const layer of dyn.layers)
      for (const obs of FIGURE_OBSERVABLES)
        for (const g of dyn.groups) {
          const p = dyn.pooled.find((x) => x.group === g && x.layer === layer && x.observable === obs);
          if (p) statements.push(`${name(a)}, ${layer}, ${name(obs)} on ${name(g)}: ${finding(p)}.`);
        }
    const file = join(images, `training-${a}.svg`);
    writeFileSync(
      file,
      await renderSvg(
        dynamicsRunsSpec(
          `${name(a)}: observables over training, log-log (thin: seeds; band: 95 % CI over seeds; dashed: selected model)`,
          dyn,
          FIGURE_OBSERVABLES,
        ),
      ),
    );
    md.push(`![${name(a)} over training](${rel(file)})`, '');
  }

  // Depth profiles and D_eff against n.
  md.push(
    '## Depth profiles at the end of training',
    '',
    'At the last step, per layer: D_eff, its corrected (population) value and alpha as the mean over seeds with the 95 % t',
    'interval over seeds; beside it the grouped-jackknife interval of seed ' + cfg.seeds[0] + ' alone (the uncertainty from the probe images). C is the',
    'complexity of the map into the layer from the one before (the first layer: from the input pixels), complexity/3 with five fold seeds.',
    '',
  );
  const profileRows: string[][] = [];
  const profilePoints: ProfilePoint[] = [];
  const stimulusPoints: StimulusPoint[] = [];
  const stimulusPanels: string[] = [];
  const scalePoints: ScalePoint[] = [];
  const scalePanels: string[] = [];
  const growth: string[] = [];
  for (const a of cfg.architectures)
    for (const d of cfg.datasets) {
      const nets = cfg.seeds.map((s) => JSON.parse(readFileSync(join(out, `network-${a}-${d}-seed${s}.json`), 'utf8')) as NetworkJson);
      nets[0].layers.forEach((l0, depth) => {
        const layers = nets.map((n) => n.layers[depth]);
        const into = nets.map((n) => (depth === 0 ? n.inputTransitions.find((t) => t.to === l0.name) : n.transitions.find((t) => t.to === l0.name)) ?? null);
        const deff = acrossRuns(layers.map((l) => l.effectiveDimension))!;
        const corr = acrossRuns(layers.map((l) => l.effectiveDimensionCorrected));
        const alpha = acrossRuns(layers.map((l) => l.alpha));
        const c = acrossRuns(into.map((t) => t?.complexity ?? null));
        const gain = acrossRuns(into.map((t) => t?.gain.absolute ?? null));
        const row = [
          name(a).split(' ')[0],
          name(d),
          l0.name,
          String(l0.d),
          `${f(deff.mean)}${ci(deff.interval)}`,
          ci(l0.intervals?.bounds.effectiveDimension).trim() || '-',
          corr ? `${f(corr.mean)}${ci(corr.interval)}` : '-',
          alpha ? `${f(alpha.mean)}${ci(alpha.interval)}` : '-',
          c ? `${f(c.mean)}${ci(c.interval)}` : '-',
          gain ? `${f(gain.mean * 100, 2)} %` : '-',
        ];
        profileRows.push(row);
        // The README's summary: network, dataset, layer, units, D_eff, corrected D_eff, C.
        summaryProfiles.push([0, 1, 2, 3, 4, 6, 8].map((k) => row[k]));
        const push = (measure: string, s: ReturnType<typeof acrossRuns>) => {
          if (s && s.interval)
            profilePoints.push({
              architecture: name(a).split(' ')[0],
              dataset: name(d),
              layer: l0.name,
              depth,
              measure,
              mean: s.mean,
              lo: s.interval[0],
              hi: s.interval[1],
            });
        };
        push('D_eff', deff);
        push('corrected D_eff', corr);
        push('alpha', alpha);
        push('C into the layer (nats)', c);
        // D_eff against the number of stimuli, averaged over seeds (error bars: sd over subsets and seeds).
        const panel = `${name(a).split(' ')[0]} on ${name(d)}`;
        if (!stimulusPanels.includes(panel)) stimulusPanels.push(panel);
        const curves = layers.map((l) => l.stimulusCurve ?? []);
        curves[0].forEach((pt, k) => {
          const plug = curves.map((cv) => cv[k]?.mean ?? null).filter((v): v is number => v !== null);
          const sds = curves.map((cv) => cv[k]?.sd ?? 0);
          const m = plug.reduce((x, y) => x + y, 0) / plug.length;
          const spread = Math.sqrt(sds.reduce((x, y) => x + (Number.isFinite(y) ? y * y : 0), 0) / sds.length + (acrossRuns(plug)?.sd ?? 0) ** 2);
          stimulusPoints.push({ panel, layer: l0.name, estimate: 'plug-in', stimuli: pt.stimuli, mean: m, lo: m - spread, hi: m + spread });
          const cs = acrossRuns(curves.map((cv) => cv[k]?.corrected ?? null));
          if (cs)
            stimulusPoints.push({ panel, layer: l0.name, estimate: 'corrected', stimuli: pt.stimuli, mean: cs.mean, lo: cs.mean - cs.sd, hi: cs.mean + cs.sd });
        });
        const last = curves.map((cv) => (cv.length >= 2 ? cv[cv.length - 1].mean / cv[cv.length - 2].mean - 1 : null));
        const lastCorr = curves.map((cv) =>
          cv.length >= 2 && cv[cv.length - 1].corrected && cv[cv.length - 2].corrected ? cv[cv.length - 1].corrected! / cv[cv.length - 2].corrected! - 1 : null,
        );
        const g = acrossRuns(last),
          gc = acrossRuns(lastCorr);
        if (g)
          growth.push(
            `| ${name(a).split(' ')[0]} | ${name(d)} | ${l0.name} | ${l0.d} | ${f(g.mean * 100, 2)} % [${f(g.min * 100, 2)}, ${f(g.max * 100, 2)}] | ${gc ? `${f(gc.mean * 100, 2)} % [${f(gc.min * 100, 2)}, ${f(gc.max * 100, 2)}]` : '-'} |`,
          );
        // C against scale for the map into this layer, over seeds.
        const maps = into.filter((t): t is Transition => t !== null);
        if (maps.length) {
          const sp = `${name(a).split(' ')[0]}: ${maps[0].from} -> ${maps[0].to}`;
          if (!scalePanels.includes(sp)) scalePanels.push(sp);
          maps[0].scaleCurve.forEach((pt, k) => {
            const s = acrossRuns(maps.map((m) => m.scaleCurve[k]?.complexity ?? null));
            if (s) scalePoints.push({ panel: sp, dataset: name(d), resolution: pt.resolution, mean: s.mean, lo: s.min, hi: s.max });
          });
        }
      });
    }
  md.push(
    table(
      [
        'network',
        'dataset',
        'layer',
        'units',
        'D_eff [95 % CI over seeds]',
        'jackknife CI, one seed',
        'corrected D_eff',
        'alpha',
        'C into the layer',
        "C's gain",
      ],
      profileRows,
    ),
    '',
  );
  const pfile = join(images, 'depth-profiles.svg');
  writeFileSync(
    pfile,
    await renderSvg(
      profileSpec('Depth profiles at the last step (mean over seeds, 95 % t interval over seeds)', profilePoints, [
        'D_eff',
        'corrected D_eff',
        'alpha',
        'C into the layer (nats)',
      ]),
    ),
  );
  md.push(`![Depth profiles](${rel(pfile)})`, '');

  md.push(
    '### D_eff against the number of probe images',
    '',
    'A depth profile at one n is a profile at that n: the plug-in D_eff grows with the number of stimuli. Each layer is',
    'measured on random subsets of n/16 ... n probe images (plug-in: mean over subsets and seeds, bars: sd over subsets and',
    'seeds) beside the corrected D_eff (one subset per size; bars: sd over seeds); for layers with more units than probe',
    'images the corrected value extends the spectrum by a power-law tail (corrected/2, docs/observables.md 1.2). Growth over',
    'the last doubling of the images (mean over seeds, with their range):',
    '',
    '| network | dataset | layer | units | plug-in D_eff growth | corrected D_eff growth |',
    '| --- | --- | --- | --- | --- | --- |',
    ...growth,
    '',
  );
  const sfile = join(images, 'deff-vs-stimuli.svg');
  writeFileSync(
    sfile,
    await renderSvg(stimulusSpec('D_eff against the number of probe images (plug-in solid, corrected dashed; bars: sd)', stimulusPoints, stimulusPanels)),
  );
  md.push(`![D_eff against the number of stimuli](${rel(sfile)})`, '');

  md.push(
    '## C against scale',
    '',
    "complexity/3's scale curve for the map into each layer at the last step: C at each resolution (the share of the output's",
    "variance below which differences are ignored); line: mean over seeds, band: the seeds' range.",
    '',
  );
  const cfile = join(images, 'complexity-scale.svg');
  writeFileSync(cfile, await renderSvg(scaleSpec('C against resolution at the last step (band: range over seeds)', scalePoints, scalePanels)));
  md.push(`![C against scale](${rel(cfile)})`, '');

  md.push('## What holds and what does not', '', ...statements.map((s) => `- ${s}`), '');
  md.push(
    '## Reproduce',
    '',
    '```',
    'npm ci',
    'npm run study            # about the run time above; writes docs/study.md and docs/images/study/',
    'npm run study -- --small # the test-sized version (two seeds, the MLP, 12 steps, 60 probe images)',
    '```',
    '',
    "MNIST comes from `../shared/data/datasets/mnist` (or `MNIST_DIR`), Fashion-MNIST from Debian's `dataset-fashion-mnist`",
    '(installed with apt-get when missing and run as root; or `FASHION_MNIST_DIR`). Checkpoints go to `$TMPDIR/neurorep-study`.',
    '',
  );
  writeFileSync(join(docs, 'study.md'), md.join('\n'));
  if (readme) {
    const block = [
      '<!-- study:begin (generated by `npm run study`; do not edit by hand) -->',
      '',
      `Over training (${cfg.seeds.length} seeds per dataset, ${cfg.checkpoints} checkpoints; selected by AICc summed over seeds; 95 % intervals over seeds):`,
      '',
      table(['network', 'layer', 'observable', 'dataset', 'selected model', 'logistic step at t', 'power-law b, pooled'], summaryTraining),
      '',
      `At the last step (${cfg.probe} probe images; mean over seeds, 95 % t interval over seeds; C from the layer before, or the input):`,
      '',
      table(['network', 'dataset', 'layer', 'units', 'D_eff', 'corrected D_eff', 'C into the layer'], summaryProfiles),
      '',
      '<!-- study:end -->',
    ].join('\n');
    const text = readFileSync(readme, 'utf8');
    const at = text.indexOf('<!-- study:begin'),
      end = text.indexOf('<!-- study:end -->');
    if (at >= 0 && end > at) writeFileSync(readme, text.slice(0, at) + block + text.slice(end + '<!-- study:end -->'.length));
  }
}
