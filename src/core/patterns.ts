/**
 * Activation-pattern entropy (OBSERVABLES.md section 3): binarise responses (on/off), then ask
 * how many distinct on/off patterns, i.e. linear regimes, the stimuli visit, at growing subset
 * sizes and for the whole population.
 *
 * Choices where OBSERVABLES.md is silent (also in the README):
 * - Thresholds compare strictly (on = value > theta). The calcium rule (mean + 1 sd) uses the
 *   population standard deviation (divide by n) of each neuron over the stimuli.
 * - "Up to 20 random subsets": when there are at most 20 distinct k-subsets of the d neurons,
 *   every one is used once; otherwise 20 subsets are drawn independently (seeded), each without
 *   repeated neurons.
 * - S_all is the plug-in entropy without the Miller-Madow term (it is a lower bound when
 *   saturated); the curve's S(k) carries the correction, as the definition says.
 * - Patterns are bit-packed into 32-bit words and counted by sorting, never as strings.
 */

import { InputError, selectRows, type ResponseMatrix } from './matrix.js';
import { bootstrapScalars, Rng, type BootstrapSummary } from './stats.js';

/** How to binarise: a number (same threshold for every neuron) or the calcium rule. */
export type Threshold = number | 'mean+sd';

/** Default threshold per source (OBSERVABLES.md section 3, step 1). */
export function defaultThreshold(source: 'network' | 'spikes' | 'calcium' | 'matrix'): Threshold {
  return source === 'calcium' ? 'mean+sd' : 0;
}

export interface PatternsOptions {
  threshold?: Threshold;
  /** Subsets per scale (default 20). */
  subsets?: number;
  seed?: number;
}

export interface PatternsPoint {
  k: number;
  /** S(k): plug-in entropy of k-neuron patterns with the Miller-Madow correction, mean over subsets (nats). */
  entropy: number;
  /** S(k) / k. */
  entropyPerNeuron: number;
  /** S_ind(k): sum of the subset's binary entropies, mean over subsets. */
  independentEntropy: number;
  /** I(k) = S_ind(k) - S(k). */
  multiInformation: number;
  /** Subsets averaged. */
  subsets: number;
}

export interface PatternsResult {
  n: number;
  d: number;
  /** The threshold used: a number, or 'mean+sd'. */
  threshold: Threshold;
  /** Share of neurons on for between 5 % and 95 % of stimuli. */
  switchingFraction: number;
  /** Firing probability q_i per neuron. */
  firingProbability: number[];
  curve: PatternsPoint[];
  /** Plug-in entropy of whole-population patterns (nats). */
  entropyAll: number;
  expEntropyAll: number;
  distinctPatterns: number;
  /** More distinct patterns than n / 2: S_all only bounds the truth from below. */
  saturated: boolean;
}

/** Bit-packed on/off patterns: `words` 32-bit words per row. */
export interface BinaryPatterns {
  n: number;
  d: number;
  words: number;
  bits: Uint32Array;
}

/** Binarise R > theta per neuron into bit-packed rows. */
export function binarise(m: ResponseMatrix, threshold: Threshold): BinaryPatterns {
  const { n, d, data } = m;
  const theta = new Float64Array(d);
  if (threshold === 'mean+sd') {
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (let i = 0; i < n; i++) mu += data[i * d + j];
      mu /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (data[i * d + j] - mu) ** 2;
      theta[j] = mu + Math.sqrt(v / n);
    }
  } else {
    if (!Number.isFinite(threshold)) throw new InputError(`threshold must be a finite number, got ${threshold}`);
    theta.fill(threshold);
  }
  const words = Math.ceil(d / 32);
  const bits = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    const oi = i * d, ob = i * words;
    for (let j = 0; j < d; j++) if (data[oi + j] > theta[j]) bits[ob + (j >>> 5)] |= 1 << (j & 31);
  }
  return { n, d, words, bits };
}

function bit(p: BinaryPatterns, i: number, j: number): number {
  return (p.bits[i * p.words + (j >>> 5)] >>> (j & 31)) & 1;
}

/** Counts of each distinct pattern of the chosen neurons (k <= 32), packed into one word per row. */
function subsetPatternCounts(p: BinaryPatterns, neurons: ArrayLike<number>): number[] {
  const codes = new Uint32Array(p.n);
  for (let i = 0; i < p.n; i++) {
    let c = 0;
    for (let b = 0; b < neurons.length; b++) c |= bit(p, i, neurons[b]) << b;
    codes[i] = c >>> 0;
  }
  return runLengths(codes.sort());
}

