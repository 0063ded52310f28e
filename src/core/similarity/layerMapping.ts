/**
 * Layer-to-area mapping: for one brain area, the score of every layer in depth order, the best
 * layer, and how sure that choice is: B bootstrap resamples of the stimuli (the scores recomputed
 * on each resample from out-of-fold predictions / RDMs / Gram matrices, without refitting), the
 * share of resamples each layer wins, and the smallest set of layers that wins at least 95 % of
 * them (the identity interval). docs/observables.md 7.6.
 */

import { bootstrapIndices } from '../inference/resampling.js';
import { Rng } from '../random.js';
import { replicateSeed } from '../inference/permutation.js';

export interface LayerMapping {
  /** Score per layer, in depth order (null where undefined). */
  scores: (number | null)[];
  /** Index of the best layer, or null. */
  best: number | null;
  /** Bootstrap share of wins per layer (null without a bootstrap). */
  winShare: number[] | null;
  /** Layers (indices) that together win >= 95 % of the resamples, most frequent first. */
  bestSet: number[] | null;
  resamples: number;
}

/**
 * `onRows[l]` recomputes layer l's score on resampled stimuli (absent: no bootstrap for it, and
 * then none for the mapping).
 */
export function mapLayers(
  scores: (number | null)[],
  onRows: (((rows: Int32Array) => number) | null)[],
  n: number,
  resamples: number,
  seed: number,
): LayerMapping {
  let best: number | null = null;
  scores.forEach((s, l) => {
    if (s !== null && Number.isFinite(s) && (best === null || s > scores[best]!)) best = l;
  });
  const usable = resamples > 0 && best !== null && scores.every((s, l) => s === null || onRows[l] !== null);
  if (!usable) return { scores, best, winShare: null, bestSet: null, resamples: 0 };
  const wins = new Array<number>(scores.length).fill(0);
  let counted = 0;
  for (let b = 0; b < resamples; b++) {
    const rows = bootstrapIndices(new Rng(replicateSeed(seed, 10_000 + b)), n);
    let arg = -1,
      top = -Infinity;
    scores.forEach((s, l) => {
      if (s === null) return;
      const v = onRows[l]!(rows);
      if (Number.isFinite(v) && v > top) {
        top = v;
        arg = l;
      }
    });
    if (arg >= 0) {
      wins[arg]++;
      counted++;
    }
  }
  const winShare = wins.map((w) => (counted ? w / counted : 0));
  const order = winShare.map((s, l) => [s, l] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const bestSet: number[] = [];
  let cum = 0;
  for (const [s, l] of order) {
    if (cum >= 0.95 - 1e-12) break;
    bestSet.push(l);
    cum += s;
  }
  return { scores, best, winShare, bestSet, resamples: counted };
}
