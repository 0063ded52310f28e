/**
 * Vega-Lite specs for every chart the viewer and reports show. Specs are plain data built from
 * run records: spectrum (log-log with the alpha fit over its range), complexity curve (r_K and
 * H_K against K), pattern-entropy curve, depth/area profile with bootstrap error bars, training
 * dynamics (log-log with the selected trend model), and the layer x area CKA heatmap.
 *
 * Names from data files (areas, layers) are data values, never markup: Vega draws them as text.
 */

import { trendValue, type TrendFit, type TrendModel } from '../core/inference/trendModels.js';
import type { ComparedEntity } from '../analysis/compare.js';
import type { EntityRef, SimilarityTable, AreaMapping, TimeCourse } from '../analysis/similarityTables.js';

export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 320;
const HEIGHT = 220;

/** The header every single-view chart shares. */
function view(title: string, values: unknown[]): VegaLiteSpec {
  return { $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, data: { values } };
}

/**
 * Eigenvalue spectrum on log-log axes with the record's power-law fit over the ranks it used. The
 * chart shows the alpha the analysis reported, never a refit: where the record says alpha is not
 * reported (too few ranks), there is no line.
 */
export function spectrumSpec(title: string, spectrum: number[], alphaRange: [number, number] | null, alpha: number | null, ranks?: number[]): VegaLiteSpec {
  const points = spectrum.map((p, i) => ({ rank: ranks ? ranks[i] : i + 1, variance: p })).filter((d) => d.variance > 0);
  const layers: VegaLiteSpec[] = [
    {
      mark: { type: 'point', filled: true, size: 16 },
      encoding: {
        x: { field: 'rank', type: 'quantitative', scale: { type: 'log' }, title: 'rank n' },
        y: { field: 'variance', type: 'quantitative', scale: { type: 'log' }, title: 'fraction of variance' },
        tooltip: [{ field: 'rank' }, { field: 'variance', format: '.3g' }],
      },
    },
  ];
  const inRange = alphaRange ? points.filter((d) => d.rank >= alphaRange[0] && d.rank <= alphaRange[1]) : [];
  if (alphaRange && alpha !== null && Number.isFinite(alpha) && inRange.length > 0) {
    // The line's height: least squares with the reported slope -alpha fixed.
    const intercept = inRange.reduce((a, d) => a + Math.log(d.variance) + alpha * Math.log(d.rank), 0) / inRange.length;
    const fit = [alphaRange[0], alphaRange[1]].map((r) => ({ rank: r, fit: Math.exp(intercept - alpha * Math.log(r)) }));
    layers.push({
      data: { values: fit },
      mark: { type: 'line', color: '#d62728', strokeWidth: 2 },
      encoding: { x: { field: 'rank', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' } },
    });
    title = `${title} (alpha = ${alpha.toFixed(2)} over ranks ${alphaRange[0]}-${alphaRange[1]})`;
  } else title = `${title} (alpha not reported)`;
  return { ...view(title, points), layer: layers };
}

/** Held-out r_K (left axis) and occupancy entropy H_K (right axis) against the number of pieces K. */
export function complexitySpec(title: string, curve: { k: number; r: number; entropy: number | null }[], kStar: number | null): VegaLiteSpec {
  const values = curve.map((c) => ({ K: c.k, r: c.r, H: c.entropy, star: c.k === kStar }));
  const x = { field: 'K', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'pieces K', axis: { values: curve.map((c) => c.k), format: 'd' } };
  return {
    ...view(title, values),
    layer: [
      {
        mark: { type: 'line', point: true, color: '#1f77b4' },
        encoding: {
          x,
          y: { field: 'r', type: 'quantitative', title: 'r_K (held-out unexplained)', axis: { titleColor: '#1f77b4' } },
          tooltip: [{ field: 'K' }, { field: 'r', format: '.3f' }],
        },
      },
      {
        mark: { type: 'line', point: true, color: '#ff7f0e', strokeDash: [4, 3] },
        encoding: {
          x,
          y: { field: 'H', type: 'quantitative', title: 'H_K (nats)', axis: { titleColor: '#ff7f0e' } },
          tooltip: [{ field: 'K' }, { field: 'H', format: '.3f' }],
        },
      },
      {
        transform: [{ filter: 'datum.star' }],
        mark: { type: 'rule', color: '#2ca02c' },
        encoding: { x },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * complexity/3's scale curve: C against the resolution (the smallest held-out gain that counts, log
 * axis), with the resolution the tables use marked.
 */
export function scaleCurveSpec(title: string, curve: { resolution: number; complexity: number | null }[], marked: number | null): VegaLiteSpec {
  const values = curve.filter((c) => c.complexity !== null).map((c) => ({ resolution: c.resolution, C: c.complexity, marked: c.resolution === marked }));
  const x = { field: 'resolution', type: 'quantitative', scale: { type: 'log' }, title: "resolution (fraction of Y's variance)" };
  return {
    ...view(title, values),
    layer: [
      {
        mark: { type: 'line', point: true, color: '#1f77b4' },
        encoding: { x, y: { field: 'C', type: 'quantitative', title: 'C (nats)' }, tooltip: [{ field: 'resolution' }, { field: 'C', format: '.3f' }] },
      },
      { transform: [{ filter: 'datum.marked' }], mark: { type: 'rule', color: '#2ca02c' }, encoding: { x } },
    ],
  };
}

/** Pattern entropy S(k), independent entropy S_ind(k) and multi-information I(k) against subset size k; with nulls, I(k)'s null mean +- 2 sd as a band. */
export function patternsSpec(
  title: string,
  curve: { k: number; entropy: number; independentEntropy: number; multiInformation: number; null?: { mean: number | null; sd: number | null } }[],
): VegaLiteSpec {
  const values = curve.flatMap((c) => [
    { k: c.k, value: c.entropy, series: 'S(k)' },
    { k: c.k, value: c.independentEntropy, series: 'S_ind(k)' },
    { k: c.k, value: c.multiInformation, series: 'I(k)' },
  ]);
  const x = {
    field: 'k',
    type: 'quantitative',
    scale: { type: 'log', base: 2 },
    title: 'neurons in subset k',
    axis: { values: curve.map((c) => c.k), format: 'd' },
  };
  const band = curve
    .filter((c) => c.null && c.null.mean !== null && c.null.sd !== null)
    .map((c) => ({ k: c.k, lo: c.null!.mean! - 2 * c.null!.sd!, hi: c.null!.mean! + 2 * c.null!.sd! }));
  const lines: VegaLiteSpec = {
    mark: { type: 'line', point: true },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: 'nats' },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [{ field: 'series' }, { field: 'k' }, { field: 'value', format: '.3f' }],
    },
  };
  if (!band.length) return { ...view(title, values), ...lines };
  return {
    ...view(`${title} (grey: I(k) under shuffled neurons, mean +- 2 sd)`, values),
    layer: [
      {
        data: { values: band },
        mark: { type: 'area', color: '#bbbbbb', opacity: 0.4 },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
      lines,
    ],
  };
}

/** D_eff against the number of neurons (random subsets, mean +- sd), one line per group. */
export function neuronCurveSpec(title: string, groups: { name: string; curve: { neurons: number; mean: number; sd: number }[] }[]): VegaLiteSpec {
  const values = groups.flatMap((g) =>
    g.curve
      .filter((c) => Number.isFinite(c.mean))
      .map((c) => ({
        group: g.name,
        neurons: c.neurons,
        mean: c.mean,
        lo: c.mean - (Number.isFinite(c.sd) ? c.sd : 0),
        hi: c.mean + (Number.isFinite(c.sd) ? c.sd : 0),
      })),
  );
  return curveWithBars(title, values, 'neurons', 'neurons (random subsets)', {});
}

/** D_eff (field `mean`) against a log-2 x, a line per group (and `extra` encodings), bars from `lo` to `hi`. */
function curveWithBars(title: string, values: unknown[], xField: string, xTitle: string, extra: Record<string, unknown>): VegaLiteSpec {
  const x = { field: xField, type: 'quantitative', scale: { type: 'log', base: 2 }, title: xTitle };
  const color = { field: 'group', type: 'nominal', title: null };
  return {
    ...view(title, values),
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'effective dimension' },
          color,
          ...extra,
          tooltip: [{ field: 'group' }, ...('strokeDash' in extra ? [{ field: 'estimate' }] : []), { field: xField }, { field: 'mean', format: '.3g' }],
        },
      },
      { mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
    ],
  };
}

/** D_eff against the number of stimuli: plug-in (mean +- sd over random subsets, solid) and corrected (dashed), one colour per group. */
export function stimulusCurveSpec(
  title: string,
  groups: { name: string; curve: { stimuli: number; mean: number; sd: number; corrected: number | null }[] }[],
): VegaLiteSpec {
  const values = groups.flatMap((g) =>
    g.curve.flatMap((c) => [
      ...(Number.isFinite(c.mean)
        ? [
            {
              group: g.name,
              estimate: 'plug-in',
              stimuli: c.stimuli,
              mean: c.mean,
              lo: c.mean - (Number.isFinite(c.sd) ? c.sd : 0),
              hi: c.mean + (Number.isFinite(c.sd) ? c.sd : 0),
            },
          ]
        : []),
      ...(c.corrected !== null && Number.isFinite(c.corrected)
        ? [{ group: g.name, estimate: 'corrected', stimuli: c.stimuli, mean: c.corrected, lo: c.corrected, hi: c.corrected }]
        : []),
    ]),
  );
  return curveWithBars(title, values, 'stimuli', 'stimuli (random subsets)', {
    strokeDash: {
      field: 'estimate',
      type: 'nominal',
      title: null,
      scale: {
        domain: ['plug-in', 'corrected'],
        range: [
          [1, 0],
          [5, 3],
        ],
      },
    },
    detail: { field: 'estimate' },
  });
}

/**
 * The profile's panels. Complexity is two: an area's is the map from the stimulus, a layer's the map
 * from the layer before; one axis would read them as one quantity.
 */
const OBSERVABLES: { key: keyof ComparedEntity; label: string; only?: (e: ComparedEntity) => boolean }[] = [
  { key: 'effectiveDimension', label: 'effective dimension' },
  { key: 'alpha', label: 'power-law alpha' },
  { key: 'switchingFraction', label: 'switching fraction' },
  { key: 'complexity', label: 'complexity from the stimulus (nats)', only: (e) => e.complexityFrom === 'stimulus' },
  { key: 'complexity', label: 'complexity from the layer before (nats)', only: (e) => e.complexityFrom !== 'stimulus' },
];

/**
 * Depth / area profile: each observable per area or layer, one panel per observable with its own
 * scale (effective dimension on a log axis, so that areas of D_eff 5 stay readable beside layers of
 * D_eff 100), interval bars on D_eff where the record has them.
 */
export function profileSpec(title: string, entities: ComparedEntity[]): VegaLiteSpec {
  const label = (e: ComparedEntity) => `${e.role === 'layer' ? 'layer' : e.role === 'area' ? 'area' : 'matrix'}: ${e.name}`;
  const order = entities.map(label);
  const x = { field: 'entity', type: 'nominal', sort: order, title: null, axis: { labelAngle: -40, labelLimit: 160 } };
  const panels = OBSERVABLES.map((o) => {
    const values = entities
      .map((e, i) => {
        const v = !o.only || o.only(e) ? (e[o.key] as number | null) : null;
        const ci = o.key === 'effectiveDimension' ? e.effectiveDimensionCI : null;
        return { entity: label(e), order: i, role: e.role, value: v, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null };
      })
      .filter((d) => d.value !== null && Number.isFinite(d.value));
    const log = o.key === 'effectiveDimension' && values.length > 0 && values.every((d) => (d.value as number) > 0 && (d.lo === null || d.lo > 0));
    // Padding keeps points off the frame; 3 significant digits and no overlapping labels keep a
    // panel whose values are all equal readable ("1", not "1.000000" five times).
    const y = {
      field: 'value',
      type: 'quantitative',
      title: o.label,
      scale: log ? { type: 'log', padding: 8 } : { zero: false, padding: 8 },
      axis: { format: '.3~g', labelOverlap: true, tickCount: 5 },
    };
    const layers: VegaLiteSpec[] = [
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y,
          color: { field: 'role', type: 'nominal', title: null },
          tooltip: [{ field: 'entity' }, { field: 'value', format: '.3g', title: o.label }, { field: 'lo', format: '.3g' }, { field: 'hi', format: '.3g' }],
        },
      },
    ];
    // Only with intervals to draw: an empty layer gives Vega an infinite extent.
    if (values.some((d) => d.lo !== null && d.hi !== null)) {
      layers.push({
        transform: [{ filter: 'datum.lo != null && datum.hi != null' }],
        mark: { type: 'rule' },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'role', type: 'nominal' } },
      });
    }
    return { width: Math.max(160, 28 * entities.length), height: HEIGHT, data: { values }, layer: layers };
  }).filter((p) => (p.data.values as unknown[]).length > 0);
  return { $schema: SCHEMA, title, hconcat: panels, resolve: { scale: { color: 'shared' } } };
}

