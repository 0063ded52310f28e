/*
 * Band -> tridiagonal by Householder bulge chasing (src/core/linalg/bulgeChasing.ts has the
 * algorithm and its JavaScript twin). Band storage: element (i, j), 0 <= i - j < W, at
 * data[i * W + (i - j)], so a row's entries run in decreasing column order; the reflectors are
 * kept reversed (vr[t] = v[len - 1 - t]) so that every inner loop is a contiguous SIMD loop.
 */
#include "simd.h"

/* Householder reflector of x (len), as house() in bulgeChasing.ts; returns tau. */
static double house(double *x, int len) {
  double alpha = x[0], xnorm2 = 0;
  for (int q = 1; q < len; q++) xnorm2 += x[q] * x[q];
  if (xnorm2 == 0) return 0;
  /* beta = -sign(alpha || 1) |x|, as in JavaScript: alpha = 0 takes the positive sign. */
  double beta = alpha < 0 ? sqrt_(alpha * alpha + xnorm2) : -sqrt_(alpha * alpha + xnorm2);
  double scale = 1 / (alpha - beta);
  for (int q = 1; q < len; q++) x[q] *= scale;
  x[0] = beta;
  return (beta - alpha) / beta;
}

static void reverse(double *dst, const double *src, int len) {
  for (int t = 0; t < len; t++) dst[t] = src[len - 1 - t];
}

/* A <- H A H on rows/columns s .. s+len-1 (lower storage); vr reversed reflector, pr workspace. */
static void two_sided(double *data, int W, int s, int len, const double *vr, double tau, double *pr) {
  if (tau == 0) return;
  for (int t = 0; t < len; t++) pr[t] = 0;
  /* Row r holds A[r][r - k] at seg[k], k = 0..r; in reversed coordinates it starts at o = len-1-r. */
  for (int r = 0; r < len; r++) {
    double *seg = data + (s + r) * W;
    int o = len - 1 - r;
    double sum = dot(seg, vr + o, r + 1);
    axpy(pr + o + 1, vr[o], seg + 1, r);
    pr[o] += sum;
  }
  double pv = 0;
  for (int t = 0; t < len; t++) {
    pr[t] *= tau;
    pv += pr[t] * vr[t];
  }
  double k = 0.5 * tau * pv;
  for (int t = 0; t < len; t++) pr[t] -= k * vr[t];
  for (int r = 0; r < len; r++) {
    double *seg = data + (s + r) * W;
    int o = len - 1 - r;
    sub_axpby(seg, vr[o], pr + o, pr[o], vr + o, r + 1);
  }
}

/*
 * Sweep j: annihilate column j below the subdiagonal and chase the bulge off the matrix.
 * work: 5 b doubles.
 */
static void sweep(double *data, int n, int b, int W, int j, double *work) {
  double *v = work, *vr = work + b, *vn = work + 2 * b, *vnr = work + 3 * b, *pr = work + 4 * b;
  int s = j + 1;
  int len = b < n - 1 - j ? b : n - 1 - j;
  for (int q = 0; q < len; q++) v[q] = data[(s + q) * W + (s + q - j)];
  double tau = house(v, len);
  data[s * W + (s - j)] = v[0];
  for (int q = 1; q < len; q++) data[(s + q) * W + (s + q - j)] = 0;
  v[0] = 1;
  reverse(vr, v, len);
  two_sided(data, W, s, len, vr, tau, pr);
  for (;;) {
    int s1 = s + len;
    int len1 = b < n - s1 ? b : n - s1;
    if (len1 <= 0) break;
    /* Block rows s1 + r, columns s .. s+len-1: element (s1+r, s+c) at base_r + (len-1-c). */
    if (tau != 0) {
      for (int r = 0; r < len1; r++) {
        double *row = data + (s1 + r) * W + r + 1;
        double dt = tau * dot(row, vr, len);
        axpy(row, -dt, vr, len);
      }
    }
    for (int r = 0; r < len1; r++) vn[r] = data[(s1 + r) * W + len + r];
    double taun = house(vn, len1);
    data[s1 * W + len] = vn[0];
    for (int r = 1; r < len1; r++) data[(s1 + r) * W + len + r] = 0;
    vn[0] = 1;
    if (taun != 0 && len > 1) {
      /* acc[t] = sum_r vn[r] B[r][len-1-t] over the columns c >= 1 (t <= len-2), row by row. */
      double *acc = pr;
      for (int t = 0; t < len - 1; t++) acc[t] = 0;
      for (int r = 0; r < len1; r++) axpy(acc, vn[r], data + (s1 + r) * W + r + 1, len - 1);
      for (int t = 0; t < len - 1; t++) acc[t] *= taun;
      for (int r = 0; r < len1; r++) axpy(data + (s1 + r) * W + r + 1, -vn[r], acc, len - 1);
    }
    reverse(vnr, vn, len1);
    two_sided(data, W, s1, len1, vnr, taun, pr);
    s = s1;
    len = len1;
    tau = taun;
    for (int t = 0; t < len; t++) vr[t] = vnr[t];
  }
}

