/**
 * Side by side: brain areas and network layers from several runs on the same axes (effective
 * dimension, alpha, switching fraction, complexity), and, when runs saw the same stimuli (same ids,
 * same order: checked), every similarity between every layer and every area with intervals,
 * nulls, noise ceilings, the layer-to-area mapping and, for time-resolved runs, the similarities
 * over time (similarityTables.ts). Representations are found by a stable key (the area or layer
 * name, or 'matrix' for single-matrix runs), whatever path or --key a run used.
 */

import { complexityDetail, gainOf, type ComplexityLike } from './complexityText.js';
import { effectiveDimension } from '../core/dimension/effectiveDimension.js';
import { responseMatrix, selectColumns } from '../core/matrix.js';
import { replicateSeed, type NullSummary } from '../core/inference/permutation.js';
import type { Metric } from '../core/similarity/measures.js';
import type { CeilingMethod } from '../core/similarity/side.js';
import { Rng } from '../core/random.js';
import { warning, type Warning } from '../core/warnings.js';
import type { GroupRecord, RunRecord } from '../store/schema.js';
import type { StoredRepresentation } from '../store/runStore.js';
import { isCompanion, windowKey } from './representation.js';
import { matchStimuli, selectStimuli } from './stimulusMatching.js';
import {
  DEFAULT_METRICS,
  expandMetrics,
  sameStimulusIds,
  sideOf,
  similarityOverTime,
  similarityTables,
  type SidedEntity,
  type Similarities,
  type TimeCourse,
} from './similarityTables.js';

export interface ComparedEntity {
  runId: string;
  runKind: string;
  /** 'area' (analyze group), 'layer' (network layer) or 'matrix' (dimension/patterns run). */
  role: 'area' | 'layer' | 'matrix';
  name: string;
  /** Name of its stored representation. */
  key: string;
  /** Position in its run (layer depth or area order), from 0. */
  index: number;
  n: number | null;
  d: number | null;
  effectiveDimension: number | null;
  effectiveDimensionCI: [number, number] | null;
  effectiveDimensionCorrected: number | null;
  alpha: number | null;
  switchingFraction: number | null;
  /** Complexity of the map into this entity: stimulus -> area, or previous layer -> layer. */
  complexity: number | null;
  complexityFrom: string | null;
  /** Held-out gain of the pieces over one linear map (fraction of the target's variance). */
  complexityGain: number | null;
  /** What follows C wherever it is shown: seed range, gain, weak, lower bound (complexityText.ts). */
  complexityDetail: string | null;
  /** D_eff at the common number of neurons (with --match-neurons). */
  matchedEffectiveDimension: { neurons: number; mean: number | null; sd: number | null } | null;
}

export interface CkaMatrix {
  rows: { runId: string; name: string }[];
  cols: { runId: string; name: string }[];
  /** values[i][j]: CKA(rows[i], cols[j]); null where the stimuli differ or a side is missing. */
  values: (number | null)[][];
  /** Permutation nulls per cell (with --null). */
  nulls?: (NullSummary | null)[][];
  estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)';
  notes: string[];
}

export interface Comparison {
  runs: { id: string; kind: string; source: string }[];
  entities: ComparedEntity[];
  cka: CkaMatrix | null;
  /** Every similarity with intervals, nulls, ceilings, and the layer-to-area mapping (docs/observables.md 7). */
  similarity: Similarities | null;
  /** Neurons of the matched D_eff column (with --match-neurons). */
  matchNeurons: number | null;
  warnings: Warning[];
}

