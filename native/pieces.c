/*
 * Squared error of piecewise-affine predictions, as piecesSse in src/core/complexity/pieces.ts
 * (with predictRow in affineFit.ts): row i is predicted by its piece's coefficients,
 * yhat = beta_0 + sum_a u_a beta_a (terms with u_a = 0 skipped), and (r - yhat)^2 is summed in row
 * then output order. The prediction runs two outputs at a time, element by element, and the sum
 * is the same single chain, so the result is the JavaScript's to the bit.
 */
#include "simd.h"

/*
 * u: n x (k - 1); r: n x q; piece: n ints (0..pieces-1); beta: pieces x k x q; yhat: q doubles.
 */
EXPORT(pieces_sse)
double pieces_sse(const double *u, const double *r, int n, int k, int q, const int *piece, const double *beta, double *yhat) {
  double sse = 0;
  for (int i = 0; i < n; i++) {
    const double *b = beta + (long)piece[i] * k * q;
    const double *ui = u + (long)i * (k - 1);
    int j = 0;
    for (; j < q; j++) yhat[j] = b[j];
    for (int a = 1; a < k; a++) {
      double v = ui[a - 1];
      if (v == 0) continue;
      axpy(yhat, v, b + a * q, q);
    }
    const double *ri = r + (long)i * q;
    for (j = 0; j < q; j++) {
      double e = ri[j] - yhat[j];
      sse += e * e;
    }
  }
  return sse;
}
