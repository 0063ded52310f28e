import test from 'ava';
import { compile } from 'vega-lite';
import type { Cell } from '../../src/core/similarity/measures.js';
import {
  complexitySpec,
  layerMappingSpec,
  similarityHeatmapSpec,
  similarityOverTimeSpec,
  timeResolvedSpec,
  dynamicsRunsSpec,
  dynamicsSpec,
  stimulusCurveSpec,
  neuronCurveSpec,
  patternsSpec,
  profileSpec,
  spectrumSpec,
} from '../../src/report/specs.js';
import type { ComparedEntity } from '../../src/analysis/compare.js';

const data = (spec: Record<string, unknown>) => (spec.data as { values: Record<string, unknown>[] }).values;

function compiles(t: import('ava').ExecutionContext, spec: Record<string, unknown>): void {
  const out = compile(spec as never);
  t.truthy(out.spec, 'vega-lite compiles the spec');
}

test('spectrum: log-log points and the fit line over the alpha range, slope = -alpha', (t) => {
  const spectrum = Array.from({ length: 50 }, (_, i) => (i + 1) ** -1.5);
  // The alpha drawn is the record's (1.5), never a refit.
  const spec = spectrumSpec('s', spectrum, [10, 25], 1.5);
  compiles(t, spec);
  t.is(data(spec).length, 50);
  const fit = ((spec.layer as Record<string, unknown>[])[1].data as { values: { rank: number; fit: number }[] }).values;
  t.deepEqual(
    fit.map((f) => f.rank),
    [10, 25],
  );
  const slope = Math.log(fit[1].fit / fit[0].fit) / Math.log(25 / 10);
  t.true(Math.abs(slope + 1.5) < 1e-9);
  t.regex(String(spec.title), /alpha = 1\.50 over ranks 10-25/);
  // A spectrum whose slope differs from the reported alpha still shows the reported one.
  const other = spectrumSpec('s', spectrum, [10, 25], 0.9);
  const otherFit = ((other.layer as Record<string, unknown>[])[1].data as { values: { rank: number; fit: number }[] }).values;
  t.true(Math.abs(Math.log(otherFit[1].fit / otherFit[0].fit) / Math.log(2.5) + 0.9) < 1e-9);
});

test('spectrum: where the record reports no alpha, no fit line is drawn and the title says so', (t) => {
  const spec = spectrumSpec('s', [0.8, 0.2], [1, 2], null);
  compiles(t, spec);
  t.is((spec.layer as unknown[]).length, 1, 'points only');
  t.regex(String(spec.title), /alpha not reported/);
  t.notRegex(String(spec.title), /alpha = /);
});

test('profile: complexity from the stimulus (areas) and from the layer before (layers) are separate panels; axes keep points off the frame and round labels', (t) => {
  const base = {
    runId: 'r',
    runKind: 'x',
    key: 'k',
    index: 0,
    n: 10,
    d: 5,
    effectiveDimension: 3,
    effectiveDimensionCI: null,
    effectiveDimensionCorrected: null,
    alpha: null,
    switchingFraction: 1,
    matchedEffectiveDimension: null,
  };
  const spec = profileSpec('p', [
    { ...base, role: 'area', name: 'V1', complexity: 1.2, complexityFrom: 'stimulus' } as ComparedEntity,
    { ...base, role: 'layer', name: 'relu2', complexity: 0.4, complexityFrom: 'relu1' } as ComparedEntity,
  ]);
  compiles(t, spec);
  const panels = spec.hconcat as Record<string, unknown>[];
  const byTitle = new Map(panels.map((p) => [(p.layer as { encoding: { y: { title: string } } }[])[0].encoding.y.title, data(p)]));
  t.deepEqual(
    byTitle.get('complexity from the stimulus (nats)')!.map((d) => d.entity),
    ['area: V1'],
  );
  t.deepEqual(
    byTitle.get('complexity from the layer before (nats)')!.map((d) => d.entity),
    ['layer: relu2'],
  );
  const y = (panels[2].layer as { encoding: { y: { scale: { padding: number }; axis: { format: string } } } }[])[0].encoding.y;
  t.is(y.scale.padding, 8);
  t.is(y.axis.format, '.3~g', 'a panel of equal values reads "1", not "1.000000"');
});

