/**
 * Linear centred kernel alignment between two representations of the same stimuli.
 *
 * The debiased estimator (Song et al. 2012's unbiased HSIC, as used by Kornblith et al. 2019 and
 * later work) is the default: the biased one, tr(K H L H) / (n - 1)^2, is far above 0 for
 * independent representations when n is small compared with the feature counts.
 */

import { centerColumns, InputError, type ResponseMatrix } from '../matrix.js';
import { crossProductTransB } from '../linalg/products.js';

const gramCache = new WeakMap<ResponseMatrix, Float64Array>();

/**
 * Gram matrix K = Xc Xc^T of the column-centred representation (n x n). Cached per matrix object:
 * the effective dimension of a wide matrix and its stored representation share one product.
 * Treat the result as read-only.
 */
export function linearGram(x: ResponseMatrix): Float64Array {
  let g = gramCache.get(x);
  if (!g) gramCache.set(x, (g = crossProductTransB(centerColumns(x).data, x.n, x.d, { consume: true })));
  return g;
}

/** Unbiased HSIC (Song et al. 2012) of two n x n Gram matrices; needs n >= 4. */
export function unbiasedHsic(k: Float64Array, l: Float64Array, n: number): number {
  if (n < 4) throw new InputError(`debiased CKA needs at least 4 stimuli, got ${n}`);
  // K~, L~: diagonals set to zero.
  let trace = 0,
    sumK = 0,
    sumL = 0,
    cross = 0;
  const rowK = new Float64Array(n),
    rowL = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const a = k[i * n + j],
        b = l[i * n + j];
      trace += a * b; // tr(K~ L~) = sum_ij K~_ij L~_ji, symmetric
      rowK[i] += a;
      rowL[i] += b;
    }
    sumK += rowK[i];
    sumL += rowL[i];
  }
  for (let i = 0; i < n; i++) cross += rowK[i] * rowL[i]; // 1^T K~ L~ 1
  return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * cross) / (n * (n - 3));
}

/** Biased HSIC: tr(K H L H) / (n - 1)^2. */
export function biasedHsic(k: Float64Array, l: Float64Array, n: number): number {
  const kc = doubleCentre(k, n),
    lc = doubleCentre(l, n);
  let t = 0;
  for (let i = 0; i < n * n; i++) t += kc[i] * lc[i];
  return t / ((n - 1) * (n - 1));
}

function doubleCentre(k: Float64Array, n: number): Float64Array {
  const row = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[i] += k[i * n + j];
    all += row[i];
    row[i] /= n;
  }
  all /= n * n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = k[i * n + j] - row[i] - row[j] + all;
  return out;
}

/** CKA from Gram matrices; `debiased` (default true) picks the estimator. NaN when a side has no signal. */
export function ckaFromGrams(k: Float64Array, l: Float64Array, n: number, debiased = true): number {
  const h = debiased ? unbiasedHsic : biasedHsic;
  const kl = h(k, l, n),
    kk = h(k, k, n),
    ll = h(l, l, n);
  if (!(kk > 0) || !(ll > 0)) return NaN;
  return kl / Math.sqrt(kk * ll);
}

/** Linear CKA between two representations of the same n stimuli (rows in the same order). */
export function linearCka(x: ResponseMatrix, y: ResponseMatrix, debiased = true): number {
  if (x.n !== y.n) throw new InputError(`CKA needs the same stimuli: ${x.n} vs ${y.n} rows`);
  return ckaFromGrams(linearGram(x), linearGram(y), x.n, debiased);
}
