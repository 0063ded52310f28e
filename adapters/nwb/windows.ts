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
  return meansOfSampleRanges(data, channels, align.length, (r) => [lowerBound(times, align[r] + a), lowerBound(times, align[r] + b)]);
}

/**
 * Row r's mean of each channel over samples [range(r)[0], range(r)[1]); non-finite samples left out
 * and counted; NaN where a channel has no finite sample.
 */
function meansOfSampleRanges(
  data: Float64Array,
  channels: number,
  rows: number,
  range: (r: number) => [number, number],
): { means: Float64Array; nonFiniteSamples: number } {
  const out = new Float64Array(rows * channels);
  const used = new Int32Array(channels);
  let nonFiniteSamples = 0;
  for (let r = 0; r < rows; r++) {
    const [i0, i1] = range(r);
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

/**
 * Samples per bin when the sample times are evenly spaced (to 1e-6 of a period) and `width` is a
 * whole number of periods; else null. Such bins are cut by sample index: comparing times made as
 * t0 + i * width with times made as i / rate, rounded differently, would leave some bins empty and
 * give others two frames.
 */
export function samplesPerBin(times: ArrayLike<number>, width: number): number | null {
  if (times.length < 2) return null;
  const dt = (times[times.length - 1] - times[0]) / (times.length - 1);
  if (!(dt > 0)) return null;
  for (let i = 1; i < times.length; i++) if (Math.abs(times[i] - times[i - 1] - dt) > 1e-6 * dt) return null;
  const k = width / dt;
  const whole = Math.round(k);
  return whole >= 1 && Math.abs(k - whole) < 1e-6 * Math.max(1, k) ? whole : null;
}

/** Mean of each channel over consecutive runs of `perBin` samples (bin r = samples r * perBin ...), non-finite samples left out. */
export function traceMeansInBins(data: Float64Array, channels: number, perBin: number, count: number): { means: Float64Array; nonFiniteSamples: number } {
  return meansOfSampleRanges(data, channels, count, (r) => [r * perBin, (r + 1) * perBin]);
}
