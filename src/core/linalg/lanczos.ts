/**
 * The top eigenpairs of a symmetric positive semi-definite operator by Lanczos with full
 * reorthogonalisation, written once as a generator of requests so that it runs either in
 * JavaScript or on the products backend's thread.
 */

import { tridiagonalQL } from './tridiagonalQl.js';
import { tridiagonalEigenvectors } from './tridiagonalVectors.js';

/**
 * The top k eigenpairs of a symmetric positive semi-definite operator of size dim, by Lanczos
 * with full reorthogonalisation (twice, for orthogonality to working precision). Ritz pairs are
 * accepted when every residual bound |beta_m s_{m,i}| <= tol * theta_1. Deterministic: the start
 * vector is a fixed function of dim. Returns eigenvectors as rows (k x dim), values descending.
 */
export function topEigenpairs(apply: (v: Float64Array, out: Float64Array) => void, dim: number, k: number, opts: { tol?: number } = {}): TopEigenpairs {
  const w = new Float64Array(dim);
  return driveLanczos(lanczosSteps(dim, k, opts.tol), (req) => {
    if (req.kind === 'combine') return combineRows(req);
    const q = req.basis.subarray((req.count - 1) * dim, req.count * dim);
    apply(q, w);
    let a = 0;
    for (let i = 0; i < dim; i++) a += q[i] * w[i];
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < req.count; r++) {
        const b = req.basis.subarray(r * dim, (r + 1) * dim);
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += b[i] * w[i];
        for (let i = 0; i < dim; i++) w[i] -= dot * b[i];
      }
    }
    return { alpha: a, w };
  });
}

export interface TopEigenpairs {
  values: Float64Array;
  vectors: Float64Array;
  k: number;
  iterations: number;
}

/**
 * What the Lanczos iteration (lanczosSteps) asks of its driver. 'expand': apply the operator to
 * basis row count - 1 (q), reply alpha = q . Aq and w = Aq reorthogonalised twice against rows
 * 0 .. count - 1. 'combine': reply the rows x dim product coefficients (rows x count) times the
 * basis' first count rows.
 */
export type LanczosRequest =
  | { kind: 'expand'; basis: Float64Array; count: number; dim: number }
  | { kind: 'combine'; basis: Float64Array; count: number; dim: number; coefficients: Float64Array; rows: number };
export type LanczosReply = { alpha: number; w: Float64Array } | Float64Array;

/** Run lanczosSteps synchronously with the given driver. */
export function driveLanczos(steps: Generator<LanczosRequest, TopEigenpairs, LanczosReply>, serve: (req: LanczosRequest) => LanczosReply): TopEigenpairs {
  let r = steps.next(undefined as unknown as LanczosReply);
  while (!r.done) r = steps.next(serve(r.value));
  return r.value;
}

/** The 'combine' request in JavaScript: each output row accumulates the basis rows in order. */
export function combineRows(req: Extract<LanczosRequest, { kind: 'combine' }>): Float64Array {
  const { basis, count, dim, coefficients, rows } = req;
  const out = new Float64Array(rows * dim);
  for (let c = 0; c < rows; c++) {
    const row = out.subarray(c * dim, (c + 1) * dim);
    for (let i = 0; i < count; i++) {
      const s = coefficients[c * count + i];
      if (s === 0) continue;
      const o = i * dim;
      for (let x = 0; x < dim; x++) row[x] += s * basis[o + x];
    }
  }
  return out;
}

/**
 * The Lanczos iteration as a generator of requests (LanczosRequest), so that it is written once
 * and driven either in JavaScript (topEigenpairs) or by the products backend, whose thread serves
 * the products at BLAS speed. The basis is one row-major array (rows are the Lanczos vectors).
 */
export function* lanczosSteps(dim: number, k: number, tolerance?: number): Generator<LanczosRequest, TopEigenpairs, LanczosReply> {
  const tol = tolerance ?? 1e-11;
  const want = Math.min(k, dim);
  const alpha: number[] = [];
  const beta: number[] = [];
  let capacity = Math.min(dim, 2 * want + 64);
  let basis = new Float64Array(capacity * dim);
  const q0 = basis.subarray(0, dim);
  for (let i = 0; i < dim; i++) q0[i] = Math.sin(1 + 0.7 * i) + 0.3 * Math.cos(3.1 * i * i + 0.5); // fixed, generic start
  normalise(q0);
  let normEstimate = 0; // running max of |alpha| and beta, a lower bound on the operator norm
  for (let j = 0; j < dim; j++) {
    const reply = (yield { kind: 'expand', basis, count: j + 1, dim }) as { alpha: number; w: Float64Array };
    const a = reply.alpha,
      w = reply.w;
    alpha.push(a);
    let bn = 0;
    for (let i = 0; i < dim; i++) bn += w[i] * w[i];
    bn = Math.sqrt(bn);
    const m = j + 1;
    normEstimate = Math.max(normEstimate, Math.abs(a), bn);
    const done = m === dim || bn <= 1e-12 * normEstimate;
    if (done || (m >= want + 8 && (m - want) % 8 === 0)) {
      // Convergence from the Ritz values and the last components of the Ritz vectors only: QL on
      // the tridiagonal tracking one column (O(m^2)); the full eigenvectors once, at the end.
      const dd = Float64Array.from(alpha),
        ee = new Float64Array(m),
        last = new Float64Array(m);
      for (let i = 1; i < m; i++) ee[i] = beta[i - 1];
      last[m - 1] = 1;
      tridiagonalQL(dd, ee, m, last, 1);
      const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => dd[y] - dd[x]);
      const scale = Math.max(Math.abs(dd[order[0]]), 1e-300);
      let converged = true;
      for (let c = 0; c < Math.min(want, m) && !done; c++) if (Math.abs(bn * last[order[c]]) > tol * scale) converged = false;
      if (converged || done) {
        // Ritz vectors of the kept values only, by inverse iteration on the tridiagonal (O(m) each).
        const kk = Math.min(want, m);
        const values = Float64Array.from({ length: kk }, (_, c) => dd[order[c]]);
        const coefficients = tridiagonalEigenvectors(alpha, beta, m, values);
        const vectors = (yield { kind: 'combine', basis, count: m, dim, coefficients, rows: kk }) as Float64Array;
        for (let c = 0; c < kk; c++) normalise(vectors.subarray(c * dim, (c + 1) * dim));
        return { values, vectors, k: kk, iterations: m };
      }
    }
    beta.push(bn);
    if (m === capacity) {
      capacity = Math.min(dim, 2 * capacity);
      const grown = new Float64Array(capacity * dim);
      grown.set(basis);
      basis = grown;
    }
    const q = basis.subarray(m * dim, (m + 1) * dim);
    for (let i = 0; i < dim; i++) q[i] = w[i] / bn;
  }
  throw new Error('topEigenpairs: Lanczos did not finish');
}

function normalise(v: Float64Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  s = Math.sqrt(s);
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
}
