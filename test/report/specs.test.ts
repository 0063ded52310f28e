import test from 'ava';
import { compile } from 'vega-lite';
import { ckaHeatmapSpec, complexitySpec, dynamicsSpec, neuronCurveSpec, patternsSpec, profileSpec, spectrumSpec } from '../../src/report/specs.js';
import type { ComparedEntity } from '../../src/analysis/compare.js';

const data = (spec: Record<string, unknown>) => (spec.data as { values: Record<string, unknown>[] }).values;

function compiles(t: import('ava').ExecutionContext, spec: Record<string, unknown>): void {
  const out = compile(spec as never);
  t.truthy(out.spec, 'vega-lite compiles the spec');
}

test('spectrum: log-log points and the fit line over the alpha range, slope = -alpha', (t) => {
  const spectrum = Array.from({ length: 50 }, (_, i) => (i + 1) ** -1.5);
  const spec = spectrumSpec('s', spectrum, [10, 25]);
  compiles(t, spec);
  t.is(data(spec).length, 50);
  const fit = ((spec.layer as Record<string, unknown>[])[1].data as { values: { rank: number; fit: number }[] }).values;
  t.deepEqual(fit.map((f) => f.rank), [10, 25]);
  const slope = Math.log(fit[1].fit / fit[0].fit) / Math.log(25 / 10);
  t.true(Math.abs(slope + 1.5) < 1e-9);
  t.regex(String(spec.title), /alpha = 1\.50 over ranks 10-25/);
});

test('complexity curve marks K* and carries r and H', (t) => {
  const spec = complexitySpec('c', [{ k: 1, r: 1, entropy: 0 }, { k: 2, r: 0.1, entropy: 0.69 }], 2);
  compiles(t, spec);
  t.deepEqual(data(spec), [{ K: 1, r: 1, H: 0, star: false }, { K: 2, r: 0.1, H: 0.69, star: true }]);
});

test('patterns curve has S, S_ind and I for every k', (t) => {
  const spec = patternsSpec('p', [{ k: 1, entropy: 0.6, independentEntropy: 0.6, multiInformation: 0 }, { k: 2, entropy: 1, independentEntropy: 1.2, multiInformation: 0.2 }]);
  compiles(t, spec);
  t.is(data(spec).length, 6);
  t.deepEqual(data(spec).filter((d) => d.series === 'I(k)').map((d) => d.value), [0, 0.2]);
});

test('profile: one value per entity and observable, error bars from the bootstrap interval', (t) => {
  const e = (name: string, role: ComparedEntity['role'], deff: number, ci: [number, number] | null): ComparedEntity => ({
    runId: 'r', runKind: 'x', role, name, key: name, index: 0, n: 10, d: 5, effectiveDimension: deff, effectiveDimensionCI: ci, effectiveDimensionCorrected: null, alpha: 1, switchingFraction: 0.5, complexity: null, complexityFrom: null, matchedEffectiveDimension: null,
  });
  const spec = profileSpec('p', [e('<b>V1</b>', 'area', 4, [3, 5]), e('relu1', 'layer', 2, null)]);
  compiles(t, spec);
  const panels = spec.hconcat as Record<string, unknown>[];
  const titles = panels.map((p) => ((p.layer as { encoding: { y: { title: string } } }[])[0].encoding.y.title));
  t.deepEqual(titles, ['effective dimension', 'power-law alpha', 'switching fraction'], 'the complexity panel has no values and is left out');
  const deff = data(panels[0]);
  t.deepEqual(deff.map((d) => [d.entity, d.value, d.lo, d.hi]), [['area: <b>V1</b>', 4, 3, 5], ['layer: relu1', 2, null, null]]);
  // D_eff on a log axis, so that small areas are not squashed by wide layers.
  t.deepEqual((panels[0].layer as { encoding: { y: { scale: unknown } } }[])[0].encoding.y.scale, { type: 'log' });
  t.is((panels[0].layer as unknown[]).length, 2, 'interval bars where intervals exist');
  t.is((panels[1].layer as unknown[]).length, 1, 'no empty interval layer (Vega: infinite extent)');
});

