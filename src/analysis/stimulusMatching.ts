/**
 * Matching the stimuli of two runs by name: a network's activations may name their stimuli by
 * strings or numbers in any order (and show more or fewer of them) than a recording's stimulus
 * values. Ids are compared as text ("3" and 3 are the same stimulus). The rows of the
 * representations (and of their companions: halves, row statistics; both axes of a Gram matrix)
 * are then selected and reordered to the stimuli both runs have, in the recording's order.
 */

import type { StoredRepresentation } from '../store/runStore.js';

export type StimulusMatch = { kind: 'same' } | { kind: 'matched'; rows: Int32Array; cols: Int32Array } | { kind: 'none'; reason: string };

const quote = (v: string | number) => `'${String(v).slice(0, 40)}'`;

/** The names given to more than one stimulus (ids that are class labels, not names). */
function repeatedNames(ids: readonly (string | number)[]): string[] {
  const seen = new Map<string, number>();
  for (const v of ids) seen.set(String(v), (seen.get(String(v)) ?? 0) + 1);
  return [...seen].filter(([, c]) => c > 1).map(([id]) => id);
}

/** The same stimuli in the same order (ids compared as text). */
export function sameIds(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((v, i) => String(v) === String(b[i]));
}

/**
 * How the stimuli `a` (a row side) correspond to `b` (a column side): the same list, a match by
 * name (indices into each, in b's order), or why there is none. `whatA`/`whatB` name the sides.
 */
export function matchStimuli(a: readonly (string | number)[], b: readonly (string | number)[], whatA: string, whatB: string): StimulusMatch {
  if (sameIds(a, b)) return { kind: 'same' };
  for (const [ids, what] of [
    [a, whatA],
    [b, whatB],
  ] as const) {
    const r = repeatedNames(ids);
    if (r.length)
      return {
        kind: 'none',
        reason: `${what} names ${r.length === 1 ? 'a stimulus' : `${r.length} stimuli`} more than once (e.g. ${quote(r[0])}): its ids look like labels (e.g. classes), not stimulus names; give each row its stimulus's name (\`stimulusIds FILE\` of network)`,
      };
  }
  const position = new Map(a.map((v, i) => [String(v), i]));
  const rows: number[] = [],
    cols: number[] = [];
  b.forEach((v, j) => {
    const i = position.get(String(v));
    if (i !== undefined) {
      rows.push(i);
      cols.push(j);
    }
  });
  if (!rows.length)
    return {
      kind: 'none',
      reason: `${whatA} and ${whatB} have no stimulus name in common (e.g. ${quote(a[0])} against ${quote(b[0])})`,
    };
  return { kind: 'matched', rows: Int32Array.from(rows), cols: Int32Array.from(cols) };
}

/** A stored representation restricted to the stimuli `keep`, in that order (a Gram matrix on both axes). */
export function selectStimuli(r: StoredRepresentation, keep: Int32Array): StoredRepresentation {
  const m = keep.length;
  const width = r.form === 'gram' ? r.n : r.d;
  const values = new Float64Array(m * (r.form === 'gram' ? m : r.d));
  for (let a = 0; a < m; a++) {
    const src = keep[a] * width;
    if (r.form === 'gram') for (let b = 0; b < m; b++) values[a * m + b] = r.values[src + keep[b]];
    else values.set(r.values.subarray(src, src + r.d), a * r.d);
  }
  return { ...r, n: m, d: r.form === 'gram' ? m : r.d, stimulusIds: Array.from(keep, (i) => r.stimulusIds[i]), values };
}
