/**
 * The population spectrum behind a sample covariance spectrum, and the effective dimension and
 * participation ratio corrected for finite-sample bias (docs/observables.md, section 1.2).
 *
 * Sample eigenvalues are more spread out than the population's (Marchenko & Pastur 1967): the
 * plug-in D_eff of an isotropic 200-neuron population measured on 400 stimuli is 155, not 200.
 * The correction calibrates by simulation, an iterated parametric bootstrap (Efron & Tibshirani
 * 1993, ch. 10; in the spirit of El Karoui 2008 and Ledoit & Wolf 2015, who invert the same map
 * analytically):
 * 1. find population eigenvalues Lambda whose simulated sample spectra (Gaussian data, n - 1
 *    degrees of freedom) have, on average, the observed sorted sample eigenvalues: a fixed-point
 *    iteration Lambda_i <- Lambda_i * l_i / E[l_i | Lambda], started from a flat spectrum (the
 *    map is flat there, so starting from the observed, over-spread spectrum converges slowly);
 * 2. correct the plug-in by the bias the simulations show at Lambda:
 *    D_corrected = D(l) - (mean D(simulated) - D(Lambda)), and the same for PR.
 * Simulated sample spectra come from Bartlett's decomposition of the Wishart matrix
 * (W = L L^T, L lower triangular with chi-distributed diagonal), so a simulation costs O(d^3)
 * whatever n is. Draws are fixed across iterations (common random numbers), which makes the
 * estimate a smooth, seeded function of the data.
 *
 * Assumptions, measured by `npm run coverage`: rows are independent with a covariance; the
 * simulation is Gaussian, which fixes the bias of the bulk (universal) but not heavy tails.
 * Needs more stimuli than dimensions (n - 1 >= rank): with fewer, the population spectrum beyond
 * rank n - 1 is not identified and the corrected values are null.
 */

import { chisquare } from '../special.js';
import { keptRank, symmetricEigen } from '../linalg/eigen.js';
import { Rng } from '../random.js';
import { correctedSpectrumLarge } from './spectrumLarge.js';
import { spectralDimensions, type CorrectedSpectrum, type CorrectionUnavailable } from './spectralDimensions.js';

export { spectralDimensions, type CorrectedSpectrum, type CorrectionUnavailable };

export interface CorrectionOptions {
  /** Simulated Wishart draws per iteration (default 4). */
  draws?: number;
  /** Fixed-point iterations (default 8; 3 when warm-started). */
  iterations?: number;
  seed?: number;
  /** Start of the iteration (e.g. the full-data estimate, for jackknife replicates); default flat. */
  start?: Float64Array;
  /** Largest rank calibrated by simulation (cost grows as rank^3 per simulation); default 600. Above it, and with more neurons than stimuli, the deterministic equivalent (spectrumLarge.ts) is used; 0 = no correction at all. */
  maxRank?: number;
}

/** Lower-triangular Bartlett factors (row-major r x r) of K Wishart(dof, I_r) draws. */
function bartlettDraws(r: number, dof: number, count: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const chi2 = chisquare.factory({ prng: () => rng.next() });
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const l = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < i; j++) l[i * r + j] = rng.normal();
      l[i * r + i] = Math.sqrt(chi2(dof - i));
    }
    out.push(l);
  }
  return out;
}

/**
 * Sorted eigenvalues of L^T diag(lambda) L / dof: the sample covariance spectrum of dof + 1 Gaussian
 * rows with population eigenvalues lambda (eig(AB) = eig(BA) with A = diag(sqrt lambda) L).
 */
function simulatedSpectrum(l: Float64Array, lambda: Float64Array, r: number, dof: number): Float64Array {
  const m = new Float64Array(r * r);
  // M_ij = sum_{k >= max(i, j)} lambda_k L_ki L_kj: a weighted rank-one update per row k of L.
  for (let k = 0; k < r; k++) {
    const w = lambda[k] / dof;
    const row = k * r;
    for (let i = 0; i <= k; i++) {
      const a = w * l[row + i];
      if (a === 0) continue;
      const oi = i * r;
      for (let j = i; j <= k; j++) m[oi + j] += a * l[row + j];
    }
  }
  for (let i = 0; i < r; i++) for (let j = 0; j < i; j++) m[i * r + j] = m[j * r + i];
  return symmetricEigen(m, r).values;
}

/**
 * Corrected D_eff and PR from a sample covariance spectrum (eigenvalues of Xc^T Xc / (n - 1),
 * descending, zeros allowed) of n stimuli and d neurons. Returns the reason instead when it cannot be computed.
 */
export function correctedSpectrum(sample: Float64Array, n: number, d: number, opts: CorrectionOptions = {}): CorrectedSpectrum | CorrectionUnavailable {
  const r = keptRank(sample);
  const dof = n - 1;
  if (r < 2) return { reason: 'fewer than 2 positive eigenvalues' };
  const maxRank = opts.maxRank ?? 600;
  if (maxRank <= 0) return { reason: 'not computed (no calibration asked for)' };
  // The rank is limited by the stimuli, not by the neurons: the population may have more
  // dimensions than the sample can show, so it is extended by a power-law tail (spectrumLarge.ts);
  // large ranks take the same route, whose cost does not grow as rank^3.
  if ((r >= dof && d > dof) || r > maxRank) return correctedSpectrumLarge(sample, n, d, { start: opts.start });
  const observed = sample.subarray(0, r);
  const draws = bartlettDraws(r, dof, opts.draws ?? 4, opts.seed ?? 0);
  let lambda: Float64Array;
  if (opts.start && opts.start.length === r) lambda = Float64Array.from(opts.start);
  else {
    let mean = 0;
    for (let i = 0; i < r; i++) mean += observed[i];
    lambda = new Float64Array(r).fill(mean / r);
  }
  const expected = (lam: Float64Array): { mean: Float64Array; sims: Float64Array[] } => {
    const sims = draws.map((l) => simulatedSpectrum(l, lam, r, dof));
    const mean = new Float64Array(r);
    for (const s of sims) for (let i = 0; i < r; i++) mean[i] += s[i] / sims.length;
    return { mean, sims };
  };
  const iterations = opts.iterations ?? (opts.start ? 3 : 8);
  for (let t = 0; t < iterations; t++) {
    const { mean } = expected(lambda);
    for (let i = 0; i < r; i++) if (mean[i] > 0) lambda[i] *= observed[i] / mean[i];
    lambda.sort().reverse();
  }
  const { sims } = expected(lambda);
  const plug = spectralDimensions(observed);
  const pop = spectralDimensions(lambda);
  let simD = 0,
    simPR = 0;
  for (const s of sims) {
    const o = spectralDimensions(s);
    simD += o.effectiveDimension / sims.length;
    simPR += o.participationRatio / sims.length;
  }
  const clamp = (v: number) => Math.min(r, Math.max(1, v));
  return {
    effectiveDimension: clamp(plug.effectiveDimension - (simD - pop.effectiveDimension)),
    participationRatio: clamp(plug.participationRatio - (simPR - pop.participationRatio)),
    population: lambda,
    method: 'simulation',
    extrapolated: false,
  };
}

export function isCorrected(c: CorrectedSpectrum | CorrectionUnavailable): c is CorrectedSpectrum {
  return (c as CorrectedSpectrum).population !== undefined;
}