test('every chart renders in Vega without warnings (no infinite extents when intervals are missing)', async (t) => {
  const vega = await import('vega');
  const e = (name: string, role: ComparedEntity['role'], deff: number, ci: [number, number] | null): ComparedEntity => ({
    runId: 'r', runKind: 'x', role, name, key: name, index: 0, n: 10, d: 5, effectiveDimension: deff, effectiveDimensionCI: ci, effectiveDimensionCorrected: null, alpha: null, switchingFraction: 0.5, complexity: 0.7, complexityFrom: 'previous layer', matchedEffectiveDimension: null,
  });
  const specs = [
    profileSpec('no intervals', [e('V1', 'area', 5, null), e('relu1', 'layer', 120, null)]),
    profileSpec('some intervals', [e('V1', 'area', 5, [4, 6]), e('relu1', 'layer', 120, null)]),
    dynamicsSpec('d', [1, 10, 100], [
      { layer: 'h1', observable: 'effectiveDimension', values: [2, 4, 8], fit: { a: 2, b: Math.log10(2), r2: 1 } },
      { layer: 'h1', observable: 'switchingFraction', values: [0.9, 0.8, 0.7], fit: { a: null, b: null, r2: null } },
    ]),
  ];
  for (const spec of specs) {
    const warnings: string[] = [];
    const logger = { level: () => logger, error: (...m: unknown[]) => warnings.push(m.join(' ')), warn: (...m: unknown[]) => warnings.push(m.join(' ')), info: () => logger, debug: () => logger } as never;
    const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none', logger });
    await view.runAsync();
    t.deepEqual(warnings, [], String(spec.title));
    view.finalize();
  }
});

test('dynamics: readable panel titles, three panels to a row', (t) => {
  const spec = dynamicsSpec('d', [1, 10], [{ layer: 'h1', observable: 'effectiveDimension', values: [2, 4], fit: { a: null, b: null, r2: null } }, { layer: 'h1', observable: 'entropyPerNeuron', values: [1, 2], fit: { a: null, b: null, r2: null } }]);
  t.deepEqual([...new Set(data(spec).map((d) => d.observable))], ['effective dimension', 'entropy per neuron']);
  t.is(spec.columns, 3);
});

test('dynamics: values and fitted lines y = a t^b', (t) => {
  const spec = dynamicsSpec('d', [1, 10, 100], [{ layer: 'h1', observable: 'D_eff', values: [2, 4, 8], fit: { a: 2, b: Math.log10(2), r2: 1 } }]);
  compiles(t, spec);
  const fits = data(spec).filter((d) => d.kind === 'fit');
  t.deepEqual(fits.map((f) => f.step), [1, 100]);
  t.true(Math.abs((fits[1].value as number) - 8) < 1e-9);
});

test('CKA heatmap: one cell per (layer, area) with a value', (t) => {
  const spec = ckaHeatmapSpec('k', { rows: [{ runId: 'a', name: 'relu1' }], cols: [{ runId: 'b', name: 'V1' }, { runId: 'b', name: 'LM' }], values: [[0.9, null]], estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)', notes: [] });
  compiles(t, spec);
  t.deepEqual(data(spec), [{ row: 'relu1', col: 'V1', cka: 0.9, p: null }]);
  const withNulls = ckaHeatmapSpec('k', { rows: [{ runId: 'a', name: 'relu1' }], cols: [{ runId: 'b', name: 'V1' }], values: [[0.9]], nulls: [[{ statistic: 'cka', shuffle: 's', samples: 99, mean: 0, sd: 0.1, pValue: 0.01, seed: 0 }]], estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)', notes: [] });
  compiles(t, withNulls);
  t.is(data(withNulls)[0].p, 0.01);
});

test('patterns curve with nulls: a band of I(k) under shuffled neurons (mean +- 2 sd)', (t) => {
  const spec = patternsSpec('p', [
    { k: 1, entropy: 0.6, independentEntropy: 0.6, multiInformation: 0, null: { mean: 0, sd: 0 } },
    { k: 2, entropy: 1, independentEntropy: 1.2, multiInformation: 0.2, null: { mean: 0.01, sd: 0.005 } },
  ]);
  compiles(t, spec);
  const band = ((spec.layer as Record<string, unknown>[])[0].data as { values: { k: number; lo: number; hi: number }[] }).values;
  t.deepEqual(band, [{ k: 1, lo: 0, hi: 0 }, { k: 2, lo: 0, hi: 0.02 }]);
  t.regex(String(spec.title), /mean \+- 2 sd/);
});

test('D_eff against the number of neurons: one line per group with sd bars', (t) => {
  const spec = neuronCurveSpec('n', [{ name: 'V1', curve: [{ neurons: 1, mean: 1, sd: 0 }, { neurons: 2, mean: 1.8, sd: 0.1 }, { neurons: 3, mean: 2.5, sd: NaN }] }]);
  compiles(t, spec);
  t.deepEqual(data(spec).map((d) => [d.neurons, d.lo, d.hi]), [[1, 1, 1], [2, 1.7, 1.9000000000000001], [3, 2.5, 2.5]]);
});
