/*
 * Eigenvalues of a symmetric tridiagonal matrix by the root-free (rational) QL algorithm of
 * Pal, Walker and Kahan, as in EISPACK's tqlrat: it works on the squared subdiagonal, so the
 * inner loop has no square root (the implicit QL of tridiagonalQl.ts has a hypot per rotation).
 */
#include "simd.h"

/*
 * d (n): the diagonal, replaced by the eigenvalues in ascending order. e2 (n): the squared
 * subdiagonal, e2[i] coupling i and i - 1 (e2[0] unused), destroyed. Returns 0, or l + 1 when
 * eigenvalue l did not converge in 60 iterations (the caller then falls back to tql1).
 */
EXPORT(tridiagonal_eigenvalues)
int tridiagonal_eigenvalues(double *d, double *e2, int n) {
  if (n <= 1) return 0;
  for (int i = 1; i < n; i++) e2[i - 1] = e2[i];
  e2[n - 1] = 0;
  double f = 0, t = 0, b = 0, c = 0;
  const double eps = 2.220446049250313e-16;
  for (int l = 0; l < n; l++) {
    int iter = 0;
    double h = fabs_(d[l]) + sqrt_(e2[l]);
    if (t <= h) {
      t = h;
      b = eps * t;
      c = b * b;
    }
    int m = l;
    while (e2[m] > c) m++; /* e2[n - 1] = 0 stops it */
    if (m != l) {
      for (;;) {
        if (++iter > 60) return l + 1;
        /* The shift. */
        double s = sqrt_(e2[l]);
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * s);
        double r = sqrt_(p * p + 1);
        if (fabs_(p) > 1e150) r = fabs_(p);
        d[l] = s / (p + (p >= 0 ? r : -r));
        h = g - d[l];
        for (int i = l + 1; i < n; i++) d[i] -= h;
        f += h;
        /* The rational QL transformation. */
        g = d[m];
        if (g == 0) g = b;
        h = g;
        s = 0;
        for (int i = m - 1; i >= l; i--) {
          p = g * h;
          r = p + e2[i];
          e2[i + 1] = s * r;
          s = e2[i] / r;
          d[i + 1] = h + s * (h + d[i]);
          g = d[i] - e2[i] / g;
          if (g == 0) g = b;
          h = g * p / r;
        }
        e2[l] = s * g;
        d[l] = h;
        /* Guard against underflow in the convergence test. */
        if (h == 0) break;
        if (fabs_(e2[l]) <= fabs_(c / h)) break;
        e2[l] = h * e2[l];
        if (e2[l] == 0) break;
      }
    }
    double p = d[l] + f;
    /* Insert in ascending order. */
    int i = l;
    for (; i > 0; i--) {
      if (p >= d[i - 1]) break;
      d[i] = d[i - 1];
    }
    d[i] = p;
  }
  return 0;
}

/* sqrt(a^2 + b^2) without overflow (scaled by the larger magnitude). */
static double hypot_(double a, double b) {
  a = fabs_(a);
  b = fabs_(b);
  double m = a > b ? a : b;
  if (m == 0) return 0;
  double x = a / m, y = b / m;
  return m * sqrt_(x * x + y * y);
}

/*
 * The implicit QL algorithm with eigenvectors, as tridiagonalQL in
 * src/core/linalg/tridiagonalQl.ts (EISPACK tql2): d (n) the diagonal -> eigenvalues (unsorted),
 * e (n) the subdiagonal with e[i] coupling i and i - 1 (destroyed), z (n x cols, vectors as rows)
 * receives the rotations, two rows at a time in SIMD. Returns 0, or 1 when an eigenvalue did not
 * converge in 200 iterations (the caller then throws, as the JavaScript does).
 */
