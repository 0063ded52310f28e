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