/** Readable panel titles for record keys ("effectiveDimension" -> "effective dimension"). */
const READABLE: Record<string, string> = {
  effectiveDimension: 'effective dimension',
  effectiveDimensionCorrected: 'effective dimension (corrected)',
  participationRatio: 'participation ratio',
  alpha: 'power-law alpha',
  switchingFraction: 'switching fraction',
  entropyAll: 'S_all (nats)',
  complexity: 'complexity (nats)',
  complexityGain: "complexity's held-out gain (fraction of variance)",
};
export function readableObservable(key: string): string {
  return READABLE[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Observables over training checkpoints, log-log, with each series' selected model (fits/2; dynamics/1 records: y = a t^b). */
export function dynamicsSpec(
  title: string,
  steps: number[],
  series: {
    layer: string;
    observable: string;
    values: (number | null)[];
    fit: { a: number | null; b: number | null; r2: number | null };
    fits?: Pick<TrendFit, 'model' | 'params'>[];
    selected?: TrendModel | null;
    range?: [number, number] | null;
  }[],
): VegaLiteSpec {
  const values = series.flatMap((s) =>
    steps
      .map((t, i) => ({ step: t, value: s.values[i], layer: s.layer, observable: readableObservable(s.observable) }))
      .filter((d) => d.value !== null && d.value > 0 && d.step > 0),
  );
  const fits = series.flatMap((s) => {
    const chosen = s.fits?.find((f) => f.model === s.selected);
    if (chosen && s.range) {
      const [t0, t1] = s.range;
      const power = s.fits!.find((f) => f.model === 'power');
      return Array.from({ length: 40 }, (_, k) => t0 * (t1 / t0) ** (k / 39))
        .map((t) => ({
          step: t,
          value: trendValue(chosen, t),
          layer: s.layer,
          observable: readableObservable(s.observable),
          model: chosen.model,
          b: power?.params.b ?? null,
          r2: null,
        }))
        .filter((d) => d.value > 0);
    }
    if (s.fit.a === null || s.fit.b === null) return [];
    const pos = steps.filter((t) => t > 0);
    if (pos.length < 2) return [];
    return [Math.min(...pos), Math.max(...pos)].map((t) => ({
      step: t,
      value: s.fit.a! * t ** s.fit.b!,
      layer: s.layer,
      observable: readableObservable(s.observable),
      model: 'power (dynamics/1)',
      b: s.fit.b,
      r2: s.fit.r2,
    }));
  });
  const x = { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'training step' };
  return {
    $schema: SCHEMA,
    title,
    // Wrapped three panels to a row: six observables side by side overflowed the page.
    facet: { field: 'observable', type: 'nominal', title: null, header: { labelFontSize: 12 } },
    columns: 3,
    data: { values: [...values.map((v) => ({ ...v, kind: 'value' })), ...fits.map((f) => ({ ...f, kind: 'fit' }))] },
    spec: {
      width: 220,
      height: 180,
      layer: [
        // Both layers see every row and hide the other kind by opacity: a filtered-out layer in a
        // panel without fits would give Vega an empty (infinite) extent.
        {
          mark: { type: 'point', filled: true, size: 30 },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null },
            color: { field: 'layer', type: 'nominal' },
            opacity: { condition: { test: "datum.kind == 'value'", value: 1 }, value: 0 },
          },
        },
        {
          mark: { type: 'line', strokeDash: [4, 2] },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'layer', type: 'nominal' },
            detail: { field: 'kind', type: 'nominal' },
            strokeOpacity: { condition: { test: "datum.kind == 'fit'", value: 1 }, value: 0 },
            tooltip: [{ field: 'layer' }, { field: 'model', title: 'selected model' }, { field: 'b', format: '.3f', title: 'power-law exponent b' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * Cross-session summary of one observable: areas on the x axis, one point per session (a click
 * opens its run), the mean +- sd over sessions as a tick and a rule per area.
 */
export function summarySpec(
  title: string,
  points: { area: string; session: string; value: number; runId: string }[],
  spread: { area: string; mean: number | null; sd: number | null }[],
): VegaLiteSpec {
  const x = { field: 'area', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 200 } };
  const bands = spread.filter((s) => s.mean !== null).map((s) => ({ area: s.area, mean: s.mean, lo: s.mean! - (s.sd ?? 0), hi: s.mean! + (s.sd ?? 0) }));
  const layers: VegaLiteSpec[] = [
    {
      data: { values: points.map((p) => ({ ...p, href: `/runs/${p.runId}` })) },
      mark: { type: 'point', filled: true, size: 60, opacity: 0.7, cursor: 'pointer' },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        href: { field: 'href' },
        tooltip: [{ field: 'session' }, { field: 'area' }, { field: 'value', format: '.4g' }],
      },
    },
  ];
  if (bands.length) {
    layers.push(
      { data: { values: bands }, mark: { type: 'rule', color: '#444' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      {
        data: { values: bands },
        mark: { type: 'tick', color: '#444', thickness: 2, size: 24 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative' },
          tooltip: [{ field: 'area' }, { field: 'mean', format: '.4g', title: 'mean over sessions' }],
        },
      },
    );
  }
  return { $schema: SCHEMA, title, width: Math.max(160, 60 * spread.length), height: HEIGHT, layer: layers };
}

/** One similarity as a rows x columns heatmap: value in the cell; interval, p, ceiling in the tooltip. */
export function similarityHeatmapSpec(table: SimilarityTable, rows: EntityRef[], cols: EntityRef[]): VegaLiteSpec {
  const angle = table.kind === 'angle';
  const values = rows
    .flatMap((r, i) =>
      cols.map((c, j) => {
        const cell = table.cells[i][j];
        return cell
          ? {
              row: r.name,
              col: c.name,
              value: cell.value,
              lo: cell.interval?.[0] ?? null,
              hi: cell.interval?.[1] ?? null,
              p: cell.null?.pValue ?? null,
              ceiling: cell.ceiling,
              normalised: cell.normalised,
              baseline: cell.baseline ?? null,
              inSample: cell.inSample ?? null,
            }
          : null;
      }),
    )
    .filter((d) => d !== null);
  const y = { field: 'row', type: 'nominal', sort: rows.map((r) => r.name), title: null };
  const x = { field: 'col', type: 'nominal', sort: cols.map((c) => c.name), title: null, axis: { labelAngle: -30, labelLimit: 200 } };
  const domain = angle ? [0, Math.PI / 2] : [0, 1];
  const tooltip = [
    { field: 'row' },
    { field: 'col' },
    { field: 'value', format: '.3f', title: angle ? 'angle (radians)' : 'score' },
    { field: 'lo', format: '.3f', title: '95% interval from' },
    { field: 'hi', format: '.3f', title: 'to' },
    { field: 'p', format: '.3f', title: 'p (permuted stimuli)' },
    { field: 'ceiling', format: '.3f', title: 'noise ceiling' },
    { field: 'normalised', format: '.3f', title: 'ceiling-normalised' },
    ...(table.metric === 'rsa-cosine' || table.metric === 'rsa-cv-cosine'
      ? [{ field: 'baseline', format: '.3f', title: 'no-relation baseline (null mean)' }]
      : []),
    ...(angle ? [{ field: 'inSample', format: '.3f', title: 'in-sample angle (fitted on all stimuli)' }] : []),
  ];
  return {
    $schema: SCHEMA,
    title: table.label,
    width: Math.max(120, 70 * cols.length),
    height: Math.max(80, 28 * rows.length),
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x,
          y,
          color: { field: 'value', type: 'quantitative', scale: { domain, clamp: true, scheme: 'viridis', reverse: angle }, title: angle ? 'angle' : 'score' },
          tooltip,
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x,
          y,
          text: { field: 'value', type: 'quantitative', format: '.2f' },
          color: { condition: { test: angle ? 'datum.value < 0.6' : 'datum.value > 0.6', value: 'black' }, value: 'white' },
        },
      },
    ],
  };
}

/**
 * Score against layer depth for every area (rows) and measure (columns): the score with its
 * interval, the best layer marked (tooltip: its bootstrap share), and the noise ceiling as a dashed
 * line with the band above it shaded (scores there exceed what the recording's noise allows).
 */
export function layerMappingSpec(mapping: AreaMapping[], tables: SimilarityTable[], cols: EntityRef[]): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const m of mapping) {
    const t = tables.find((x) => x.metric === m.metric)!;
    const j = cols.findIndex((c) => c.runId === m.runId && c.name === m.area);
    m.layers.forEach((layer, l) => {
      const cell = t.cells[l]?.[j];
      if (!cell) return;
      const iv = cell.interval && t.kind === 'angle' ? [Math.cos(cell.interval[1]), Math.cos(cell.interval[0])] : cell.interval;
      values.push({
        kind: 'score',
        area: m.area,
        metric: m.metric,
        layer,
        depth: l,
        score: cell.score,
        lo: iv?.[0] ?? null,
        hi: iv?.[1] ?? null,
        best: l === m.best,
        share: m.winShare ? m.winShare[l] : null,
      });
    });
    if (m.ceiling !== null) values.push({ kind: 'ceiling', area: m.area, metric: m.metric, ceiling: m.ceiling, top: Math.max(1, m.ceiling) });
  }
  const layers = mapping[0]?.layers ?? [];
  const x = { field: 'layer', type: 'ordinal', title: 'layer (depth order)', sort: layers };
  const score = (f: string) => ({ filter: `datum.kind === '${f}'` });
  const hasCeiling = values.some((v) => v.kind === 'ceiling');
  const hasInterval = values.some((v) => v.kind === 'score' && v.lo !== null);
  return {
    $schema: SCHEMA,
    title: 'Layer mapping: score against depth per area (cos of the angle for shape metrics)',
    data: { values },
    facet: {
      row: { field: 'area', type: 'nominal', title: null, sort: [...new Set(mapping.map((m) => m.area))] },
      column: { field: 'metric', type: 'nominal', title: null, sort: [...new Set(mapping.map((m) => m.metric))] },
    },
    spec: {
      // Every measure's panel side by side within the page (1400 px): about 50 px of axis and gap each.
      width: Math.max(60, Math.min(Math.max(120, 40 * layers.length), Math.floor(1250 / Math.max(1, new Set(mapping.map((m) => m.metric)).size)) - 50)),
      height: 130,
      layer: [
        ...(hasCeiling
          ? [
              {
                transform: [score('ceiling')],
                mark: { type: 'rect', opacity: 0.15, color: '#888' },
                encoding: { y: { field: 'ceiling', type: 'quantitative' }, y2: { field: 'top' } },
              },
              {
                transform: [score('ceiling')],
                mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
                encoding: { y: { field: 'ceiling', type: 'quantitative' }, tooltip: [{ field: 'ceiling', format: '.3f', title: 'noise ceiling' }] },
              },
            ]
          : []),
        ...(hasInterval
          ? [
              {
                transform: [score('score'), { filter: 'isValid(datum.lo)' }],
                mark: { type: 'rule', color: '#4c78a8' },
                encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
              },
            ]
          : []),
        {
          transform: [score('score')],
          mark: { type: 'line', color: '#4c78a8' },
          encoding: { x, y: { field: 'score', type: 'quantitative', title: 'score', scale: { zero: false } } },
        },
        {
          transform: [score('score')],
          mark: { type: 'point', filled: true },
          encoding: {
            x,
            y: { field: 'score', type: 'quantitative' },
            size: { condition: { test: 'datum.best', value: 160 }, value: 40 },
            color: { condition: { test: 'datum.best', value: '#e45756' }, value: '#4c78a8' },
            tooltip: [
              { field: 'layer' },
              { field: 'score', format: '.3f' },
              { field: 'lo', format: '.3f', title: '95% from' },
              { field: 'hi', format: '.3f', title: 'to' },
              { field: 'share', format: '.0%', title: 'bootstrap wins' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** A panel per series key, x = window centre (s), y = value with its 95 % interval as a band, one colour per area. */
function overTimeSpec(
  title: string,
  values: { panel: string; area: string; t: number; start: number; stop: number; value: number; lo: number | null; hi: number | null }[],
  panels: string[],
): VegaLiteSpec {
  const x = { field: 't', type: 'quantitative', title: 'time after alignment (s, window centre)' };
  const color = { field: 'area', type: 'nominal', title: null };
  const hasBand = values.some((v) => v.lo !== null && v.hi !== null);
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: 3,
    spec: {
      width: 240,
      height: 150,
      layer: [
        ...(hasBand
          ? [
              {
                transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
                mark: { type: 'area', opacity: 0.2 },
                encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
              },
            ]
          : []),
        {
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color,
            tooltip: [
              { field: 'area' },
              { field: 'start', title: 'from (s)' },
              { field: 'stop', title: 'to (s)' },
              { field: 'value', format: '.4g' },
              { field: 'lo', format: '.4g', title: '95% from' },
              { field: 'hi', format: '.4g', title: 'to' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** The observables of an analyze --sliding run against time: a panel per observable, a line per area. */
export function timeResolvedSpec(
  windows: { start: number; stop: number; groups: { name: string; values: Record<string, number | null>; intervals: Record<string, [number, number]> }[] }[],
  keys: readonly string[],
): VegaLiteSpec {
  const values = windows.flatMap((w) =>
    w.groups.flatMap((g) =>
      keys
        .filter((k) => typeof g.values[k] === 'number')
        .map((k) => ({
          panel: k === 'cvPcaEffectiveDimension' ? 'cvPCA effective dimension' : readableObservable(k),
          area: g.name,
          t: (w.start + w.stop) / 2,
          start: w.start,
          stop: w.stop,
          value: g.values[k]!,
          lo: g.intervals[k]?.[0] ?? null,
          hi: g.intervals[k]?.[1] ?? null,
        })),
    ),
  );
  const panels = [...new Set(values.map((v) => v.panel))];
  return overTimeSpec('Observables over time (sliding windows; bands: 95% intervals)', values, panels);
}

/** Every similarity against time for each area and its best layer: a panel per measure. */
export function similarityOverTimeSpec(courses: TimeCourse[]): VegaLiteSpec {
  const values = courses.flatMap((c) =>
    c.points
      .filter((p) => p.cell !== null)
      .map((p) => ({
        panel: c.metric,
        area: `${c.area} vs ${c.layer}`,
        t: (p.start + p.stop) / 2,
        start: p.start,
        stop: p.stop,
        value: p.cell!.value,
        lo: p.cell!.interval?.[0] ?? null,
        hi: p.cell!.interval?.[1] ?? null,
      })),
  );
  return overTimeSpec('Similarity over time: each area against its best layer (angles in radians for shape metrics)', values, [
    ...new Set(courses.map((c) => c.metric)),
  ]);
}

/** The parts of a several-run dynamics record (analysis/dynamicsRuns.ts) the chart draws. */
export interface DynamicsRunsView {
  steps: number[];
  series: { layer: string; observable: string; values: (number | null)[]; flags?: (string | null)[]; run?: string; group?: string }[];
  pooled: {
    group: string;
    layer: string;
    observable: string;
    mean: (number | null)[];
    intervals: ([number, number] | null)[];
    selected: TrendModel | null;
    curve: { step: number; value: number; interval: [number, number] | null }[];
  }[];
}

/**
 * Observables over training for several runs on log-log axes: each run a thin line, the across-run
 * 95 % band per group, and the selected model (mean of the runs' fits, dashed) with its band.
 * One panel per layer and observable; groups (datasets) side by side in colour.
 */
export function dynamicsRunsSpec(title: string, r: DynamicsRunsView, observables?: readonly string[]): VegaLiteSpec {
  const keep = (o: string) => !observables || observables.includes(o);
  const panel = (layer: string, observable: string) => `${layer}: ${readableObservable(observable)}`;
  const panels: string[] = [];
  const runs = r.series.filter((s) => keep(s.observable));
  for (const o of observables ?? [...new Set(runs.map((s) => s.observable))])
    for (const l of [...new Set(runs.map((s) => s.layer))]) if (runs.some((s) => s.layer === l && s.observable === o)) panels.push(panel(l, o));
  const values = [
    ...runs.flatMap((s) =>
      r.steps.flatMap((t, i) => {
        const v = s.values[i];
        return v !== null && v > 0 && !s.flags?.[i]
          ? [{ kind: 'run', panel: panel(s.layer, s.observable), group: s.group ?? 'all', run: s.run ?? '', step: t, value: v }]
          : [];
      }),
    ),
    ...r.pooled
      .filter((p) => keep(p.observable))
      .flatMap((p) => [
        ...r.steps.flatMap((t, i) => {
          const iv = p.intervals[i];
          return iv && iv[0] > 0 ? [{ kind: 'band', panel: panel(p.layer, p.observable), group: p.group, step: t, lo: iv[0], hi: iv[1] }] : [];
        }),
        ...p.curve
          .filter((c) => c.value > 0)
          .map((c) => ({ kind: 'fit', panel: panel(p.layer, p.observable), group: p.group, step: c.step, value: c.value, model: p.selected })),
      ]),
  ];
  const x = { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'training step' };
  const color = { field: 'group', type: 'nominal', title: 'group' };
  const y = (field: string) => ({ field, type: 'quantitative', scale: { type: 'log' }, title: null });
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12 } },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 230,
      height: 160,
      layer: [
        { transform: [{ filter: "datum.kind == 'band'" }], mark: { type: 'area', opacity: 0.25 }, encoding: { x, y: y('lo'), y2: { field: 'hi' }, color } },
        {
          transform: [{ filter: "datum.kind == 'run'" }],
          mark: { type: 'line', strokeWidth: 0.8, opacity: 0.7 },
          encoding: { x, y: y('value'), color, detail: { field: 'run' }, tooltip: [{ field: 'run' }, { field: 'step' }, { field: 'value', format: '.3g' }] },
        },
        {
          transform: [{ filter: "datum.kind == 'fit'" }],
          mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 2 },
          encoding: { x, y: y('value'), color, tooltip: [{ field: 'group' }, { field: 'model' }] },
        },
      ],
    },
  };
}
