/**
 * Stimulus-locked responses (pure): spike counts per unit in [t + a, t + b), or the mean of a
 * trace over the samples whose time falls in that window (no interpolation).
 */

/** First index i with sorted[i] >= x. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0,
    hi = sorted.length;
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
 * Non-finite samples (NaN, +-Infinity) are left out of a mean and counted; a row whose window
 * holds no finite sample of some channel gets NaN there (the caller drops and counts the row).
 */
export function traceMeansInWindows(
  times: ArrayLike<number>,
  data: Float64Array,
  channels: number,
  align: ArrayLike<number>,
  a: number,
  b: number,
): { means: Float64Array; nonFiniteSamples: number } {
  const out = new Float64Array(align.length * channels);
  const used = new Int32Array(channels);
  let nonFiniteSamples = 0;
  for (let r = 0; r < align.length; r++) {
    const i0 = lowerBound(times, align[r] + a);
    const i1 = lowerBound(times, align[r] + b);
    const o = r * channels;
    used.fill(0);
    for (let i = i0; i < i1; i++)
      for (let c = 0; c < channels; c++) {
        const v = data[i * channels + c];
        if (Number.isFinite(v)) {
          out[o + c] += v;
          used[c]++;
        } else nonFiniteSamples++;
      }
    for (let c = 0; c < channels; c++) out[o + c] = used[c] > 0 ? out[o + c] / used[c] : NaN;
  }
  return { means: out, nonFiniteSamples };
}