test('complexity curve marks K* and carries r and H', (t) => {
  const spec = complexitySpec(
    'c',
    [
      { k: 1, r: 1, entropy: 0 },
      { k: 2, r: 0.1, entropy: 0.69 },
    ],
    2,
  );
  compiles(t, spec);
  t.deepEqual(data(spec), [
    { K: 1, r: 1, H: 0, star: false },
    { K: 2, r: 0.1, H: 0.69, star: true },
  ]);
});

test('patterns curve has S, S_ind and I for every k', (t) => {
  const spec = patternsSpec('p', [
    { k: 1, entropy: 0.6, independentEntropy: 0.6, multiInformation: 0 },
    { k: 2, entropy: 1, independentEntropy: 1.2, multiInformation: 0.2 },
  ]);
  compiles(t, spec);
  t.is(data(spec).length, 6);
  t.deepEqual(
    data(spec)
      .filter((d) => d.series === 'I(k)')
      .map((d) => d.value),
    [0, 0.2],
  );
});

test('profile: one value per entity and observable, error bars from the bootstrap interval', (t) => {
  const e = (name: string, role: ComparedEntity['role'], deff: number, ci: [number, number] | null): ComparedEntity => ({
    runId: 'r',
    runKind: 'x',
    role,
    name,
    key: name,
    index: 0,
    n: 10,
    d: 5,
    effectiveDimension: deff,
    effectiveDimensionCI: ci,
    effectiveDimensionCorrected: null,
    alpha: 1,
    switchingFraction: 0.5,
    complexity: null,
    complexityFrom: null,
    complexityGain: null,
    complexityDetail: null,
    matchedEffectiveDimension: null,
  });
  const spec = profileSpec('p', [e('<b>V1</b>', 'area', 4, [3, 5]), e('relu1', 'layer', 2, null)]);
  compiles(t, spec);
  const panels = spec.hconcat as Record<string, unknown>[];
  const titles = panels.map((p) => (p.layer as { encoding: { y: { title: string } } }[])[0].encoding.y.title);
  t.deepEqual(titles, ['effective dimension', 'power-law alpha', 'switching fraction'], 'the complexity panel has no values and is left out');
  const deff = data(panels[0]);
  t.deepEqual(
    deff.map((d) => [d.entity, d.value, d.lo, d.hi]),
    [
      ['area: <b>V1</b>', 4, 3, 5],
      ['layer: relu1', 2, null, null],
    ],
  );
  // D_eff on a log axis, so that small areas are not squashed by wide layers.
  t.deepEqual((panels[0].layer as { encoding: { y: { scale: unknown } } }[])[0].encoding.y.scale, { type: 'log', padding: 8 });
  t.is((panels[0].layer as unknown[]).length, 2, 'interval bars where intervals exist');
  t.is((panels[1].layer as unknown[]).length, 1, 'no empty interval layer (Vega: infinite extent)');
});

