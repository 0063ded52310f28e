/**
 * The similarity tables of a comparison: every metric between every row entity (network layers)
 * and every column entity (brain areas), with intervals, nulls and noise ceilings, the ceilings of
 * the recorded areas, and the layer-to-area mapping (docs/observables.md section 7).
 */

import { MIN_JACKKNIFE_UNITS } from '../core/inference/jackknife.js';
import { responseMatrix } from '../core/matrix.js';
import { mapLayers, type LayerMapping } from '../core/similarity/layerMapping.js';
import { measure, shapeAlphaOf, type Cell, type Evaluated, type Metric } from '../core/similarity/measures.js';
import { OVERFIT_SUPPRESS_RATIO, OVERFIT_WARN_RATIO, SUPPRESS_MAX_ALPHA } from '../core/similarity/shape.js';
import { Side, type CeilingMethod } from '../core/similarity/side.js';
import { foldAssignment } from '../core/inference/resampling.js';
import { Rng } from '../core/random.js';
import { warning, type Warning } from '../core/warnings.js';
import type { StoredRepresentation } from '../store/runStore.js';
import { HALF_SUFFIXES, ROW_STATS_SUFFIX } from './representation.js';
import { sameIds } from './stimulusMatching.js';

/** Groups accepted by --metric, and what each stands for. */
export const METRIC_GROUPS: Record<string, Metric[]> = {
  predictivity: ['predictivity', 'predictivity-reverse'],
  rsa: ['rsa-spearman', 'rsa-cosine', 'rsa-cv-spearman', 'rsa-cv-cosine'],
  procrustes: ['procrustes'],
  shape: ['shape-alpha0', 'shape-alpha0.5', 'procrustes'],
  cka: ['cka'],
};
export const DEFAULT_METRICS = ['predictivity', 'rsa', 'procrustes', 'cka'];

/** Plain-words labels for tables and pages. */
export function metricLabel(m: Metric): string {
  switch (m) {
    case 'predictivity':
      return 'linear predictivity (layer -> area neurons; median held-out r)';
    case 'predictivity-reverse':
      return 'linear predictivity, reverse (area -> layer units)';
    case 'rsa-spearman':
      return 'RSA: correlation-distance RDMs, Spearman';
    case 'rsa-cosine':
      return 'RSA: correlation-distance RDMs, whitened cosine';
    case 'rsa-cv-spearman':
      return 'RSA: cross-validated Euclidean RDMs, Spearman';
    case 'rsa-cv-cosine':
      return 'RSA: cross-validated Euclidean RDMs, whitened cosine';
    case 'procrustes':
      return 'angular Procrustes distance (radians; cross-validated)';
    case 'cka':
      return 'debiased linear CKA';
    default:
      return `shape metric, alpha ${shapeAlphaOf(m)} (radians; cross-validated)`;
  }
}

/** Expand --metric groups and names into the metrics to compute, in a stable order. */
export function expandMetrics(given: readonly string[]): Metric[] {
  const out: Metric[] = [];
  for (const g of given) {
    const list =
      (Object.hasOwn(METRIC_GROUPS, g) ? METRIC_GROUPS[g] : undefined) ??
      (shapeAlphaOf(g) !== null || (METRIC_GROUPS.predictivity.concat(METRIC_GROUPS.rsa, ['cka']) as string[]).includes(g) ? [g as Metric] : null);
    if (!list)
      throw new RangeError(
        `unknown metric '${g}' (use ${Object.keys(METRIC_GROUPS).join(', ')}, or one of ${[...METRIC_GROUPS.predictivity, ...METRIC_GROUPS.rsa].join(', ')}, shape-alphaA with 0 <= A <= 1)`,
      );
    for (const m of list) if (!out.includes(m)) out.push(m);
  }
  return out;
}

export interface EntityRef {
  runId: string;
  name: string;
  /** Its stored representation's name. */
  key: string;
}