/*
 * Reduce the band (modified in place) to tridiagonal form: d (n) the diagonal, e (n) the
 * subdiagonal with e[i] coupling i and i - 1, e[0] = 0. work: 5 b doubles.
 */
EXPORT(band_to_tridiagonal)
void band_to_tridiagonal(double *data, int n, int b, int W, double *d, double *e, double *work) {
  for (int j = 0; j + 2 < n; j++) sweep(data, n, b, W, j, work);
  for (int i = 0; i < n; i++) {
    d[i] = data[i * W];
    e[i] = i > 0 ? data[i * W + 1] : 0;
  }
}

/*
 * Householder QR of a rows x b panel given transposed (pt: b x rows, row c = column c), in place,
 * as householderQr in src/core/linalg/bandReduction.ts (LAPACK dgeqr2 + dlarft): R^T ends in pt's
 * lower triangle, vt (b x rows, zeroed by the caller) receives V^T with its unit diagonal, t
 * (b x b, zeroed) the compact-WY factor. tau, w: b doubles each.
 */
EXPORT(householder_qr)
void householder_qr(double *pt, int rows, int b, double *vt, double *t, double *tau, double *w) {
  for (int c = 0; c < b; c++) tau[c] = 0; /* columns beyond a short panel's rows reflect nothing */
  for (int c = 0; c < b && c < rows; c++) {
    double *col = pt + c * rows;
    double *v = vt + c * rows;
    double alpha = col[c];
    int tail = rows - c - 1;
    double xnorm2 = dot(col + c + 1, col + c + 1, tail);
    v[c] = 1;
    if (xnorm2 == 0) continue;
    double beta = alpha < 0 ? sqrt_(alpha * alpha + xnorm2) : -sqrt_(alpha * alpha + xnorm2);
    tau[c] = (beta - alpha) / beta;
    double scale = 1 / (alpha - beta);
    for (int i = c + 1; i < rows; i++) {
      v[i] = col[i] * scale;
      col[i] = 0;
    }
    col[c] = beta;
    for (int j = c + 1; j < b; j++) {
      double *other = pt + j * rows;
      double dt = (other[c] + dot(v + c + 1, other + c + 1, tail)) * tau[c];
      other[c] -= dt;
      axpy(other + c + 1, -dt, v + c + 1, tail);
    }
  }
  for (int c = 0; c < b; c++) {
    t[c * b + c] = tau[c];
    if (tau[c] == 0) continue;
    const double *vc = vt + c * rows;
    for (int j = 0; j < c; j++) w[j] = dot(vt + j * rows + c, vc + c, rows - c);
    for (int j = 0; j < c; j++) {
      double sum = 0;
      for (int l = j; l < c; l++) sum += t[j * b + l] * w[l];
      t[j * b + c] = -tau[c] * sum;
    }
  }
}
