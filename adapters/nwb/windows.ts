/**
 * Stimulus-locked responses (pure): spike counts per unit in [t + a, t + b), or the mean of a
 * trace over the samples whose time falls in that window (no interpolation).
 */

/** First index i with sorted[i] >= x. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Column u of the counts matrix (rows = alignment times, d columns) from one unit's sorted spikes. */
export function countUnitInWindows(s: Float64Array, align: ArrayLike<number>, a: number, b: number, out: Float64Array, d: number, u: number): void {
  for (let r = 0; r < align.length; r++) out[r * d + u] = lowerBound(s, align[r] + b) - lowerBound(s, align[r] + a);
}

/**
 * Mean trace per channel over the samples with time in [t + a, t + b). `times` must be sorted.
 * Rows whose window holds no sample get NaN (the caller drops and counts them).
 */
export function traceMeansInWindows(times: ArrayLike<number>, data: Float64Array, channels: number, align: ArrayLike<number>, a: number, b: number): Float64Array {
  const out = new Float64Array(align.length * channels);
  for (let r = 0; r < align.length; r++) {
    const i0 = lowerBound(times, align[r] + a);
    const i1 = lowerBound(times, align[r] + b);
    const o = r * channels;
    if (i1 <= i0) {
      for (let c = 0; c < channels; c++) out[o + c] = NaN;
      continue;
    }
    for (let i = i0; i < i1; i++) for (let c = 0; c < channels; c++) out[o + c] += data[i * channels + c];
    for (let c = 0; c < channels; c++) out[o + c] /= i1 - i0;
  }
  return out;
}
