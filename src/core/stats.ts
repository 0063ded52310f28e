/**
 * Seeded randomness, bootstrap, folds, percentiles and power-law fits.
 *
 * Every random step in neurorep draws from `Rng`, so the same seed gives the same numbers bit for
 * bit. Pure: no I/O.
 */

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32. Small, fast, and its 32-bit integer
 * arithmetic gives identical streams on every JavaScript engine.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    // splitmix32 expands one seed into four non-zero state words.
    let x = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n) || n > 0x100000000) throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let r: number;
    do r = this.nextUint32();
    while (r >= limit);
    return r % n;
  }

  /** A standard normal draw (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const s = this.spareNormal;
      this.spareNormal = undefined;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** A Poisson draw (Knuth for small means, normal approximation with continuity for large). */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new RangeError(`poisson mean must be >= 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Float64Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t as never;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** k distinct indices from 0..n-1 (partial Fisher-Yates), in draw order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`cannot sample ${k} of ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p.slice(0, k);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** n row indices drawn with replacement from 0..n-1. */
export function bootstrapIndices(rng: Rng, n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = rng.int(n);
  return idx;
}

/**
 * Assign n items to k folds of (almost) equal size after a seeded shuffle.
 * Returns fold[i] in 0..k-1.
 */
export function foldAssignment(rng: Rng, n: number, k: number): Int32Array {
  if (k < 2 || k > n) throw new RangeError(`need 2 <= folds <= n, got ${k} folds for ${n} items`);
  const perm = rng.permutation(n);
  const fold = new Int32Array(n);
  for (let r = 0; r < n; r++) fold[perm[r]] = r % k;
  return fold;
}

/**
 * The q-th percentile (0..100) with linear interpolation between order statistics, numpy's
 * default ("linear") method. NaN values are ignored; all-NaN gives NaN.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const v = Array.from(values).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** A 95 % percentile interval. */
export interface Interval {
  lo: number;
  hi: number;
}

/** 2.5 and 97.5 percentiles. */
export function percentileInterval(values: ArrayLike<number>): Interval {
  return { lo: percentile(values, 2.5), hi: percentile(values, 97.5) };
}

/** Ordinary least-squares line y = intercept + slope x, with its R^2. */
export interface LineFit {
  slope: number;
  intercept: number;
  r2: number;
  points: number;
}

export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  const m = x.length;
  if (m !== y.length) throw new RangeError('fitLine: x and y differ in length');
  if (m < 2) return { slope: NaN, intercept: NaN, r2: NaN, points: m };
  let mx = 0, my = 0;
  for (let i = 0; i < m; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= m;
  my /= m;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < m; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: NaN, intercept: NaN, r2: NaN, points: m };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // R^2 = 1 - SS_res / SS_tot; a perfectly flat y is fit exactly.
  const ssRes = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  return { slope, intercept, r2, points: m };
}

/** y = a t^b fitted by least squares on ln y against ln t, over points with t > 0 and y > 0. */
export interface PowerLawFit {
  a: number;
  b: number;
  r2: number;
  points: number;
}

export function fitPowerLaw(t: ArrayLike<number>, y: ArrayLike<number>): PowerLawFit {
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] > 0 && y[i] > 0 && Number.isFinite(t[i]) && Number.isFinite(y[i])) {
      lx.push(Math.log(t[i]));
      ly.push(Math.log(y[i]));
    }
  }
  const f = fitLine(lx, ly);
  return { a: Math.exp(f.intercept), b: f.slope, r2: f.r2, points: f.points };
}

/** Shannon entropy (nats) of a probability vector; zero entries contribute nothing. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Entropy (nats) of the empirical distribution given by counts. */
export function entropyOfCounts(counts: Iterable<number>): number {
  let total = 0;
  const c = Array.from(counts);
  for (const x of c) total += x;
  if (total === 0) return 0;
  let h = 0;
  for (const x of c) if (x > 0) h -= (x / total) * Math.log(x / total);
  return h;
}

export interface BootstrapSummary {
  resamples: number;
  seed: number;
  /** Resamples skipped because the observable was undefined on them. */
  skipped: number;
  /** 2.5 and 97.5 percentiles of every scalar. */
  intervals: Record<string, Interval>;
}

/**
 * Percentile intervals of scalar observables over B resamples of n rows with replacement.
 * `observe` gets the resampled row indices and returns the scalars (null or NaN for undefined);
 * it may throw `skip`-marked errors (isSkippable) to drop a degenerate resample. Seeded.
 */
export function bootstrapScalars(
  n: number,
  resamples: number,
  seed: number,
  observe: (rows: Int32Array) => Record<string, number | null>,
  isSkippable: (err: unknown) => boolean = () => false,
  onProgress?: (done: number, total: number) => void,
): BootstrapSummary {
  const rng = new Rng(seed);
  const draws = new Map<string, number[]>();
  let skipped = 0;
  for (let b = 0; b < resamples; b++) {
    const rows = bootstrapIndices(rng, n);
    let values: Record<string, number | null>;
    try {
      values = observe(rows);
    } catch (err) {
      if (!isSkippable(err)) throw err;
      skipped++;
      onProgress?.(b + 1, resamples);
      continue;
    }
    for (const [k, v] of Object.entries(values)) {
      if (!draws.has(k)) draws.set(k, []);
      draws.get(k)!.push(v ?? NaN);
    }
    onProgress?.(b + 1, resamples);
  }
  const intervals: Record<string, Interval> = {};
  for (const [k, v] of draws) intervals[k] = percentileInterval(v);
  return { resamples, seed, skipped, intervals };
}
