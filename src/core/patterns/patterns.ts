/**
 * Activation-pattern entropy (docs/observables.md section 3): binarise responses (on/off), then
 * ask how many distinct on/off patterns, i.e. linear regimes, the stimuli visit, at growing subset
 * sizes and for the whole population.
 *
 * Definition 2 (patterns/2): the Miller-Madow correction is applied to the independent entropy
 * S_ind(k) as well as to S(k), so that I(1) = 0 exactly and I(k) is unbiased to first order for
 * independent units; subset scales stop at 2^k <= n / 10, and where more than one pattern of
 * independent units with the observed firing probabilities is expected never to occur.
 *
 * Choices where the definitions are silent:
 * - Thresholds compare strictly (on = value > theta). The calcium rule (mean + 1 sd) uses the
 *   population standard deviation (divide by n) of each neuron over the stimuli.
 * - "Up to 20 random subsets": when there are at most 20 distinct k-subsets of the d neurons,
 *   every one is used once; otherwise 20 subsets are drawn independently (seeded), each without
 *   repeated neurons.
 * - S_all is the plug-in entropy without the Miller-Madow term (it is a lower bound when
 *   saturated); the curve's S(k) carries the correction, as the definition says.
 * - Patterns are bit-packed into 32-bit words and counted by sorting, never as strings.
 */

import { InputError, selectRows, type ResponseMatrix } from '../matrix.js';
import { Rng } from '../random.js';
import { jackknifeGroups, jackknifeIntervals, keptUnits, unavailableIntervals, withoutReplicates, type IntervalSummary } from '../inference/jackknife.js';
import { nullSummary, replicateSeed, type NullSummary } from '../inference/permutation.js';
import { warning, type Warning } from '../warnings.js';

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
  /** Interval groups G (0 = no intervals). */
  intervals?: number;
  /** Permutations for the multi-information null (0 = none). */
  nulls?: number;
  onProgress?: (label: string, done: number, total: number) => void;
  /** What a row is, for messages (default 'stimuli'; 'trials' or 'bins' for recordings). */
  rowNoun?: string;
}

