/** D_eff and PR of a spectrum, and what a finite-sample correction returns (spectrumCorrection.ts, spectrumLarge.ts). */

export interface CorrectedSpectrum {
  effectiveDimension: number;
  participationRatio: number;
  /** Estimated population eigenvalues (descending), in the units of the sample covariance. */
  population: Float64Array;
  /** How the expected sample spectrum was found: Wishart simulation, or the deterministic equivalent (corrected/2, large ranks). */
  method: 'simulation' | 'deterministic';
  /** True when the population was extended beyond the sample's rank by a power-law tail (more neurons than stimuli). */
  extrapolated: boolean;
}

export type CorrectionUnavailable = { reason: string };

/** D_eff = exp(entropy) and PR of positive values. */
export function spectralDimensions(values: ArrayLike<number>): { effectiveDimension: number; participationRatio: number } {
  let sum = 0,
    sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0) {
      sum += v;
      sumSq += v * v;
    }
  }
  let h = 0;
  for (let i = 0; i < values.length; i++) {
    const p = values[i] / sum;
    if (p > 0) h -= p * Math.log(p);
  }
  return { effectiveDimension: Math.exp(h), participationRatio: (sum * sum) / sumSq };
}
