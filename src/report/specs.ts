/**
 * Vega-Lite specs for every chart the viewer and reports show. Specs are plain data built from
 * run records: spectrum (log-log with the alpha fit over its range), complexity curve (r_K and
 * H_K against K), pattern-entropy curve, depth/area profile with bootstrap error bars, training
 * dynamics (log-log with power-law fits), and the layer x area CKA heatmap.
 *
 * Names from data files (areas, layers) are data values, never markup: Vega draws them as text.
 */

import { fitLine } from '../core/stats.js';
import type { ComparedEntity, CkaMatrix } from '../analysis/compare.js';

export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 320;
const HEIGHT = 220;

/** The header every single-view chart shares. */
function view(title: string, values: unknown[]): VegaLiteSpec {
  return { $schema: SCHEMA, title, width: WIDTH, height: HEIGHT, data: { values } };
}

/** Eigenvalue spectrum on log-log axes with the power-law fit over the ranks it used. */
export function spectrumSpec(title: string, spectrum: number[], alphaRange: [number, number] | null, ranks?: number[]): VegaLiteSpec {
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
  let fit: { rank: number; fit: number }[] = [];
  if (alphaRange) {
    const inRange = points.filter((d) => d.rank >= alphaRange[0] && d.rank <= alphaRange[1]);
    const f = fitLine(inRange.map((d) => Math.log(d.rank)), inRange.map((d) => Math.log(d.variance)));
    if (Number.isFinite(f.slope)) {
      fit = [alphaRange[0], alphaRange[1]].map((r) => ({ rank: r, fit: Math.exp(f.intercept + f.slope * Math.log(r)) }));
      layers.push({
        data: { values: fit },
        mark: { type: 'line', color: '#d62728', strokeWidth: 2 },
        encoding: { x: { field: 'rank', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' } },
      });
      title = `${title} (alpha = ${(-f.slope).toFixed(2)} over ranks ${alphaRange[0]}-${alphaRange[1]})`;
    }
  }
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
        encoding: { x, y: { field: 'r', type: 'quantitative', title: 'r_K (held-out unexplained)', axis: { titleColor: '#1f77b4' } }, tooltip: [{ field: 'K' }, { field: 'r', format: '.3f' }] },
      },
      {
        mark: { type: 'line', point: true, color: '#ff7f0e', strokeDash: [4, 3] },
        encoding: { x, y: { field: 'H', type: 'quantitative', title: 'H_K (nats)', axis: { titleColor: '#ff7f0e' } }, tooltip: [{ field: 'K' }, { field: 'H', format: '.3f' }] },
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

/** Pattern entropy S(k), independent entropy S_ind(k) and multi-information I(k) against subset size k; with nulls, I(k)'s null mean +- 2 sd as a band. */
export function patternsSpec(title: string, curve: { k: number; entropy: number; independentEntropy: number; multiInformation: number; null?: { mean: number | null; sd: number | null } }[]): VegaLiteSpec {
  const values = curve.flatMap((c) => [
    { k: c.k, value: c.entropy, series: 'S(k)' },
    { k: c.k, value: c.independentEntropy, series: 'S_ind(k)' },
    { k: c.k, value: c.multiInformation, series: 'I(k)' },
  ]);
  const x = { field: 'k', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'neurons in subset k', axis: { values: curve.map((c) => c.k), format: 'd' } };
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
    layer: [{ data: { values: band }, mark: { type: 'area', color: '#bbbbbb', opacity: 0.4 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } }, lines],
  };
}

/** D_eff against the number of neurons (random subsets, mean +- sd), one line per group. */
export function neuronCurveSpec(title: string, groups: { name: string; curve: { neurons: number; mean: number; sd: number }[] }[]): VegaLiteSpec {
  const values = groups.flatMap((g) => g.curve.filter((c) => Number.isFinite(c.mean)).map((c) => ({ group: g.name, neurons: c.neurons, mean: c.mean, lo: c.mean - (Number.isFinite(c.sd) ? c.sd : 0), hi: c.mean + (Number.isFinite(c.sd) ? c.sd : 0) })));
  const x = { field: 'neurons', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'neurons (random subsets)' };
  return {
    ...view(title, values),
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'effective dimension' }, color: { field: 'group', type: 'nominal', title: null }, tooltip: [{ field: 'group' }, { field: 'neurons' }, { field: 'mean', format: '.3g' }] } },
      { mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'group', type: 'nominal' } } },
    ],
  };
}

const OBSERVABLES: { key: keyof ComparedEntity; label: string }[] = [
  { key: 'effectiveDimension', label: 'effective dimension' },
  { key: 'alpha', label: 'power-law alpha' },
  { key: 'switchingFraction', label: 'switching fraction' },
  { key: 'complexity', label: 'complexity (nats)' },
];