export interface PatternsPoint {
  k: number;
  /** S(k): plug-in entropy of k-neuron patterns with the Miller-Madow correction, mean over subsets (nats). */
  entropy: number;
  /** S(k) / k. */
  entropyPerNeuron: number;
  /** S_ind(k): sum of the subset's Miller-Madow corrected binary entropies, mean over subsets. */
  independentEntropy: number;
  /** I(k) = S_ind(k) - S(k). */
  multiInformation: number;
  /** Subsets averaged. */
  subsets: number;
  /** I(k) against each neuron's column shuffled independently (with --null). */
  null?: NullSummary;
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
  /** Grouped-jackknife intervals (the key keeps its definition-1 name). */
  /** 95 % intervals (grouped jackknife over stimuli), with --intervals. */
  intervals?: IntervalSummary;
  warnings: Warning[];
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
    const oi = i * d,
      ob = i * words;
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
    const oa = a * words,
      ob = b * words;
    for (let w = 0; w < words; w++) {
      const x = bits[oa + w],
        y = bits[ob + w];
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

/** Binary entropy of a firing probability with the Miller-Madow term (1 / (2n) when both states occur). */
function binaryEntropyMM(q: number, n: number): number {
  return q <= 0 || q >= 1 ? 0 : -q * Math.log(q) - (1 - q) * Math.log(1 - q) + 1 / (2 * n);
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

/**
 * Expected number of the 2^k patterns that never occur among n draws of independent units with
 * firing probabilities q: sum over patterns x of (1 - p_x)^n.
 */
function expectedUnseen(q: number[], n: number): number {
  const k = q.length;
  let total = 0;
  for (let x = 0; x < 2 ** k; x++) {
    let p = 1;
    for (let j = 0; j < k; j++) p *= (x >>> j) & 1 ? q[j] : 1 - q[j];
    // Impossible patterns (a unit never or always on) are not unseen ones.
    if (p > 0 && p < 1) total += Math.exp(n * Math.log1p(-p));
  }
  return total;
}

/** Subset scales: k = 1, 2, 4, ... with k <= d and 2^k <= n / 10 (at least 10 stimuli per possible pattern); k = 1 whenever n >= 2. */
export function patternScales(n: number, d: number): number[] {
  const ks: number[] = [1];
  for (let k = 2; k <= d && 2 ** k <= n / 10; k *= 2) ks.push(k);
  return ks;
}

/** Activation-pattern entropy of a response matrix. */
export function patternEntropy(m: ResponseMatrix, opts: PatternsOptions = {}): PatternsResult {
  const { n } = m;
  if (n < 2) throw new InputError(`patterns need at least 2 stimuli, got ${n}`);
  const threshold = opts.threshold ?? 0;
  const result = patternsOfBits(binarise(m, threshold), threshold, opts);
  if (opts.intervals && opts.intervals > 0) {
    result.intervals = patternIntervals(m, result, opts);
    const missing = unavailableIntervals(result.intervals);
    if (missing) result.warnings.push(warning('intervals-unavailable', missing));
  }
  if (opts.nulls && opts.nulls > 0) attachNulls(m, result, opts);
  return result;
}

/** Every pattern observable from binarised responses. */
function patternsOfBits(p: BinaryPatterns, threshold: Threshold, opts: PatternsOptions, subsetsOf?: number[][][]): PatternsResult {
  const { n, d } = p;
  const q = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) q[j] += bit(p, i, j);
  for (let j = 0; j < d; j++) q[j] /= n;
  const switching = q.filter((v) => v >= 0.05 && v <= 0.95).length / d;
  const curve: PatternsPoint[] = [];
  const subsetsAll = subsetsOf ?? chooseSubsets(n, d, opts);
  let undersampled: { k: number; unseen: number } | null = null;
  patternScales(n, d).forEach((k, idx) => {
    if (undersampled) return;
    const subsets = subsetsAll[idx];
    // Estimable only while (nearly) every pattern that independent units of these firing
    // probabilities would produce is expected to occur: beyond that, no bias correction holds.
    const unseen =
      subsets.reduce(
        (a, sub) =>
          a +
          expectedUnseen(
            sub.map((j) => q[j]),
            n,
          ),
        0,
      ) / subsets.length;
    if (k > 1 && unseen > 1) {
      undersampled = { k, unseen };
      return;
    }
    let s = 0,
      sInd = 0;
    for (const sub of subsets) {
      const counts = subsetPatternCounts(p, sub);
      s += plugInEntropy(counts, n) + (counts.length - 1) / (2 * n);
      for (const j of sub) sInd += binaryEntropyMM(q[j], n);
    }
    s /= subsets.length;
    sInd /= subsets.length;
    curve.push({ k, entropy: s, entropyPerNeuron: s / k, independentEntropy: sInd, multiInformation: sInd - s, subsets: subsets.length });
  });
  const all = populationPatternCounts(p);
  const entropyAll = plugInEntropy(all, n);
  const saturated = all.length > n / 2;
  const warnings: Warning[] = [];
  const under = undersampled as { k: number; unseen: number } | null;
  if (under) {
    warnings.push(
      warning(
        'patterns-undersampled',
        `subsets of ${under.k} neurons: about ${under.unseen.toFixed(1)} of their patterns are expected never to occur among ${n} ${opts.rowNoun ?? 'stimuli'} at these firing probabilities, so S(k) is not estimable there; scales stop at k = ${curve[curve.length - 1]?.k ?? 1}`,
      ),
    );
  }
  if (saturated) {
    warnings.push(
      warning(
        'patterns-saturated',
        `S_all is saturated: ${all.length} distinct patterns among ${n} ${opts.rowNoun ?? 'stimuli'} (more than n/2), so S_all = ${entropyAll.toFixed(3)} nats only bounds the population entropy from below`,
      ),
    );
  }
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
    saturated,
    warnings,
  };
}

/** The neuron subsets of every scale (seeded), so that replicates and nulls reuse the same ones. */
function chooseSubsets(n: number, d: number, opts: PatternsOptions): number[][][] {
  const rng = new Rng(opts.seed ?? 0);
  const maxSubsets = opts.subsets ?? 20;
  return patternScales(n, d).map((k) =>
    binomial(d, k) <= maxSubsets ? allSubsets(d, k) : Array.from({ length: maxSubsets }, () => Array.from(rng.sample(d, k))),
  );
}

/** Scalars that get intervals: switching fraction, S_all, and S(k), I(k) per scale. */
function patternScalars(r: PatternsResult): Record<string, number> {
  const out: Record<string, number> = { switchingFraction: r.switchingFraction, entropyAll: r.entropyAll };
  for (const c of r.curve) {
    out[`entropy_k${c.k}`] = c.entropy;
    out[`multiInformation_k${c.k}`] = c.multiInformation;
  }
  return out;
}

/** Grouped-jackknife intervals over stimuli, with the full data's subsets and scales. */
function patternIntervals(m: ResponseMatrix, full: PatternsResult, opts: PatternsOptions): IntervalSummary {
  const seed = opts.seed ?? 0;
  const groups = Math.min(opts.intervals!, m.n);
  const groupOf = jackknifeGroups(m.n, groups, seed);
  const subsets = chooseSubsets(m.n, m.d, opts);
  const scales = full.curve.length;
  return withoutReplicates(
    jackknifeIntervals(
      patternScalars(full),
      groups,
      seed,
      (g) => {
        const sub = selectRows(m, keptUnits(groupOf, g));
        if (sub.n < 2) return null;
        const r = patternsOfBits(binarise(sub, full.threshold), full.threshold, opts, subsets);
        // A replicate has fewer stimuli and may lose the largest scale; compare only shared scales.
        r.curve = r.curve.slice(0, scales);
        return patternScalars(r);
      },
      (d, t) => opts.onProgress?.('intervals', d, t),
      m.n,
    ),
  );
}

/** Multi-information at each scale against each neuron's column shuffled independently. */
function attachNulls(m: ResponseMatrix, r: PatternsResult, opts: PatternsOptions): void {
  const seed = opts.seed ?? 0;
  const subsets = chooseSubsets(m.n, m.d, opts);
  const p = binarise(m, r.threshold);
  const draws: number[][] = r.curve.map(() => []);
  for (let i = 0; i < opts.nulls!; i++) {
    const shuffled = shuffleColumns(p, new Rng(replicateSeed(seed, i)));
    const nr = patternsOfBits(shuffled, r.threshold, opts, subsets);
    nr.curve.forEach((c, j) => draws[j].push(c.multiInformation));
    opts.onProgress?.('patterns null', i + 1, opts.nulls!);
  }
  r.curve.forEach((c, j) => {
    c.null = nullSummary('multiInformation', 'each neuron shuffled across stimuli independently', c.multiInformation, draws[j], seed) ?? undefined;
  });
}

/** Binary patterns with every neuron's column permuted independently (firing rates kept, dependencies destroyed). */
function shuffleColumns(p: BinaryPatterns, rng: Rng): BinaryPatterns {
  const bits = new Uint32Array(p.bits.length);
  for (let j = 0; j < p.d; j++) {
    const perm = rng.permutation(p.n);
    const w = j >>> 5,
      b = j & 31;
    for (let i = 0; i < p.n; i++) if ((p.bits[perm[i] * p.words + w] >>> b) & 1) bits[i * p.words + w] |= 1 << b;
  }
  return { ...p, bits };
}