EXPORT(tridiagonal_ql_vectors)
int tridiagonal_ql_vectors(double *d, double *e, int n, double *z, int cols) {
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  double f = 0, tst1 = 0;
  const double eps = 2.220446049250313e-16;
  for (int l = 0; l < n; l++) {
    double t = fabs_(d[l]) + fabs_(e[l]);
    if (t > tst1) tst1 = t;
    int m = l;
    while (m < n - 1) {
      if (fabs_(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      int iter = 0;
      do {
        if (++iter > 200) return 1;
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = hypot_(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        double dl1 = d[l + 1];
        double h = g - d[l];
        for (int i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1, c2 = c, c3 = c;
        double el1 = e[l + 1];
        double s = 0, s2 = 0;
        for (int i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot_(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          double *zi = z + (long)i * cols, *zi1 = zi + cols;
          v128_t vs = wasm_f64x2_splat(s), vc = wasm_f64x2_splat(c);
          int k = 0;
          for (; k + 1 < cols; k += 2) {
            v128_t a = wasm_v128_load(zi + k), hk = wasm_v128_load(zi1 + k);
            wasm_v128_store(zi1 + k, wasm_f64x2_add(wasm_f64x2_mul(vs, a), wasm_f64x2_mul(vc, hk)));
            wasm_v128_store(zi + k, wasm_f64x2_sub(wasm_f64x2_mul(vc, a), wasm_f64x2_mul(vs, hk)));
          }
          for (; k < cols; k++) {
            double hk = zi1[k];
            zi1[k] = s * zi[k] + c * hk;
            zi[k] = c * zi[k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (fabs_(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return 0;
}

/*
 * Householder reduction to tridiagonal form, as tridiagonalize in
 * src/core/linalg/tridiagonalize.ts (EISPACK tred2 on w = V^T), on one thread: the serial
 * path's loops, with the updates of e and w two elements at a time (the dot products g summed two
 * lanes at a time: equal to the JavaScript to rounding).
 */
EXPORT(tridiagonalize)
void tridiagonalize(double *w, int n, double *d, double *e) {
  for (int j = 0; j < n; j++) d[j] = w[(long)j * n + (n - 1)];
  for (int i = n - 1; i > 0; i--) {
    double scale = 0, h = 0;
    for (int k = 0; k < i; k++) scale += fabs_(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (int j = 0; j < i; j++) {
        d[j] = w[(long)j * n + (i - 1)];
        w[(long)j * n + i] = 0;
        w[(long)i * n + j] = 0;
      }
    } else {
      for (int k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = sqrt_(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (int j = 0; j < i; j++) e[j] = 0;
      for (int j = 0; j < i; j++) {
        f = d[j];
        double *wj = w + (long)j * n;
        w[(long)i * n + j] = f;
        int len = i - 1 - j;
        g = e[j] + wj[j] * f + dot(wj + j + 1, d + j + 1, len);
        axpy(e + j + 1, f, wj + j + 1, len);
        e[j] = g;
      }
      f = 0;
      for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      double hh = f / (h + h);
      axpy(e, -hh, d, i);
      for (int j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        double *wj = w + (long)j * n;
        sub_axpby(wj + j, f, e + j, g, d + j, i - j);
        d[j] = wj[i - 1];
        wj[i] = 0;
      }
    }
    d[i] = h;
  }
}

/*
 * The accumulation of the transformations, as accumulateTransformations in tridiagonalize.ts
 * (EISPACK orientation V), with its column loops turned into row loops: g_j = sum_k V[k][i+1] V[k][j]
 * is accumulated over k for all j at once, in the same order, so the result is the same bits.
 * g: n doubles of workspace.
 */
EXPORT(accumulate_transformations)
void accumulate_transformations(double *v, int n, double *d, double *g) {
  for (int i = 0; i < n - 1; i++) {
    v[(long)(n - 1) * n + i] = v[(long)i * n + i];
    v[(long)i * n + i] = 1;
    double h = d[i + 1];
    if (h != 0) {
      for (int k = 0; k <= i; k++) d[k] = v[(long)k * n + i + 1] / h;
      for (int j = 0; j <= i; j++) g[j] = 0;
      for (int k = 0; k <= i; k++) axpy(g, v[(long)k * n + i + 1], v + (long)k * n, i + 1);
      for (int k = 0; k <= i; k++) axpy(v + (long)k * n, -d[k], g, i + 1);
    }
    for (int k = 0; k <= i; k++) v[(long)k * n + i + 1] = 0;
  }
  for (int j = 0; j < n; j++) {
    d[j] = v[(long)(n - 1) * n + j];
    v[(long)(n - 1) * n + j] = 0;
  }
  v[(long)(n - 1) * n + (n - 1)] = 1;
}
