/**
 * Representational dissimilarity matrices (n x n, zero diagonal) as in rsatoolbox
 * (Nili et al. 2014; Walther et al. 2016): correlation distance between the response patterns of
 * two stimuli, squared Euclidean distance per neuron, and its cross-validated form from two
 * independent halves of the trials (unbiased: noise does not inflate it).
 */

/** Correlation distance 1 - r(x_i, x_j) over neurons, from raw (uncentred) inner products. */
export function correlationRdmFromInner(inner: Float64Array, rowSums: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) norm[i] = Math.sqrt(Math.max(inner[i * n + i] - (rowSums[i] * rowSums[i]) / d, 0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const c = (inner[i * n + j] - (rowSums[i] * rowSums[j]) / d) / (norm[i] * norm[j]);
      out[i * n + j] = out[j * n + i] = 1 - c;
    }
  }
  return out;
}

/** Correlation distance between the rows of an n x d matrix. */
export function correlationRdm(x: Float64Array, n: number, d: number): Float64Array {
  const inner = new Float64Array(n * n);
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) sums[i] += x[i * d + k];
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += x[i * d + k] * x[j * d + k];
      inner[i * n + j] = inner[j * n + i] = acc;
    }
  }
  return correlationRdmFromInner(inner, sums, n, d);
}

/** Squared Euclidean distance per neuron, |x_i - x_j|^2 / d, from a Gram matrix. */
export function euclideanRdmFromGram(gram: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i] = (gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j]) / d;
  }
  return out;
}

/** Cross-validated squared Euclidean distance per neuron, (a_i - a_j).(b_i - b_j) / d, from two halves. */
export function crossValidatedRdm(a: Float64Array, b: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += (a[i * d + k] - a[j * d + k]) * (b[i * d + k] - b[j * d + k]);
      out[i * n + j] = out[j * n + i] = acc / d;
    }
  }
  return out;
}

/** The upper triangle (i < j) of an n x n matrix, restricted to `rows` (all by default). */
export function upperTriangle(m: Float64Array, n: number, rows?: ArrayLike<number>): Float64Array {
  const idx = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let a = 0; a < idx.length; a++) {
    for (let b = a + 1; b < idx.length; b++) {
      if (idx[a] === idx[b]) continue; // a stimulus drawn twice by a bootstrap has no dissimilarity to itself
      out.push(m[idx[a] * n + idx[b]]);
    }
  }
  return Float64Array.from(out);
}