/** An entity with its stored representation and the side the measures use (null when not stored). */
export type SidedEntity = EntityRef & { rep: StoredRepresentation | null; side: Side | null };

export interface SimilarityTable {
  metric: Metric;
  label: string;
  /** 'angle': value is a distance in radians (0 = same), score = cos(angle); else value = score. */
  kind: 'similarity' | 'angle';
  /** cells[i][j]: rows[i] against cols[j]; null where the metric is not defined for the pair. */
  cells: (Cell | null)[][];
}

export interface AreaCeiling {
  runId: string;
  name: string;
  stimuli: number;
  neurons: number;
  /** Median over neurons of the Spearman-Brown corrected split-half reliability. */
  medianReliability: number;
  /** The predictivity ceiling: median over neurons of sqrt(reliability). */
  predictivityCeiling: number;
  /** The ceiling of every other measure compared (docs/observables.md 7.5): with the halves' similarity it extrapolates from. */
  measures: { metric: string; ceiling: number; interval: [number, number] | null; halfSimilarity: number; quadraticShare: number }[];
}

export interface AreaMapping extends LayerMapping {
  runId: string;
  area: string;
  metric: Metric;
  /** Layer names in depth order (the rows). */
  layers: string[];
  /** The ceiling of the metric for this area (the band on the compare page), or null. */
  ceiling: number | null;
}

/** One measure between an area's windows and its best layer, against time. */
export interface TimeCourse {
  runId: string;
  area: string;
  /** The area's best layer in the main window, and by which measure it was chosen. */
  layer: string;
  chosenBy: Metric;
  metric: Metric;
  kind: 'similarity' | 'angle';
  points: { start: number; stop: number; cell: Cell | null }[];
}

export interface Similarities {
  /** compare/3: noise-extrapolated ceilings, baselines, refitted shape intervals (docs/observables.md 7). */
  definition: 'compare/3' | 'compare/2';
  /** How the ceilings of RSA, CKA and shape metrics were made. */
  ceilingMethod: CeilingMethod;
  metrics: Metric[];
  folds: number;
  intervals: number;
  nulls: number;
  /** Bootstrap resamples of the stimuli behind each area's best layer. */
  resamples: number;
  seed: number;
  rows: EntityRef[];
  cols: EntityRef[];
  tables: SimilarityTable[];
  ceilings: AreaCeiling[];
  /** Per column entity and metric: the rows (layers, in depth order) scored, with the best one. */
  mapping: AreaMapping[];
  /** Measures the data cannot support (e.g. `shape-overfit`). */
  warnings: Warning[];
  /** For time-resolved areas: every measure against time for the best layer. */
  timeCourse?: TimeCourse[];
  notes: string[];
}

export interface SimilarityOptions {
  metrics: Metric[];
  folds?: number;
  intervals?: number;
  nulls?: number;
  resamples?: number;
  seed?: number;
  /** Ceilings of RSA, CKA and shape metrics (default 'extrapolated', compare/3). */
  ceilings?: CeilingMethod;
  /** Score rows against every column to map layers onto areas (rows are layers in depth order). */
  mapLayers?: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** A side from a run's stored representations (the entity's own and its companions), or null. */
export function sideOf(list: StoredRepresentation[], key: string): Side | null {
  const main = list.find((r) => r.name === key);
  if (!main) return null;
  const comp = (suffix: string) => list.find((r) => r.name === key + suffix && r.n === main.n);
  const [h1, h2] = HALF_SUFFIXES.map(comp);
  const stats = comp(ROW_STATS_SUFFIX);
  const asMatrix = (r: StoredRepresentation) => responseMatrix(r.n, r.d, r.values);
  if (main.form === 'matrix') {
    return new Side({
      n: main.n,
      d: main.d,
      matrix: asMatrix(main),
      halves: h1 && h2 && h1.d === main.d && h2.d === main.d ? { a: asMatrix(h1), b: asMatrix(h2) } : null,
    });
  }
  const d = stats ? stats.values[3] : main.d;
  const rowStats = stats
    ? {
        rowSums: Float64Array.from({ length: main.n }, (_, i) => stats.values[i * 4]),
        dotMean: Float64Array.from({ length: main.n }, (_, i) => stats.values[i * 4 + 1]),
        meanSquare: stats.values[2],
      }
    : null;
  return new Side({ n: main.n, d, gram: main.values, rowStats });
}