export interface CompareOptions {
  /** Permutations of one representation's stimulus order for each CKA (0 = none). */
  nulls?: number;
  /** D_eff at this many neurons for every entity ('smallest': the smallest entity). */
  matchNeurons?: number | 'smallest' | null;
  seed?: number;
  /** Similarities to compute (default: predictivity, RSA, Procrustes, CKA). */
  metrics?: Metric[];
  /** Cross-validation folds over stimuli (default 5). */
  folds?: number;
  /** Jackknife groups for the intervals (default 20; 0 = none). */
  intervals?: number;
  /** Ceilings of RSA, CKA and shape metrics: 'extrapolated' (compare/3, default) or 'split-half' (compare/2). */
  ceilings?: CeilingMethod;
  /** Bootstrap resamples for the best layer's identity (default 200; 0 = none). */
  resamples?: number;
  /** Permutations for the similarities over time (default: `nulls`). */
  timeCourseNulls?: number;
  onProgress?: (label: string, done: number, total: number) => void;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** What an entity is read from: a group or layer of a record (or a single-matrix run), as the schema types it. */
type EntitySource = Partial<Pick<GroupRecord, 'effectiveDimension' | 'effectiveDimensionCorrected' | 'alpha' | 'intervals' | 'matched'>> & {
  name: string;
  n?: number;
  d?: number;
  patterns?: { switchingFraction?: number } | undefined;
};

function entityOf(
  runId: string,
  runKind: string,
  role: ComparedEntity['role'],
  g: EntitySource,
  key: string,
  index: number,
  c: ComplexityLike | null,
  from: string | null,
): ComparedEntity {
  const complexity = c ? num(c.complexity) : null;
  const ci = g.intervals?.bounds.effectiveDimension;
  const m = g.matched?.observables.effectiveDimension;
  return {
    runId,
    runKind,
    role,
    name: g.name,
    key,
    index,
    n: num(g.n),
    d: num(g.d),
    effectiveDimension: num(g.effectiveDimension),
    effectiveDimensionCI: ci && ci.lo !== null && ci.hi !== null ? [ci.lo, ci.hi] : null,
    effectiveDimensionCorrected: num(g.effectiveDimensionCorrected),
    alpha: num(g.alpha),
    switchingFraction: num(g.patterns?.switchingFraction),
    complexity,
    complexityFrom: from,
    complexityGain: gainOf(c)?.absolute ?? null,
    complexityDetail: complexity === null ? null : complexityDetail(c) || null,
    matchedEffectiveDimension: g.matched && m ? { neurons: g.matched.neurons, mean: m.mean, sd: m.sd } : null,
  };
}

/** The key a single-matrix run stores its representation under. */
export const MATRIX_KEY = 'matrix';

/** The entities (areas, layers, matrices) of one run, in order. */
export function entitiesOf(r: RunRecord): ComparedEntity[] {
  switch (r.kind) {
    case 'analyze':
      return r.groups.map((g, i) => entityOf(r.id, r.kind, 'area', g, g.name, i, g.complexity ?? null, g.complexity ? 'stimulus' : null));
    case 'network': {
      const into = new Map(r.transitions.map((t) => [t.to, t]));
      return r.layers.map((l, i) => {
        const t = into.get(l.name);
        return entityOf(r.id, r.kind, 'layer', l, l.name, i, t ?? null, t ? t.from : null);
      });
    }
    case 'dimension':
      return [entityOf(r.id, r.kind, 'matrix', { ...r, name: sourceName(r) }, MATRIX_KEY, 0, null, null)];
    case 'patterns':
      return [entityOf(r.id, r.kind, 'matrix', { name: sourceName(r), n: r.n, d: r.d, patterns: r }, MATRIX_KEY, 0, null, null)];
    case 'complexity':
      return [entityOf(r.id, r.kind, 'matrix', { name: sourceName(r), n: r.n, d: r.q }, MATRIX_KEY, 0, r, 'X')];
    case 'dynamics':
      return [];
  }
}

function sourceName(r: RunRecord): string {
  const s = Array.isArray(r.source) ? r.source[r.source.length - 1] : r.source;
  const base = s.path.split(/[\\/]/).pop() ?? s.path;
  const key = (s as { key?: string }).key;
  return key ? `${base}[${key}]` : base;
}

/**
 * Rows and columns whose stimuli are the same names in another order (or a superset): every
 * representation of the entity (with its companions) is selected and reordered to the stimuli the
 * runs share, in the columns' order (stimulusMatching.ts). Returns notes saying what was matched,
 * or why a run could not be.
 */
function alignStimuliByName(rows: SidedEntity[], cols: SidedEntity[], reps: Map<string, StoredRepresentation[]>): string[] {
  const withRep = cols.filter((c) => c.rep);
  if (!withRep.length) return [];
  const target = withRep[0].rep!.stimulusIds;
  const colRun = withRep[0].runId.slice(0, 8);
  // Several stimulus lists among the columns: pairs are matched only where the ids agree.
  if (withRep.some((c) => !sameStimulusIds(c.rep!, withRep[0].rep!))) return [];
  const notes: string[] = [];
  const plans: { runId: string; map: Map<number, number> }[] = [];
  for (const runId of new Set(rows.filter((r) => r.rep).map((r) => r.runId))) {
    const first = rows.find((r) => r.runId === runId && r.rep)!.rep!;
    const m = matchStimuli(first.stimulusIds, target, `run ${runId.slice(0, 8)}`, `run ${colRun}`);
    if (m.kind === 'same') continue;
    if (m.kind === 'none') {
      notes.push(`stimuli not matched by name: ${m.reason}`);
      continue;
    }
    plans.push({ runId, map: new Map(Array.from(m.cols, (c, k) => [c, m.rows[k]])) });
  }
  if (!plans.length) return notes;
  // The columns keep the stimuli every matched run has (all of them when each run covers the recording).
  const keepCols = Int32Array.from(target.map((_, j) => j).filter((j) => plans.every((p) => p.map.has(j))));
  const reselect = (e: SidedEntity, keep: Int32Array) => {
    const list = (reps.get(e.runId) ?? []).filter((r) => r.name === e.rep!.name || r.name.startsWith(e.rep!.name + '~')).map((r) => selectStimuli(r, keep));
    e.rep = list.find((r) => r.name === e.rep!.name)!;
    e.side = sideOf(list, e.rep.name);
  };
  for (const p of plans) {
    const keep = Int32Array.from(keepCols, (j) => p.map.get(j)!);
    const own = rows.filter((r) => r.runId === p.runId && r.rep);
    const before = own[0].rep!.n;
    for (const r of own) if (r.rep!.n === before) reselect(r, keep);
    const leftOut = [
      before - keep.length ? `${before - keep.length} of run ${p.runId.slice(0, 8)}'s` : '',
      target.length - keep.length ? `${target.length - keep.length} of run ${colRun}'s` : '',
    ]
      .filter(Boolean)
      .join(', ');
    notes.push(
      `stimuli matched by name: run ${p.runId.slice(0, 8)}'s ${before} rows put in run ${colRun}'s stimulus order, ${keep.length} stimuli shared${leftOut ? ` (left out: ${leftOut})` : ''}`,
    );
  }
  if (keepCols.length < target.length) for (const c of withRep) reselect(c, keepCols);
  return notes;
}

/** The stored representation of an entity (runs stored before the stable key: the run's only one). */
function representationFor(reps: Map<string, StoredRepresentation[]>, e: ComparedEntity): StoredRepresentation | null {
  const list = reps.get(e.runId) ?? [];
  const own = list.filter((r) => !isCompanion(r.name));
  return list.find((r) => r.name === e.key) ?? (e.role === 'matrix' && own.length === 1 ? own[0] : null);
}

/** D_eff of a stored representation at `neurons` random neurons (mean and sd over 10 subsets); null for Gram-only ones. */
function matchedFromRepresentation(rep: StoredRepresentation, neurons: number, seed: number): { mean: number | null; sd: number | null } | null {
  if (rep.form !== 'matrix' || neurons > rep.d) return null;
  const m = responseMatrix(rep.n, rep.d, rep.values);
  const subsets = neurons === rep.d ? 1 : 10;
  const v: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const cols = neurons === rep.d ? Int32Array.from({ length: rep.d }, (_, j) => j) : new Rng(replicateSeed(seed, s)).sample(rep.d, neurons);
    try {
      v.push(effectiveDimension(selectColumns(m, cols), { correctionMaxRank: 0 }).effectiveDimension);
    } catch {
      /* a subset without variance has no D_eff */
    }
  }
  if (!v.length) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, sd: v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0 };
}

