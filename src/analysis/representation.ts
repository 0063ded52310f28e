/**
 * Representations kept in the store for later comparisons. Next to a representation `name` the
 * store may keep companions (never listed as entities): `name~half1` and `name~half2`, the trial
 * averages of two independent halves of the repeats (noise ceilings, cross-validated RDMs), and
 * `name~rowstats` for a representation kept only as its Gram matrix (correlation RDMs need each
 * stimulus's raw row sum; see core/similarity/side.ts).
 */

import { linearGram } from '../core/similarity/cka.js';
import { averageRowGroups, groupRowsByStimulus, responseMatrix, type ResponseMatrix } from '../core/matrix.js';
import { rowStatsOf } from '../core/similarity/side.js';
import type { StoredRepresentation } from '../store/runStore.js';

/** Values beyond which a representation is not kept (32 MB of float64). */
export const MAX_STORED_VALUES = 4_000_000;

/** Companion suffixes (see the module comment). */
export const HALF_SUFFIXES = ['~half1', '~half2'] as const;
export const ROW_STATS_SUFFIX = '~rowstats';

/** Is this the name of a companion (or a time window) rather than an entity's own representation? */
export function isCompanion(name: string): boolean {
  return name.includes('~');
}

/**
 * The matrix itself, or its n x n Gram matrix when that is smaller (with its row statistics);
 * null when both are too large. `preferMatrix` keeps the matrix whenever it fits (a brain area:
 * predictivity needs its neurons).
 */
export function representationOf(
  name: string,
  m: ResponseMatrix,
  stimulusIds: readonly (string | number)[] | null,
  opts: { preferMatrix?: boolean } = {},
): StoredRepresentation[] {
  const ids = stimulusIds ? [...stimulusIds] : Array.from({ length: m.n }, (_, i) => i);
  if (m.n * m.d <= m.n * m.n || (opts.preferMatrix && m.n * m.d <= MAX_STORED_VALUES)) {
    if (m.n * m.d > MAX_STORED_VALUES) return [];
    return [{ name, stimulusIds: ids, n: m.n, d: m.d, form: 'matrix', values: Float64Array.from(m.data) }];
  }
  if (m.n * m.n > MAX_STORED_VALUES) return [];
  const s = rowStatsOf(m);
  const stats = new Float64Array(m.n * 4);
  for (let i = 0; i < m.n; i++) stats.set([s.rowSums[i], s.dotMean[i], s.meanSquare, m.d], i * 4);
  return [
    { name, stimulusIds: ids, n: m.n, d: m.n, form: 'gram', values: linearGram(m) },
    { name: name + ROW_STATS_SUFFIX, stimulusIds: ids, n: m.n, d: 4, form: 'matrix', values: stats },
  ];
}

/**
 * The trial-averaged representation of a recorded area and, when every stimulus was repeated at
 * least twice, the averages of two halves of its repeats (alternate repeats in trial order).
 */
export function areaRepresentations(name: string, trials: ResponseMatrix, stimulusIds: readonly (string | number)[]): StoredRepresentation[] {
  const groups = groupRowsByStimulus(stimulusIds);
  const main = averageRowGroups(trials, groups.rows, groups.ids);
  const out = representationOf(name, main, groups.ids, { preferMatrix: true });
  if (out.length && out[0].form === 'matrix' && groups.rows.every((r) => r.length >= 2) && 2 * main.n * main.d <= MAX_STORED_VALUES) {
    HALF_SUFFIXES.forEach((suffix, h) => {
      const half = averageRowGroups(
        trials,
        groups.rows.map((r) => r.filter((_, k) => k % 2 === h)),
      );
      out.push({ name: name + suffix, stimulusIds: [...groups.ids], n: half.n, d: half.d, form: 'matrix', values: half.data });
    });
  }
  return out;
}

/** The matrix of a stored matrix-form representation. */
export function storedMatrix(r: StoredRepresentation): ResponseMatrix {
  return responseMatrix(r.n, r.d, r.values);
}

/** The name under which a time window's representation of an area is stored (analyze --sliding). */
export function windowKey(area: string, start: number): string {
  return `${area}~t=${start}`;
}