export function sameStimulusIds(a: StoredRepresentation, b: StoredRepresentation): boolean {
  return sameIds(a.stimulusIds, b.stimulusIds);
}

/**
 * The sides too wide for a shape metric towards CCA (alpha < 1): with many dimensions per training
 * stimulus, whitening fits the training data and the held-out angle is pulled towards pi/2 whatever
 * the representations (`shape-overfit` from OVERFIT_WARN_RATIO; not reported for alpha <=
 * SUPPRESS_MAX_ALPHA from OVERFIT_SUPPRESS_RATIO).
 */
function overfitSides(metric: Metric, pair: SidedEntity[], n: number, folds: number): { wide: SidedEntity[]; suppress: boolean } {
  const alpha = shapeAlphaOf(metric);
  if (alpha === null || alpha >= 1) return { wide: [], suppress: false };
  const training = n - Math.ceil(n / folds);
  const ratio = (e: SidedEntity) => e.side!.factor().r / training;
  const wide = pair.filter((e) => ratio(e) >= OVERFIT_WARN_RATIO);
  return { wide, suppress: alpha <= SUPPRESS_MAX_ALPHA && wide.some((e) => ratio(e) >= OVERFIT_SUPPRESS_RATIO) };
}

/** Why `measure` gave no cell for a pair whose stimuli agree (the checks of measures.ts evaluate, in order). */
function unavailableReason(metric: Metric, a: Side, b: Side): string {
  if (metric === 'predictivity' || metric === 'predictivity-reverse') {
    const target = metric === 'predictivity' ? b : a;
    return target.matrix ? 'the score is undefined (no target neuron varies)' : "needs the target's neurons, and that side was kept only as its Gram matrix";
  }
  if (metric === 'rsa-spearman' || metric === 'rsa-cosine')
    return !a.correlationRdm() || !b.correlationRdm()
      ? 'a side was kept only as its Gram matrix without row statistics (stored by an older neurorep; rerun it)'
      : 'fewer than 4 stimuli whose pattern varies across neurons';
  if (metric === 'rsa-cv-spearman' || metric === 'rsa-cv-cosine')
    return !a.halves && !b.halves ? 'needs repeated trials (two halves) on one side' : 'the score is undefined';
  return 'the score is undefined (a side without variance)';
}