function runLengths(sorted: Uint32Array): number[] {
  const counts: number[] = [];
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] !== sorted[i - 1]) {
      counts.push(run);
      run = 0;
    }
    run++;
  }
  if (run > 0) counts.push(run);
  return counts;
}

/** Counts of each distinct whole-population pattern: rows sorted by their packed words. */
export function populationPatternCounts(p: BinaryPatterns): number[] {
  const { n, words, bits } = p;
  const order = Array.from({ length: n }, (_, i) => i);
  const cmp = (a: number, b: number): number => {
    const oa = a * words, ob = b * words;
    for (let w = 0; w < words; w++) {
      const x = bits[oa + w], y = bits[ob + w];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  order.sort(cmp);
  const counts: number[] = [];
  let run = 0;
  for (let r = 0; r < n; r++) {
    if (r > 0 && cmp(order[r], order[r - 1]) !== 0) {
      counts.push(run);
      run = 0;
    }
    run++;
  }
  if (run > 0) counts.push(run);
  return counts;
}

function plugInEntropy(counts: number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

function binaryEntropy(q: number): number {
  return q <= 0 || q >= 1 ? 0 : -q * Math.log(q) - (1 - q) * Math.log(1 - q);
}

/** log of the binomial coefficient C(d, k), to decide whether to enumerate subsets. */
function binomial(d: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (d - k + i)) / i;
    if (c > 1e9) return Infinity;
  }
  return Math.round(c);
}

function allSubsets(d: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push([...cur]);
      return;
    }
    for (let j = start; j <= d - (k - cur.length); j++) {
      cur.push(j);
      rec(j + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/** Subset scales: k = 1, 2, 4, ... with k <= d and 2^k <= n. */
export function patternScales(n: number, d: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k <= d && 2 ** k <= n; k *= 2) ks.push(k);
  return ks;
}

/** Activation-pattern entropy of a response matrix. */
export function patternEntropy(m: ResponseMatrix, opts: PatternsOptions = {}): PatternsResult {
  const { n, d } = m;
  if (n < 2) throw new InputError(`patterns need at least 2 stimuli, got ${n}`);
  const threshold = opts.threshold ?? 0;
  const p = binarise(m, threshold);
  const q = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) q[j] += bit(p, i, j);
  for (let j = 0; j < d; j++) q[j] /= n;
  const switching = q.filter((v) => v >= 0.05 && v <= 0.95).length / d;
  const rng = new Rng(opts.seed ?? 0);
  const maxSubsets = opts.subsets ?? 20;
  const curve: PatternsPoint[] = [];
  for (const k of patternScales(n, d)) {
    const subsets = binomial(d, k) <= maxSubsets ? allSubsets(d, k) : Array.from({ length: maxSubsets }, () => Array.from(rng.sample(d, k)));
    let s = 0, sInd = 0;
    for (const sub of subsets) {
      const counts = subsetPatternCounts(p, sub);
      s += plugInEntropy(counts, n) + (counts.length - 1) / (2 * n);
      for (const j of sub) sInd += binaryEntropy(q[j]);
    }
    s /= subsets.length;
    sInd /= subsets.length;
    curve.push({ k, entropy: s, entropyPerNeuron: s / k, independentEntropy: sInd, multiInformation: sInd - s, subsets: subsets.length });
  }
  const all = populationPatternCounts(p);
  const entropyAll = plugInEntropy(all, n);
  return {
    n,
    d,
    threshold,
    switchingFraction: switching,
    firingProbability: q,
    curve,
    entropyAll,
    expEntropyAll: Math.exp(entropyAll),
    distinctPatterns: all.length,
    saturated: all.length > n / 2,
  };
}

/** Bootstrap intervals of the switching fraction, S_all and the curve's per-scale S(k) and I(k). */
export function bootstrapPatterns(m: ResponseMatrix, resamples: number, seed: number, opts: PatternsOptions = {}, onProgress?: (done: number, total: number) => void): BootstrapSummary {
  return bootstrapScalars(
    m.n,
    resamples,
    seed,
    (rows) => {
      const r = patternEntropy(selectRows(m, rows), opts);
      const out: Record<string, number> = { switchingFraction: r.switchingFraction, entropyAll: r.entropyAll };
      for (const c of r.curve) {
        out[`entropy_k${c.k}`] = c.entropy;
        out[`multiInformation_k${c.k}`] = c.multiInformation;
      }
      return out;
    },
    () => false,
    onProgress,
  );
}