/** Depth / area profile: each observable per area or layer on shared axes, bootstrap error bars on D_eff. */
export function profileSpec(title: string, entities: ComparedEntity[]): VegaLiteSpec {
  const label = (e: ComparedEntity) => `${e.role === 'layer' ? 'layer' : e.role === 'area' ? 'area' : 'matrix'}: ${e.name}`;
  const order = entities.map(label);
  const values = entities.flatMap((e, i) =>
    OBSERVABLES.map((o) => {
      const v = e[o.key] as number | null;
      const ci = o.key === 'effectiveDimension' ? e.effectiveDimensionCI : null;
      return { entity: label(e), order: i, role: e.role, observable: o.label, value: v, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null };
    }).filter((d) => d.value !== null),
  );
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: 'observable', type: 'nominal', title: null, sort: OBSERVABLES.map((o) => o.label) } },
    spec: {
      width: Math.max(160, 28 * entities.length),
      height: HEIGHT,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'entity', type: 'nominal', sort: order, title: null, axis: { labelAngle: -40, labelLimit: 160 } },
            y: { field: 'value', type: 'quantitative', title: null },
            color: { field: 'role', type: 'nominal', title: null },
            tooltip: [{ field: 'entity' }, { field: 'observable' }, { field: 'value', format: '.3g' }, { field: 'lo', format: '.3g' }, { field: 'hi', format: '.3g' }],
          },
        },
        {
          transform: [{ filter: 'datum.lo != null' }],
          mark: { type: 'rule' },
          encoding: {
            x: { field: 'entity', type: 'nominal', sort: order },
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color: { field: 'role', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Observables over training checkpoints, log-log, with the fitted y = a t^b for each series. */
export function dynamicsSpec(title: string, steps: number[], series: { layer: string; observable: string; values: (number | null)[]; fit: { a: number | null; b: number | null; r2: number | null } }[]): VegaLiteSpec {
  const values = series.flatMap((s) =>
    steps.map((t, i) => ({ step: t, value: s.values[i], layer: s.layer, observable: s.observable })).filter((d) => d.value !== null && d.value > 0 && d.step > 0),
  );
  const fits = series.flatMap((s) => {
    if (s.fit.a === null || s.fit.b === null) return [];
    const pos = steps.filter((t) => t > 0);
    if (pos.length < 2) return [];
    return [Math.min(...pos), Math.max(...pos)].map((t) => ({ step: t, fit: s.fit.a! * t ** s.fit.b!, layer: s.layer, observable: s.observable, b: s.fit.b, r2: s.fit.r2 }));
  });
  const x = { field: 'step', type: 'quantitative', scale: { type: 'log' }, title: 'training step' };
  return {
    $schema: SCHEMA,
    title,
    facet: { column: { field: 'observable', type: 'nominal', title: null } },
    data: { values: [...values.map((v) => ({ ...v, kind: 'value' })), ...fits.map((f) => ({ ...f, kind: 'fit' }))] },
    spec: {
      width: 240,
      height: 200,
      layer: [
        {
          transform: [{ filter: "datum.kind == 'value'" }],
          mark: { type: 'point', filled: true, size: 30 },
          encoding: { x, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null }, color: { field: 'layer', type: 'nominal' } },
        },
        {
          transform: [{ filter: "datum.kind == 'fit'" }],
          mark: { type: 'line', strokeDash: [4, 2] },
          encoding: {
            x,
            y: { field: 'fit', type: 'quantitative' },
            color: { field: 'layer', type: 'nominal' },
            tooltip: [{ field: 'layer' }, { field: 'b', format: '.3f', title: 'exponent b' }, { field: 'r2', format: '.3f', title: 'R^2' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Layer x area CKA heatmap, values printed in the cells. */
export function ckaHeatmapSpec(title: string, cka: CkaMatrix): VegaLiteSpec {
  const values = cka.rows.flatMap((r, i) => cka.cols.map((c, j) => ({ row: r.name, col: c.name, cka: cka.values[i][j], p: cka.nulls?.[i][j]?.pValue ?? null }))).filter((d) => d.cka !== null);
  const y = { field: 'row', type: 'nominal', sort: cka.rows.map((r) => r.name), title: null };
  const x = { field: 'col', type: 'nominal', sort: cka.cols.map((c) => c.name), title: null, axis: { labelAngle: -30, labelLimit: 200 } };
  return {
    $schema: SCHEMA,
    title,
    width: Math.max(120, 70 * cka.cols.length),
    height: Math.max(80, 28 * cka.rows.length),
    data: { values },
    layer: [
      { mark: 'rect', encoding: { x, y, color: { field: 'cka', type: 'quantitative', scale: { domain: [0, 1], scheme: 'viridis' }, title: 'CKA' }, tooltip: [{ field: 'row' }, { field: 'col' }, { field: 'cka', format: '.3f' }, ...(cka.nulls ? [{ field: 'p', format: '.3f', title: 'p (permuted stimuli)' }] : [])] } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'cka', type: 'quantitative', format: '.2f' }, color: { condition: { test: 'datum.cka > 0.6', value: 'black' }, value: 'white' } } },
    ],
  };
}