test('every chart renders in Vega without warnings (no infinite extents when intervals are missing)', async (t) => {
  const vega = await import('vega');
  const e = (name: string, role: ComparedEntity['role'], deff: number, ci: [number, number] | null): ComparedEntity => ({
    runId: 'r',
    runKind: 'x',
    role,
    name,
    key: name,
    index: 0,
    n: 10,
    d: 5,
    effectiveDimension: deff,
    effectiveDimensionCI: ci,
    effectiveDimensionCorrected: null,
    alpha: null,
    switchingFraction: 0.5,
    complexity: 0.7,
    complexityFrom: 'previous layer',
    complexityGain: null,
    complexityDetail: null,
    matchedEffectiveDimension: null,
  });
  const specs = [
    profileSpec('no intervals', [e('V1', 'area', 5, null), e('relu1', 'layer', 120, null)]),
    profileSpec('some intervals', [e('V1', 'area', 5, [4, 6]), e('relu1', 'layer', 120, null)]),
    dynamicsSpec(
      'd',
      [1, 10, 100],
      [
        { layer: 'h1', observable: 'effectiveDimension', values: [2, 4, 8], fit: { a: 2, b: Math.log10(2), r2: 1 } },
        { layer: 'h1', observable: 'switchingFraction', values: [0.9, 0.8, 0.7], fit: { a: null, b: null, r2: null } },
      ],
    ),
    // Over time without any interval, and with a window where an observable is undefined.
    timeResolvedSpec(
      [
        { start: 0, stop: 0.1, groups: [{ name: 'V1', values: { effectiveDimension: 3, cvPcaEffectiveDimension: null }, intervals: {} }] },
        { start: 0.1, stop: 0.2, groups: [{ name: 'V1', values: { effectiveDimension: 5, cvPcaEffectiveDimension: 2 }, intervals: {} }] },
      ],
      ['effectiveDimension', 'cvPcaEffectiveDimension'],
    ),
    similarityOverTimeSpec([
      {
        runId: 'a',
        area: 'V1',
        layer: 'l2',
        chosenBy: 'cka',
        metric: 'cka',
        kind: 'similarity',
        points: [
          { start: 0, stop: 0.1, cell: null },
          { start: 0.1, stop: 0.2, cell: { value: 0.5, score: 0.5, interval: null, null: null, ceiling: null, normalised: null } },
        ],
      },
    ]),
    // A mapping without intervals or ceilings, and one area without any defined cell.
    layerMappingSpec(
      [
        {
          runId: 'b',
          area: 'V1',
          metric: 'cka',
          layers: ['l1', 'l2'],
          scores: [0.5, 0.7],
          best: 1,
          winShare: null,
          bestSet: null,
          resamples: 0,
          ceiling: null,
        },
      ],
      [
        {
          metric: 'cka',
          label: 'c',
          kind: 'similarity',
          cells: [
            [{ value: 0.5, score: 0.5, interval: null, null: null, ceiling: null, normalised: null }, null],
            [{ value: 0.7, score: 0.7, interval: null, null: null, ceiling: null, normalised: null }, null],
          ],
        },
      ],
      [
        { runId: 'b', name: 'V1', key: 'V1' },
        { runId: 'b', name: 'LM', key: 'LM' },
      ],
    ),
  ];
  for (const spec of specs) {
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      error: (...m: unknown[]) => warnings.push(m.join(' ')),
      warn: (...m: unknown[]) => warnings.push(m.join(' ')),
      info: () => logger,
      debug: () => logger,
    } as never;
    const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none', logger });
    await view.runAsync();
    t.deepEqual(warnings, [], String(spec.title));
    view.finalize();
  }
});

test('dynamics: readable panel titles, three panels to a row', (t) => {
  const spec = dynamicsSpec(
    'd',
    [1, 10],
    [
      { layer: 'h1', observable: 'effectiveDimension', values: [2, 4], fit: { a: null, b: null, r2: null } },
      { layer: 'h1', observable: 'entropyPerNeuron', values: [1, 2], fit: { a: null, b: null, r2: null } },
    ],
  );
  t.deepEqual([...new Set(data(spec).map((d) => d.observable))], ['effective dimension', 'entropy per neuron']);
  t.is(spec.columns, 3);
});

test('dynamics: values and fitted lines y = a t^b', (t) => {
  const spec = dynamicsSpec('d', [1, 10, 100], [{ layer: 'h1', observable: 'D_eff', values: [2, 4, 8], fit: { a: 2, b: Math.log10(2), r2: 1 } }]);
  compiles(t, spec);
  const fits = data(spec).filter((d) => d.kind === 'fit');
  t.deepEqual(
    fits.map((f) => f.step),
    [1, 100],
  );
  t.true(Math.abs((fits[1].value as number) - 8) < 1e-9);
});

