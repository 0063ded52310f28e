/*
 * Ridge fits of affine pieces from their sufficient statistics, as fitAffine and fittedSse in
 * src/core/complexity/affineFit.ts (with choleskyInPlace in src/core/linalg/cholesky.ts):
 * the same operations in the same order (the substitutions two outputs at a time, element by
 * element; every sum a single chain), so the fits and errors are the JavaScript's to the bit.
 */
#include "simd.h"

static int cholesky(double *m, int k) {
  for (int j = 0; j < k; j++) {
    double d = m[j * k + j];
    for (int c = 0; c < j; c++) d -= m[j * k + c] * m[j * k + c];
    if (!(d > 0)) return 0;
    double ljj = sqrt_(d);
    m[j * k + j] = ljj;
    for (int i = j + 1; i < k; i++) {
      double v = m[i * k + j];
      for (int c = 0; c < j; c++) v -= m[i * k + c] * m[j * k + c];
      m[i * k + j] = v / ljj;
    }
  }
  return 1;
}

/* y -= l x */
static inline void sub_scaled(double *y, double l, const double *x, int n) {
  v128_t vl = wasm_f64x2_splat(l);
  int i = 0;
  for (; i + 1 < n; i += 2) wasm_v128_store(y + i, wasm_f64x2_sub(wasm_v128_load(y + i), wasm_f64x2_mul(vl, wasm_v128_load(x + i))));
  for (; i < n; i++) y[i] -= l * x[i];
}

static inline void scale(double *y, double s, int n) {
  v128_t vs = wasm_f64x2_splat(s);
  int i = 0;
  for (; i + 1 < n; i += 2) wasm_v128_store(y + i, wasm_f64x2_mul(wasm_v128_load(y + i), vs));
  for (; i < n; i++) y[i] *= s;
}

/* beta (k x q) of the statistics A (k x k, lower triangle and first row as addRow keeps them), B (k x q); m: k x k workspace. */
EXPORT(affine_fit)
void affine_fit(const double *A, const double *B, int k, int q, double ridge, double *m, double *beta) {
  double count = A[0];
  for (int i = 0; i < k * q; i++) beta[i] = 0;
  if (!(count > 0)) return;
  for (int i = 0; i < k * k; i++) m[i] = A[i];
  for (int a = 1; a < k; a++) m[a * k] = m[a];
  for (int a = 0; a < k; a++)
    for (int b = a + 1; b < k; b++) m[a * k + b] = m[b * k + a];
  double lambda = ridge * count;
  for (int a = 1; a < k; a++) m[a * k + a] += lambda;
  m[0] += 1e-12 * count;
  if (!cholesky(m, k)) {
    for (int j = 0; j < q; j++) beta[j] = B[j] / count;
    return;
  }
  for (int i = 0; i < k * q; i++) beta[i] = B[i];
  for (int a = 0; a < k; a++) {
    for (int b = 0; b < a; b++) {
      double l = m[a * k + b];
      if (l == 0) continue;
      sub_scaled(beta + a * q, l, beta + b * q, q);
    }
    scale(beta + a * q, 1 / m[a * k + a], q);
  }
  for (int a = k - 1; a >= 0; a--) {
    for (int b = a + 1; b < k; b++) {
      double l = m[b * k + a];
      if (l == 0) continue;
      sub_scaled(beta + a * q, l, beta + b * q, q);
    }
    scale(beta + a * q, 1 / m[a * k + a], q);
  }
}

/* The SSE of the best ridge fit: t - <beta, B> - lambda |slopes|^2, at least 0. */
EXPORT(affine_fitted_sse)
double affine_fitted_sse(const double *A, const double *B, double t, int k, int q, double ridge, double *m, double *beta) {
  affine_fit(A, B, k, q, ridge, m, beta);
  double lambda = ridge * A[0];
  double cross = 0, pen = 0;
  for (int i = 0; i < k * q; i++) cross += beta[i] * B[i];
  for (int i = q; i < k * q; i++) pen += beta[i] * beta[i];
  double sse = t - cross - lambda * pen;
  return sse > 0 || sse != sse ? sse : 0; /* Math.max(0, sse), NaN kept */
}
