/**
 * The finite-sample correction of D_eff and PR for large ranks and for more neurons than stimuli
 * (docs/observables.md 1.2, corrected/2), where simulating Wishart draws (spectrumCorrection.ts)
 * costs rank^3 per draw and the population beyond rank n - 1 is not seen at all.
 *
 * The expected sample spectrum of a population spectrum tau (d values) and N = n - 1 degrees of
 * freedom is taken from its deterministic equivalent (Marchenko & Pastur 1967; Silverstein & Bai
 * 1995): the Stieltjes transform m of the N x N companion matrix solves
 *   m = -1 / (z - (1/N) sum_i tau_i / (1 + tau_i m)),
 * solved on a log-spaced grid of z = x + i eta (eta = 1e-5 x: a wider smoothing puts Cauchy tails
 * of the bulk above the top eigenvalues), by Newton steps continued from the neighbouring grid point
 * (damped fixed-point steps first where that fails);
 * the expected sorted sample eigenvalues are the density's quantiles (as in Ledoit & Wolf's QuEST,
 * 2015, without its refinements). The population is
 *   lambda_i free for i <= K, and lambda_i = c (i / K)^-a for K < i <= d
 * (K = min(200, rank / 2), or the whole rank when d <= rank): the top is fitted as in spectrumCorrection.ts (lambda_i <- lambda_i l_i / E[l_i]),
 * the tail's level c and exponent a by matching the observed tail's sum and log-log slope. With
 * d <= rank every eigenvalue is free and the tail is empty. The assumption beyond rank n - 1 (a
 * power law continuing to d) is what makes the population identified there; it is stated with
 * every value this returns.
 */

import { wasmKernels } from '../wasm/kernels.js';
import { keptRank } from '../linalg/eigen.js';
import { spectralDimensions, type CorrectedSpectrum, type CorrectionUnavailable } from './spectralDimensions.js';

export interface LargeCorrectionOptions {
  /** Free top eigenvalues (default 200). */
  top?: number;
  /** Outer iterations (default 12). */
  iterations?: number;
  /** Grid points of the density (default 3000). */
  grid?: number;
  /**
   * A population already estimated from the full data (jackknife replicates): only the bias is
   * recomputed at this sample size (one evaluation of the transform instead of a dozen).
   */
  start?: Float64Array;
}

/** Population values compressed for the transform: individual values, then the tail in log-spaced bins. */
interface Weighted {
  values: Float64Array;
  weights: Float64Array;
}

function compress(lambda: Float64Array, keep: number, bins: number): Weighted {
  const d = lambda.length;
  if (d <= keep + bins) return { values: Float64Array.from(lambda), weights: new Float64Array(d).fill(1) };
  const values: number[] = Array.from(lambda.subarray(0, keep));
  const weights: number[] = new Array(keep).fill(1);
  // Bins of equal width in ln(i): the tail is a power law in i, so its values are log-spaced too.
  const l0 = Math.log(keep),
    l1 = Math.log(d);
  let start = keep;
  for (let b = 1; b <= bins && start < d; b++) {
    const end = b === bins ? d : Math.max(start + 1, Math.min(d, Math.round(Math.exp(l0 + ((l1 - l0) * b) / bins))));
    let s = 0;
    for (let i = start; i < end; i++) s += lambda[i];
    values.push(s / (end - start));
    weights.push(end - start);
    start = end;
  }
  return { values: Float64Array.from(values), weights: Float64Array.from(weights) };
}

/**
 * Expected sorted (descending) sample eigenvalues, `count` of them, of N degrees of freedom from a
 * population spectrum (deterministic equivalent; see the module comment).
 */
