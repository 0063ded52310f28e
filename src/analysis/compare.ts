/**
 * Side by side: brain areas and network layers from several runs on the same axes (effective
 * dimension, alpha, switching fraction, complexity), and the debiased linear CKA between every
 * layer and every area when the runs saw the same stimuli (same ids, same order: checked).
 */

import { ckaFromGrams, linearGram } from '../core/cka.js';
import { responseMatrix } from '../core/matrix.js';
import type { RunRecord } from '../store/schema.js';
import type { StoredRepresentation } from '../store/runStore.js';

export interface ComparedEntity {
  runId: string;
  runKind: string;
  /** 'area' (analyze group), 'layer' (network layer) or 'matrix' (dimension/patterns run). */
  role: 'area' | 'layer' | 'matrix';
  name: string;
  /** Position in its run (layer depth or area order), from 0. */
  index: number;
  n: number | null;
  d: number | null;
  effectiveDimension: number | null;
  effectiveDimensionCI: [number, number] | null;
  alpha: number | null;
  switchingFraction: number | null;
  /** Complexity of the map into this entity: stimulus -> area, or previous layer -> layer. */
  complexity: number | null;
  complexityFrom: string | null;
}

export interface CkaMatrix {
  rows: { runId: string; name: string }[];
  cols: { runId: string; name: string }[];
  /** values[i][j]: CKA(rows[i], cols[j]); null where the stimuli differ or a side is missing. */
  values: (number | null)[][];
  estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)';
  notes: string[];
}

export interface Comparison {
  runs: { id: string; kind: string; source: string }[];
  entities: ComparedEntity[];
  cka: CkaMatrix | null;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** What an entity is read from: a group or layer of a record (loosely typed: records come from the store). */
interface EntitySource {
  name: string;
  n?: unknown;
  d?: unknown;
  effectiveDimension?: unknown;
  alpha?: unknown;
  patterns?: { switchingFraction?: unknown } | undefined;
  bootstrap?: { intervals: Record<string, { lo: number | null; hi: number | null }> } | undefined;
}

function entityOf(runId: string, runKind: string, role: ComparedEntity['role'], g: EntitySource, index: number, complexity: number | null, from: string | null): ComparedEntity {
  const ci = g.bootstrap?.intervals.effectiveDimension;
  return {
    runId,
    runKind,
    role,
    name: g.name,
    index,
    n: num(g.n),
    d: num(g.d),
    effectiveDimension: num(g.effectiveDimension),
    effectiveDimensionCI: ci && ci.lo !== null && ci.hi !== null ? [ci.lo, ci.hi] : null,
    alpha: num(g.alpha),
    switchingFraction: num(g.patterns?.switchingFraction),
    complexity,
    complexityFrom: from,
  };
}

/** The entities (areas, layers, matrices) of one run, in order. */
export function entitiesOf(r: RunRecord): ComparedEntity[] {
  switch (r.kind) {
    case 'analyze':
      return r.groups.map((g, i) => entityOf(r.id, r.kind, 'area', g as EntitySource, i, num(g.complexity?.complexity), g.complexity ? 'stimulus' : null));
    case 'network': {
      const into = new Map(r.transitions.map((t) => [t.to, t]));
      return r.layers.map((l, i) => {
        const t = into.get(l.name);
        return entityOf(r.id, r.kind, 'layer', l as EntitySource, i, t ? num(t.complexity) : null, t ? t.from : null);
      });
    }
    case 'dimension':
      return [entityOf(r.id, r.kind, 'matrix', { ...r, name: sourceName(r) } as EntitySource, 0, null, null)];
    case 'patterns':
      return [entityOf(r.id, r.kind, 'matrix', { name: sourceName(r), n: r.n, d: r.d, patterns: r }, 0, null, null)];
    case 'complexity':
      return [entityOf(r.id, r.kind, 'matrix', { name: sourceName(r), n: r.n, d: r.q }, 0, num(r.complexity), 'X')];
    case 'dynamics':
      return [];
  }
}

function sourceName(r: RunRecord): string {
  const s = Array.isArray(r.source) ? r.source[r.source.length - 1] : r.source;
  return s.path.split(/[\\/]/).pop() ?? s.path;
}

function gramOf(rep: StoredRepresentation): Float64Array {
  return rep.form === 'gram' ? rep.values : linearGram(responseMatrix(rep.n, rep.d, rep.values));
}

function sameStimuli(a: StoredRepresentation, b: StoredRepresentation): boolean {
  if (a.n !== b.n) return false;
  for (let i = 0; i < a.n; i++) if (String(a.stimulusIds[i]) !== String(b.stimulusIds[i])) return false;
  return true;
}

/**
 * Compare runs. Rows of the CKA matrix are network layers (or, without a network run, the first
 * run's entities); columns are brain areas (or the other runs' entities).
 */
export function compareRuns(records: RunRecord[], reps: Map<string, StoredRepresentation[]>): Comparison {
  const entities = records.flatMap(entitiesOf);
  const repOf = (runId: string, name: string) => reps.get(runId)?.find((r) => r.name === name) ?? null;
  const networkIds = new Set(records.filter((r) => r.kind === 'network').map((r) => r.id));
  const analyzeIds = new Set(records.filter((r) => r.kind === 'analyze').map((r) => r.id));
  let rowEntities = entities.filter((e) => networkIds.has(e.runId));
  let colEntities = entities.filter((e) => analyzeIds.has(e.runId));
  if (rowEntities.length === 0 || colEntities.length === 0) {
    const first = records[0]?.id;
    rowEntities = entities.filter((e) => e.runId === first);
    colEntities = entities.filter((e) => e.runId !== first);
  }
  let cka: CkaMatrix | null = null;
  if (rowEntities.length > 0 && colEntities.length > 0) {
    const notes: string[] = [];
    const grams = new Map<string, Float64Array>();
    const gram = (rep: StoredRepresentation, key: string) => {
      if (!grams.has(key)) grams.set(key, gramOf(rep));
      return grams.get(key)!;
    };
    const values = rowEntities.map((re) =>
      colEntities.map((ce) => {
        const a = repOf(re.runId, re.name), b = repOf(ce.runId, ce.name);
        if (!a || !b) return null;
        if (!sameStimuli(a, b)) return null;
        if (a.n < 4) return null;
        const v = ckaFromGrams(gram(a, `${re.runId}/${re.name}`), gram(b, `${ce.runId}/${ce.name}`), a.n);
        return Number.isFinite(v) ? v : null;
      }),
    );
    if (values.every((row) => row.every((v) => v === null))) {
      notes.push('no pair of representations shares the same stimuli (same ids in the same order), or none was stored; CKA is not defined across different stimuli');
    }
    cka = {
      rows: rowEntities.map((e) => ({ runId: e.runId, name: e.name })),
      cols: colEntities.map((e) => ({ runId: e.runId, name: e.name })),
      values,
      estimator: 'debiased linear CKA (unbiased HSIC, Song et al. 2012)',
      notes,
    };
  }
  return {
    runs: records.map((r) => ({ id: r.id, kind: r.kind, source: (Array.isArray(r.source) ? r.source : [r.source]).map((s) => s.path).join(', ') })),
    entities,
    cka,
  };
}