/** Every metric for every (row, column) pair whose representations share stimuli (other pairs: null). */
export function similarityTables(rows: SidedEntity[], cols: SidedEntity[], opts: SimilarityOptions): Similarities {
  const folds = opts.folds ?? 5,
    intervals = opts.intervals ?? 20,
    nulls = opts.nulls ?? 0,
    resamples = opts.resamples ?? 200,
    seed = opts.seed ?? 0,
    ceilingMethod = opts.ceilings ?? 'extrapolated';
  const notes: string[] = [];
  const evaluated = new Map<string, Evaluated>();
  const excluded = new Set<string>();
  const overfit = new Map<Metric, Set<string>>();
  const suppressed = new Set<Metric>();
  const reasons = new Map<Metric, Set<string>>();
  const foldsFor = new Map<number, Int32Array>();
  // Pairs that share stimuli but too few for the folds, and cells left without the interval asked for: said, never silent.
  const tooFew = new Map<string, number>();
  const noInterval = new Map<string, number>();
  const total = rows.length * cols.length * opts.metrics.length;
  let done = 0;
  const tables: SimilarityTable[] = opts.metrics.map((metric) => ({
    metric,
    label: metricLabel(metric),
    kind: shapeAlphaOf(metric) === null ? 'similarity' : 'angle',
    cells: rows.map((r, i) =>
      cols.map((c, j) => {
        opts.onProgress?.(`similarities (${metric})`, ++done, total);
        const because = (why: string) => {
          if (!reasons.has(metric)) reasons.set(metric, new Set());
          reasons.get(metric)!.add(why);
          return null;
        };
        if (!r.rep || !c.rep || !r.side || !c.side) return because('no representation was stored for a side (too large to keep)');
        if (!sameStimulusIds(r.rep, c.rep)) return because('the sides saw different stimuli (see the notes on matching by name)');
        const n = r.side.n;
        if (n < Math.max(4, 2 * folds)) {
          tooFew.set(`${r.name} x ${c.name}`, n);
          return because(`too few stimuli for ${folds}-fold cross-validation`);
        }
        if (!foldsFor.has(n)) foldsFor.set(n, foldAssignment(new Rng(seed), n, folds));
        const { wide, suppress } = overfitSides(metric, [r, c], n, folds);
        for (const e of wide) {
          if (!overfit.has(metric)) overfit.set(metric, new Set());
          overfit.get(metric)!.add(`${e.name} (${e.side!.factor().r} dimensions, ${n - Math.ceil(n / folds)} training stimuli)`);
        }
        if (suppress) {
          suppressed.add(metric);
          return because('too many dimensions per training stimulus (see the shape-overfit warning)');
        }
        const got = measure(metric, r.side, c.side, foldsFor.get(n)!, { folds, seed, intervals, nulls, ceilings: ceilingMethod });
        if (got) evaluated.set(`${metric}|${i}|${j}`, got.evaluated);
        if (got?.evaluated.excluded) excluded.add(`${metric} ${r.name} x ${c.name}: ${got.evaluated.excluded} of ${n} stimuli`);
        if (got && intervals > 0 && got.cell.interval === null) {
          const why =
            intervals < 2
              ? 'a jackknife needs at least 2 groups'
              : n < MIN_JACKKNIFE_UNITS
                ? `fewer than ${MIN_JACKKNIFE_UNITS} stimuli`
                : intervals > n
                  ? `more groups than the ${n} stimuli`
                  : 'the replicates were undefined';
          noInterval.set(why, (noInterval.get(why) ?? 0) + 1);
        }
        return got?.cell ?? because(unavailableReason(metric, r.side, c.side));
      }),
    ),
  }));
  const warnings: Warning[] = [];
  if (tooFew.size)
    warnings.push(
      warning(
        'too-few-stimuli',
        `${folds}-fold cross-validation needs at least ${Math.max(4, 2 * folds)} stimuli; no similarity for ${[...tooFew]
          .slice(0, 6)
          .map(([pair, n]) => `${pair} (${n} stimuli)`)
          .join(
            ', ',
          )}${tooFew.size > 6 ? `, ... (${tooFew.size} pairs)` : ''}: use fewer \`folds\` (at most ${Math.max(2, Math.floor(Math.min(...tooFew.values()) / 2))})`,
      ),
    );
  for (const [why, count] of noInterval)
    warnings.push(warning('intervals-unavailable', `no 95% interval for ${count} cell${count === 1 ? '' : 's'} with ${intervals} jackknife groups: ${why}`));
  for (const [metric, sides] of overfit) {
    warnings.push(
      warning(
        'shape-overfit',
        `${metric}: ${[...sides].join(', ')} ${sides.size === 1 ? 'has' : 'have'} at least ${OVERFIT_WARN_RATIO} dimensions per training stimulus; whitening then fits much of the training data and the held-out angle is pulled towards pi/2 whatever the representations${suppressed.has(metric) ? ` (not reported where a side reaches ${OVERFIT_SUPPRESS_RATIO})` : ' (reported, but read it with care)'}; use procrustes or a larger alpha, or more stimuli`,
      ),
    );
  }
  for (const t of tables) {
    if (t.cells.every((row) => row.every((c) => c === null))) {
      const why = [...(reasons.get(t.metric) ?? ['no pair to compare'])];
      notes.push(`${t.metric}: not defined for any pair (${why.join('; ')})`);
    }
  }
  if (excluded.size)
    notes.push(`left out of RSA (the same response in every neuron, e.g. every ReLU unit off: no correlation distance): ${[...excluded].join('; ')}`);
  const ceilings: AreaCeiling[] = [];
  for (const side of [...rows, ...cols]) {
    const rel = side.side?.reliability();
    if (rel && side.side)
      ceilings.push({
        runId: side.runId,
        name: side.name,
        stimuli: side.side.n,
        neurons: side.side.d,
        medianReliability: rel.medianReliability,
        predictivityCeiling: rel.predictivityCeiling,
        measures: side.side.measureCeilings().map((m) => ({
          metric: m.measure.replace(/\/\d+$/, ''),
          ceiling: m.ceiling,
          interval: m.interval,
          halfSimilarity: m.halfSimilarity,
          quadraticShare: m.quadraticShare,
        })),
      });
  }
  const mapping: AreaMapping[] = [];
  if (opts.mapLayers && rows.length >= 1) {
    cols.forEach((c, j) => {
      for (const t of tables) {
        const scores = t.cells.map((row) => (row[j] ? row[j]!.score : null));
        if (scores.every((s) => s === null)) continue;
        const onRows = rows.map((_, i) => evaluated.get(`${t.metric}|${i}|${j}`)?.onRows ?? null);
        const ceiling = t.cells.map((row) => row[j]?.ceiling ?? null).find((x) => x !== null) ?? null;
        const m = mapLayers(scores, onRows, c.side!.n, resamples, seed);
        mapping.push({ runId: c.runId, area: c.name, metric: t.metric, layers: rows.map((r) => r.name), ceiling, ...m });
      }
    });
  }
  const ref = (e: EntityRef): EntityRef => ({ runId: e.runId, name: e.name, key: e.key });
  return {
    definition: ceilingMethod === 'extrapolated' ? 'compare/3' : 'compare/2',
    ceilingMethod,
    metrics: opts.metrics,
    folds,
    intervals,
    nulls,
    resamples,
    seed,
    rows: rows.map(ref),
    cols: cols.map(ref),
    tables,
    ceilings,
    mapping,
    notes,
    warnings,
  };
}

