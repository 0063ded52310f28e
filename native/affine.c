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

/* addRow in affineFit.ts (sign 1): row u (k - 1 coordinates) with targets r (q) into A, B, *t. */
static void add_row(double *A, double *B, double *t, int k, int q, const double *u, const double *r) {
  A[0] += 1;
  for (int a = 1; a < k; a++) {
    double va = u[a - 1];
    A[a] += va;
    double *row = A + a * k;
    for (int b = 1; b <= a; b++) row[b] += va * u[b - 1];
  }
  double tt = 0;
  for (int j = 0; j < q; j++) {
    double rj = r[j];
    B[j] += rj;
    tt += rj * rj;
  }
  for (int a = 1; a < k; a++) {
    double va = u[a - 1];
    if (va == 0) continue;
    axpy(B + a * q, va, r, q);
  }
  *t += tt;
}

/*
 * The threshold scan of bestThreshold in hingeTree.ts: rows (u: n x (k - 1), r: n x q) in the
 * order of their projections are added one by one to the left side's statistics; at each of the
 * P ascending cut positions pos[], out[] receives the fitted error of the left side plus that of
 * the rest (whole minus left). LA, RA: k x k; LB, RB: k x q; M: k x k; beta: k x q (workspace).
 */
EXPORT(threshold_scan)
void threshold_scan(const double *u, const double *r, int n, int k, int q, const int *pos, int P, const double *WA, const double *WB, double Wt,
                    double ridge, double *LA, double *LB, double *RA, double *RB, double *M, double *beta, double *out) {
  for (int i = 0; i < k * k; i++) LA[i] = 0;
  for (int i = 0; i < k * q; i++) LB[i] = 0;
  double Lt = 0;
  int next = 0;
  for (int i = 0; i < n && next < P; i++) {
    if (i == pos[next]) {
      double left = affine_fitted_sse(LA, LB, Lt, k, q, ridge, M, beta);
      for (int x = 0; x < k * k; x++) RA[x] = WA[x] + -1 * LA[x];
      for (int x = 0; x < k * q; x++) RB[x] = WB[x] + -1 * LB[x];
      double right = affine_fitted_sse(RA, RB, Wt + -1 * Lt, k, q, ridge, M, beta);
      out[next++] = left + right;
    }
    add_row(LA, LB, &Lt, k, q, u + (long)i * (k - 1), r + (long)i * q);
  }
}