const cell = (value: number, extra: Partial<Cell> = {}): Cell => ({
  value,
  score: value,
  interval: [value - 0.1, value + 0.1],
  null: null,
  ceiling: null,
  normalised: null,
  ...extra,
});

test('similarity heatmap: one cell per (layer, area) with a value, its interval, p and ceiling in the data', (t) => {
  const rows = [{ runId: 'a', name: 'relu1', key: 'relu1' }],
    cols = [
      { runId: 'b', name: 'V1', key: 'V1' },
      { runId: 'b', name: 'LM', key: 'LM' },
    ];
  const spec = similarityHeatmapSpec(
    { metric: 'cka', label: 'CKA', kind: 'similarity', cells: [[cell(0.9, { ceiling: 0.95, normalised: 0.9 / 0.95 }), null]] },
    rows,
    cols,
  );
  compiles(t, spec);
  t.deepEqual(data(spec), [
    { row: 'relu1', col: 'V1', value: 0.9, lo: 0.8, hi: 1.0, p: null, ceiling: 0.95, normalised: 0.9 / 0.95, baseline: null, inSample: null },
  ]);
  const angle = similarityHeatmapSpec({ metric: 'procrustes', label: 'P', kind: 'angle', cells: [[cell(0.3), cell(1.2)]] }, rows, cols);
  compiles(t, angle);
  t.deepEqual((angle as { layer: { encoding: { color: { scale: { domain: number[] } } } }[] }).layer[0].encoding.color.scale.domain, [0, Math.PI / 2]);
});

test('layer mapping: a facet per area and measure, the best layer marked, the ceiling band', (t) => {
  const tables = [
    { metric: 'predictivity' as const, label: 'p', kind: 'similarity' as const, cells: [[cell(0.5, { ceiling: 0.9 })], [cell(0.7, { ceiling: 0.9 })]] },
  ];
  const spec = layerMappingSpec(
    [
      {
        runId: 'b',
        area: 'V1',
        metric: 'predictivity',
        layers: ['l1', 'l2'],
        scores: [0.5, 0.7],
        best: 1,
        winShare: [0.1, 0.9],
        bestSet: [1, 0],
        resamples: 100,
        ceiling: 0.9,
      },
    ],
    tables,
    [{ runId: 'b', name: 'V1', key: 'V1' }],
  );
  compiles(t, spec);
  const d = data(spec);
  t.deepEqual(
    d.filter((x) => x.kind === 'score').map((x) => [x.layer, x.best, x.share]),
    [
      ['l1', false, 0.1],
      ['l2', true, 0.9],
    ],
  );
  t.deepEqual(
    d.filter((x) => x.kind === 'ceiling').map((x) => x.ceiling),
    [0.9],
  );
});

test('patterns curve with nulls: a band of I(k) under shuffled neurons (mean +- 2 sd)', (t) => {
  const spec = patternsSpec('p', [
    { k: 1, entropy: 0.6, independentEntropy: 0.6, multiInformation: 0, null: { mean: 0, sd: 0 } },
    { k: 2, entropy: 1, independentEntropy: 1.2, multiInformation: 0.2, null: { mean: 0.01, sd: 0.005 } },
  ]);
  compiles(t, spec);
  const band = ((spec.layer as Record<string, unknown>[])[0].data as { values: { k: number; lo: number; hi: number }[] }).values;
  t.deepEqual(band, [
    { k: 1, lo: 0, hi: 0 },
    { k: 2, lo: 0, hi: 0.02 },
  ]);
  t.regex(String(spec.title), /mean \+- 2 sd/);
});

test('D_eff against the number of neurons: one line per group with sd bars', (t) => {
  const spec = neuronCurveSpec('n', [
    {
      name: 'V1',
      curve: [
        { neurons: 1, mean: 1, sd: 0 },
        { neurons: 2, mean: 1.8, sd: 0.1 },
        { neurons: 3, mean: 2.5, sd: NaN },
      ],
    },
  ]);
  compiles(t, spec);
  t.deepEqual(
    data(spec).map((d) => [d.neurons, d.lo, d.hi]),
    [
      [1, 1, 1],
      [2, 1.7, 1.9000000000000001],
      [3, 2.5, 2.5],
    ],
  );
});