export function expectedSampleSpectrum(lambda: Float64Array, N: number, count: number, grid = 3000): Float64Array {
  const { values: tau, weights: w } = compress(lambda, 400, 400);
  let total = 0,
    max = 0,
    min = Infinity;
  for (let i = 0; i < tau.length; i++) {
    total += w[i] * tau[i];
    max = Math.max(max, tau[i]);
    if (tau[i] > 0) min = Math.min(min, tau[i]);
  }
  const lo = Math.min(min * 0.05, (total / N) * 1e-3);
  const hi = 2 * max + 4 * (total / N) + 2 * Math.sqrt(max * (total / N));
  const step = Math.log(hi / lo) / (grid - 1);
  const xs = new Float64Array(grid),
    dens = new Float64Array(grid);
  const k = tau.length;
  const sums = (r: number, i: number) => {
    // s = (1/N) sum w tau / (1 + tau m), s2 = (1/N) sum w tau^2 / (1 + tau m)^2
    let sr = 0,
      si = 0,
      s2r = 0,
      s2i = 0;
    for (let j = 0; j < k; j++) {
      const t = tau[j];
      const qr = 1 + t * r,
        qi = t * i;
      const qq = qr * qr + qi * qi;
      const ur = (t * qr) / qq,
        ui = (-t * qi) / qq;
      sr += w[j] * ur;
      si += w[j] * ui;
      s2r += w[j] * (ur * ur - ui * ui);
      s2i += w[j] * 2 * ur * ui;
    }
    return [sr / N, si / N, s2r / N, s2i / N];
  };
  /** Newton on F(m) = m (z - s(m)) + 1 from (mr, mi); the root, or null when it leaves the upper half plane or does not settle. */
  const newton = (zr: number, zi: number, mr: number, mi: number, steps: number): [number, number] | null => {
    for (let it = 0; it < steps; it++) {
      const [sr, si, s2r, s2i] = sums(mr, mi);
      const ar = zr - sr,
        ai = zi - si;
      const fr = mr * ar - mi * ai + 1,
        fi = mr * ai + mi * ar;
      const dr = ar + (mr * s2r - mi * s2i),
        di = ai + (mr * s2i + mi * s2r);
      const dd = dr * dr + di * di;
      if (!(dd > 0)) return null;
      const nr = mr - (fr * dr + fi * di) / dd,
        ni = mi - (fi * dr - fr * di) / dd;
      if (!Number.isFinite(nr) || !Number.isFinite(ni) || ni <= 0) return null;
      const moved = Math.abs(nr - mr) + Math.abs(ni - mi);
      mr = nr;
      mi = ni;
      if (moved < 1e-12 * (Math.abs(mr) + Math.abs(mi))) return [mr, mi];
    }
    return null;
  };
  const kernels = wasmKernels();
  if (kernels) {
    // The same grid loop in WebAssembly (native/spectrum.c): 2-3x faster, equal to rounding.
    for (let g = 0; g < grid; g++) xs[g] = lo * Math.exp(step * g);
    const [pt, pw, px, pd] = kernels.layout([k, k, grid, grid]);
    kernels.f64(pt, k).set(tau);
    kernels.f64(pw, k).set(w);
    kernels.f64(px, grid).set(xs);
    kernels.exports.sample_density(pt, pw, k, N, total, px, grid, pd);
    dens.set(kernels.f64(pd, grid));
  } else densityJs();
  function densityJs(): void {
    // From the top of the grid down: each point starts Newton from its neighbour's root
    // (continuation); where that fails, damped fixed-point steps from a point mass, then Newton.
    let prev: [number, number] | null = null;
    for (let g = grid - 1; g >= 0; g--) {
      const x = lo * Math.exp(step * g);
      xs[g] = x;
      const zr = x,
        zi = x * 1e-5;
      let root: [number, number] | null = prev ? newton(zr, zi, prev[0], prev[1], 8) : null;
      if (!root) {
        const ar0 = zr - total / N,
          q0 = ar0 * ar0 + zi * zi;
        let mr = -ar0 / q0,
          mi = zi / q0;
        for (let it = 0; it < 40; it++) {
          const [sr, si] = sums(mr, mi);
          const ar = zr - sr,
            ai = zi - si;
          const q = ar * ar + ai * ai;
          mr = 0.5 * mr + 0.5 * (-ar / q);
          mi = 0.5 * mi + 0.5 * (ai / q);
        }
        root = newton(zr, zi, mr, mi, 25) ?? [mr, mi];
      }
      prev = root;
      dens[g] = Math.max(0, root[1]) / Math.PI;
    }
  }
  // The CDF of the companion density; its mass is min(1, d/N) (the rest is the atom at 0).
  const cdf = new Float64Array(grid);
  for (let g = 1; g < grid; g++) cdf[g] = cdf[g - 1] + 0.5 * (dens[g] + dens[g - 1]) * (xs[g] - xs[g - 1]);
  const mass = cdf[grid - 1];
  const out = new Float64Array(count);
  let g = grid - 1;
  for (let j = 0; j < count; j++) {
    const level = mass - ((j + 0.5) / N) * (mass / Math.min(1, lambda.length / N));
    while (g > 0 && cdf[g - 1] > level) g--;
    if (g === 0) {
      out[j] = xs[0];
      continue;
    }
    const c0 = cdf[g - 1],
      c1 = cdf[g];
    const f = c1 > c0 ? (level - c0) / (c1 - c0) : 0.5;
    out[j] = xs[g - 1] + Math.max(0, Math.min(1, f)) * (xs[g] - xs[g - 1]);
  }
  return out;
}

