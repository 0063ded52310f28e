/** Representations kept in the store for later comparisons (CKA needs only Gram matrices). */

import { linearGram } from '../core/cka.js';
import type { ResponseMatrix } from '../core/matrix.js';
import type { StoredRepresentation } from '../store/runStore.js';

/** Values beyond which a representation is not kept (32 MB of float64). */
export const MAX_STORED_VALUES = 4_000_000;

/** The matrix itself, or its n x n Gram matrix when that is smaller; null when both are too large. */
export function representationOf(name: string, m: ResponseMatrix, stimulusIds: readonly (string | number)[] | null): StoredRepresentation | null {
  const ids = stimulusIds ? [...stimulusIds] : Array.from({ length: m.n }, (_, i) => i);
  if (m.n * m.d <= m.n * m.n) {
    if (m.n * m.d > MAX_STORED_VALUES) return null;
    return { name, stimulusIds: ids, n: m.n, d: m.d, form: 'matrix', values: Float64Array.from(m.data) };
  }
  if (m.n * m.n > MAX_STORED_VALUES) return null;
  return { name, stimulusIds: ids, n: m.n, d: m.n, form: 'gram', values: linearGram(m) };
}