/**
 * For areas of time-resolved analyze runs: every measure over the windows for the area's best
 * layer (chosen in the main window by the first measure that has a mapping).
 */
function timeCourses(
  records: RunRecord[],
  reps: Map<string, StoredRepresentation[]>,
  rows: SidedEntity[],
  cols: SidedEntity[],
  sim: Similarities,
  opts: CompareOptions & { metrics: Metric[]; seed: number },
): TimeCourse[] {
  const out: TimeCourse[] = [];
  for (const c of cols) {
    const rec = records.find((r) => r.id === c.runId);
    const tr = rec && rec.kind === 'analyze' ? rec.timeResolved : null;
    if (!tr || !tr.windows?.length) continue;
    const m = sim.mapping.find((x) => x.runId === c.runId && x.area === c.name && x.best !== null);
    if (!m) continue;
    const list = reps.get(c.runId) ?? [];
    const windows = tr.windows.map((w) => {
      const key = windowKey(c.name, w.start);
      const rep = list.find((r) => r.name === key) ?? null;
      return { start: w.start, stop: w.stop, entity: { runId: c.runId, name: c.name, key, rep, side: rep ? sideOf(list, key) : null } };
    });
    out.push(
      ...similarityOverTime(rows[m.best!], c, windows, m.metric, {
        metrics: opts.metrics,
        folds: opts.folds,
        intervals: opts.intervals,
        // No ceilings per window: extrapolating each window's noise would multiply compare's cost,
        // and the time course shows scores (docs/observables.md 7.7).
        ceilings: 'none',
        nulls: opts.timeCourseNulls ?? opts.nulls,
        seed: opts.seed,
        onProgress: opts.onProgress,
      }),
    );
  }
  return out;
}