/** Least-squares slope of ln v against ln(i + 1) over indices [from, to). */
function logSlope(v: ArrayLike<number>, from: number, to: number): number {
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0,
    n = 0;
  for (let i = from; i < to; i++) {
    if (!(v[i] > 0)) continue;
    const x = Math.log(i + 1),
      y = Math.log(v[i]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    n++;
  }
  return n > 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
}

/**
 * Corrected D_eff and PR of a sample spectrum (descending; `rank` positive values) of n stimuli
 * and d neurons, any rank and any d, with a power-law tail beyond the free top (see the module comment).
 */
export function correctedSpectrumLarge(
  sample: Float64Array,
  n: number,
  d: number,
  opts: LargeCorrectionOptions = {},
): CorrectedSpectrum | CorrectionUnavailable {
  const N = n - 1;
  const r = keptRank(sample);
  if (r < 4) return { reason: 'fewer than 4 positive eigenvalues' };
  const observed = sample.subarray(0, r);
  // A tail beyond the rank only where the stimuli limit the rank (r = n - 1 < d); a rank below
  // both n - 1 and d means the population has exact zeros there (e.g. units silent together).
  const extrapolated = r >= N && d > r;
  const width = extrapolated ? d : r;
  const result = (lambda: Float64Array, expected: Float64Array): CorrectedSpectrum => {
    const plug = spectralDimensions(observed);
    const pop = spectralDimensions(lambda);
    const sim = spectralDimensions(expected);
    const clamp = (v: number) => Math.min(width, Math.max(1, v));
    return {
      effectiveDimension: clamp(plug.effectiveDimension - (sim.effectiveDimension - pop.effectiveDimension)),
      participationRatio: clamp(plug.participationRatio - (sim.participationRatio - pop.participationRatio)),
      population: lambda,
      method: 'deterministic',
      extrapolated,
    };
  };
  if (opts.start) {
    // The full data's population at this replicate's width (cut, or padded with its last value).
    const start = new Float64Array(width);
    for (let i = 0; i < width; i++) start[i] = opts.start[Math.min(i, opts.start.length - 1)];
    return result(start, expectedSampleSpectrum(start, N, r, opts.grid));
  }
  const K = Math.min(opts.top ?? 200, width === r ? r : Math.floor(r / 2));
  const lambda = new Float64Array(width);
  for (let i = 0; i < K; i++) lambda[i] = observed[i];
  // The tail: i > K, from the observed tail's level and slope (the sample tail is flatter; the iteration steepens it).
  const tailFrom = K,
    tailTo = Math.max(K + 3, Math.floor(0.9 * r));
  let a = Math.max(0.05, -logSlope(observed, tailFrom, tailTo));
  let c = observed[Math.min(K, r - 1)];
  const fillTail = () => {
    for (let i = K; i < width; i++) lambda[i] = c * ((i + 1) / (K + 1)) ** -a;
  };
  if (width > K) fillTail();
  let observedTail = 0;
  for (let i = K; i < r; i++) observedTail += observed[i];
  const iterations = opts.iterations ?? 12;
  let expected = expectedSampleSpectrum(lambda, N, r, opts.grid);
  for (let t = 0; t < iterations; t++) {
    for (let i = 0; i < K; i++) if (expected[i] > 0) lambda[i] *= observed[i] / expected[i];
    if (width > K) {
      const slopeObserved = logSlope(observed, tailFrom, tailTo),
        slopeExpected = logSlope(expected, tailFrom, tailTo);
      if (slopeExpected < 0 && slopeObserved < 0) a = Math.min(6, Math.max(0.01, a * (slopeObserved / slopeExpected)));
      let expectedTail = 0;
      for (let i = K; i < r; i++) expectedTail += expected[i];
      if (expectedTail > 0) c *= observedTail / expectedTail;
      fillTail();
    }
    // Keep the order (the free top may cross the tail's start by a little).
    lambda.sort().reverse();
    expected = expectedSampleSpectrum(lambda, N, r, opts.grid);
  }
  return result(lambda, expected);
}