test('over time: one point per window, area and defined observable at the window centre, with its interval', (t) => {
  const spec = timeResolvedSpec(
    [
      {
        start: 0,
        stop: 0.1,
        groups: [{ name: 'V1', values: { effectiveDimension: 3, cvPcaEffectiveDimension: null }, intervals: { effectiveDimension: [2.5, 3.5] } }],
      },
      { start: 0.1, stop: 0.2, groups: [{ name: 'V1', values: { effectiveDimension: 5, cvPcaEffectiveDimension: 2 }, intervals: {} }] },
    ],
    ['effectiveDimension', 'cvPcaEffectiveDimension'],
  );
  compiles(t, spec);
  t.deepEqual(
    data(spec).map((d) => [d.panel, d.t, d.value, d.lo, d.hi]),
    [
      ['effective dimension', 0.05, 3, 2.5, 3.5],
      ['effective dimension', 0.15000000000000002, 5, null, null],
      ['cvPCA effective dimension', 0.15000000000000002, 2, null, null],
    ],
  );
});

test('dynamics over runs: a line per run, the band per group and the selected curve, on log-log axes; zeros and flagged values not drawn', (t) => {
  const spec = dynamicsRunsSpec('r', {
    steps: [1, 10, 100],
    series: [
      { layer: 'h', observable: 'effectiveDimension', values: [4, 2, 1], flags: [null, null, null], run: 'a/1', group: 'a' },
      { layer: 'h', observable: 'effectiveDimension', values: [5, 0, 2], flags: [null, null, 'saturated'], run: 'a/2', group: 'a' },
    ],
    pooled: [
      {
        group: 'a',
        layer: 'h',
        observable: 'effectiveDimension',
        mean: [4.5, 1, 1],
        intervals: [[3, 6], [-1, 3], null],
        selected: 'power',
        curve: [
          { step: 1, value: 4.4, interval: [3, 6] },
          { step: 100, value: 1.1, interval: null },
        ],
      },
    ],
  });
  compiles(t, spec);
  const rows = data(spec);
  t.deepEqual(
    rows.filter((d) => d.kind === 'run').map((d) => `${d.run}@${d.step}`),
    ['a/1@1', 'a/1@10', 'a/1@100', 'a/2@1'],
  );
  t.deepEqual(
    rows.filter((d) => d.kind === 'band').map((d) => d.step),
    [1],
    'a band reaching 0 or below has no log-scale place',
  );
  t.is(rows.filter((d) => d.kind === 'fit').length, 2);
  const layers = (spec.spec as { layer: { encoding: { x: { scale: { type: string } }; y: { scale: { type: string } } } }[] }).layer;
  for (const l of layers) t.deepEqual([l.encoding.x.scale.type, l.encoding.y.scale.type], ['log', 'log']);
});

test('D_eff against stimuli: plug-in rows with their sd, corrected rows where defined, log-2 axis', (t) => {
  const spec = stimulusCurveSpec('s', [
    {
      name: 'conv1',
      curve: [
        { stimuli: 125, mean: 49.3, sd: 1.5, corrected: 84.7 },
        { stimuli: 2000, mean: 91.6, sd: NaN, corrected: null },
      ],
    },
  ]);
  compiles(t, spec);
  const rows = data(spec);
  t.deepEqual(
    rows.map((r) => `${r.estimate}@${r.stimuli}`),
    ['plug-in@125', 'corrected@125', 'plug-in@2000'],
  );
  const first = rows[0] as { lo: number; hi: number };
  t.deepEqual([first.lo, first.hi], [47.8, 50.8]);
  t.is((rows[2] as { lo: number }).lo, 91.6, 'no sd (all stimuli, one set): no bar');
});