/** Every measure between one layer and an area's representation in each time window. */
export function similarityOverTime(
  layer: SidedEntity,
  area: { runId: string; name: string },
  windows: { start: number; stop: number; entity: SidedEntity }[],
  chosenBy: Metric,
  opts: SimilarityOptions,
): TimeCourse[] {
  const folds = opts.folds ?? 5,
    intervals = opts.intervals ?? 20,
    nulls = opts.nulls ?? 0,
    seed = opts.seed ?? 0;
  return opts.metrics.map((metric) => ({
    runId: area.runId,
    area: area.name,
    layer: layer.name,
    chosenBy,
    metric,
    kind: shapeAlphaOf(metric) === null ? ('similarity' as const) : ('angle' as const),
    points: windows.map((w, k) => {
      opts.onProgress?.(`similarity over time (${area.name}, ${metric})`, k + 1, windows.length);
      const e = w.entity;
      if (!layer.rep || !e.rep || !layer.side || !e.side || !sameStimulusIds(layer.rep, e.rep) || layer.side.n < Math.max(4, 2 * folds))
        return { start: w.start, stop: w.stop, cell: null };
      const fold = foldAssignment(new Rng(seed), layer.side.n, folds);
      if (overfitSides(metric, [layer, e], layer.side.n, folds).suppress) return { start: w.start, stop: w.stop, cell: null };
      return {
        start: w.start,
        stop: w.stop,
        cell: measure(metric, layer.side, e.side, fold, { folds, seed, intervals, nulls, ceilings: opts.ceilings })?.cell ?? null,
      };
    }),
  }));
}