/**
 * Compare runs. Rows of the CKA matrix are network layers (or, without a network run, the first
 * run's entities); columns are brain areas (or the other runs' entities).
 */
export function compareRuns(records: RunRecord[], reps: Map<string, StoredRepresentation[]>, opts: CompareOptions = {}): Comparison {
  const seed = opts.seed ?? 0;
  const entities = records.flatMap(entitiesOf);
  const warnings: Warning[] = [];
  const networkIds = new Set(records.filter((r) => r.kind === 'network').map((r) => r.id));
  const analyzeIds = new Set(records.filter((r) => r.kind === 'analyze').map((r) => r.id));
  let rowEntities = entities.filter((e) => networkIds.has(e.runId));
  let colEntities = entities.filter((e) => analyzeIds.has(e.runId));
  if (rowEntities.length === 0 || colEntities.length === 0) {
    const first = records[0]?.id;
    rowEntities = entities.filter((e) => e.runId === first);
    colEntities = entities.filter((e) => e.runId !== first);
  }
  let matchNeurons: number | null = null;
  if (opts.matchNeurons !== undefined && opts.matchNeurons !== null) {
    const sizes = entities.map((e) => e.d).filter((d): d is number => d !== null);
    matchNeurons = opts.matchNeurons === 'smallest' ? Math.min(...sizes) : opts.matchNeurons;
    for (const e of entities) {
      const rep = representationFor(reps, e);
      const fromRecord = e.matchedEffectiveDimension?.neurons === matchNeurons ? e.matchedEffectiveDimension : null;
      const computed = fromRecord ? null : rep ? matchedFromRepresentation(rep, matchNeurons, seed) : null;
      e.matchedEffectiveDimension = fromRecord ?? (computed ? { neurons: matchNeurons, ...computed } : null);
    }
    const missing = entities.filter((e) => !e.matchedEffectiveDimension).map((e) => e.name);
    if (missing.length)
      warnings.push(
        warning(
          'unequal-group-sizes',
          `no D_eff at ${matchNeurons} neurons for ${missing.join(', ')} (fewer neurons, or only its Gram matrix was stored; rerun it with \`matchNeurons\` ${matchNeurons})`,
        ),
      );
  } else {
    const sized = entities.filter((e) => e.d !== null && e.effectiveDimension !== null);
    if (new Set(sized.map((e) => e.d)).size > 1) {
      warnings.push(
        warning(
          'unequal-group-sizes',
          `entities of different sizes (${[...new Set(sized.map((e) => e.d))].sort((a, b) => a! - b!).join(', ')} neurons) are compared side by side; D_eff grows with the number of neurons: use \`matchNeurons\` for a fair comparison`,
        ),
      );
    }
  }
  let cka: CkaMatrix | null = null;
  let similarity: Similarities | null = null;
  if (rowEntities.length > 0 && colEntities.length > 0) {
    const withSide = (e: ComparedEntity) => {
      const rep = representationFor(reps, e);
      return { runId: e.runId, name: e.name, key: e.key, rep, side: rep ? sideOf(reps.get(e.runId) ?? [], rep.name) : null };
    };
    const rows = rowEntities.map(withSide),
      cols = colEntities.map(withSide);
    const matching = alignStimuliByName(rows, cols, reps);
    const metrics = opts.metrics ?? expandMetrics(DEFAULT_METRICS);
    similarity = similarityTables(rows, cols, {
      metrics: metrics.includes('cka') ? metrics : [...metrics, 'cka'],
      folds: opts.folds,
      intervals: opts.intervals,
      ceilings: opts.ceilings,
      nulls: opts.nulls,
      resamples: opts.resamples,
      seed,
      mapLayers: rowEntities.every((e) => e.role === 'layer' && e.runId === rowEntities[0].runId),
      onProgress: opts.onProgress,
    });
    warnings.push(...similarity.warnings);
    similarity.timeCourse = timeCourses(records, reps, rows, cols, similarity, {
      ...opts,
      metrics: similarity.metrics.filter((m) => metrics.includes(m)),
      seed,
    });
    if (!similarity.timeCourse.length) delete similarity.timeCourse;
    const notes: string[] = [...matching];
    let missingRep = 0,
      differentStimuli = 0;
    for (const r of rows)
      for (const c of cols) {
        if (!r.rep || !c.rep) missingRep++;
        else if (!sameStimulusIds(r.rep, c.rep)) differentStimuli++;
      }
    const ckaTable = similarity.tables.find((t) => t.metric === 'cka')!;
    const values = ckaTable.cells.map((row) => row.map((c) => (c ? c.value : null)));
    if (values.every((row) => row.every((v) => v === null))) {
      if (missingRep > 0 && differentStimuli === 0) notes.push('no representation was stored for these runs (too large to keep), so CKA cannot be computed');
      else if (similarity.warnings.some((w) => w.code === 'too-few-stimuli'))
        notes.push(`the runs share too few stimuli for ${similarity.folds}-fold cross-validation, so no CKA (see the warning)`);
      else if (!matching.length)
        notes.push(
          'no pair of representations shares the same stimuli (compared by id, matched by name where the ids name stimuli); CKA is not defined across different stimuli',
        );
    } else if (differentStimuli > 0) notes.push(`${differentStimuli} pair(s) saw different stimuli (no ids matched by name): no similarity for them`);
    similarity.notes.unshift(...notes);
    if (!metrics.includes('cka')) {
      // CKA was computed only for the compare/1 field: keep it out of the tables and the mapping.
      similarity.tables = similarity.tables.filter((t) => t.metric !== 'cka');
      similarity.mapping = similarity.mapping.filter((m) => m.metric !== 'cka');
    }
    similarity.metrics = metrics;
    cka = {
      rows: rowEntities.map((e) => ({ runId: e.runId, name: e.name })),
      cols: colEntities.map((e) => ({ runId: e.runId, name: e.name })),
      values,
      ...(opts.nulls && opts.nulls > 0 ? { nulls: ckaTable.cells.map((row) => row.map((c) => c?.null ?? null)) } : {}),
      estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)',
      notes,
    };
  }
  return {
    runs: records.map((r) => ({ id: r.id, kind: r.kind, source: (Array.isArray(r.source) ? r.source : [r.source]).map((s) => s.path).join(', ') })),
    entities,
    cka,
    similarity,
    matchNeurons,
    warnings,
  };
}
