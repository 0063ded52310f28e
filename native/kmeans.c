/*
 * Lloyd's k-means iterations with Elkan's bounds, as lloydElkan in
 * src/core/complexity/kmeans.ts, operation for operation: the squared distance keeps the
 * JavaScript kernel's four accumulators and their order ((s0 + s1) + (s2 + s3), here as two
 * two-lane vectors), so the assignments, centres and inertia are the same bits.
 */
#include "simd.h"

static inline double sq_dist(const double *a, const double *b, int m) {
  v128_t s01 = wasm_f64x2_splat(0.0), s23 = wasm_f64x2_splat(0.0);
  int j = 0;
  for (; j + 3 < m; j += 4) {
    v128_t t01 = wasm_f64x2_sub(wasm_v128_load(a + j), wasm_v128_load(b + j));
    v128_t t23 = wasm_f64x2_sub(wasm_v128_load(a + j + 2), wasm_v128_load(b + j + 2));
    s01 = wasm_f64x2_add(s01, wasm_f64x2_mul(t01, t01));
    s23 = wasm_f64x2_add(s23, wasm_f64x2_mul(t23, t23));
  }
  double s0 = wasm_f64x2_extract_lane(s01, 0), s1 = wasm_f64x2_extract_lane(s01, 1);
  double s2 = wasm_f64x2_extract_lane(s23, 0), s3 = wasm_f64x2_extract_lane(s23, 1);
  for (; j < m; j++) {
    double t = a[j] - b[j];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

/* updateCentres in kmeans.ts: returns the total squared shift, each centre's move in moved. */
static double update_centres(const double *x, int n, int m, int k, const int *labels, double *centres, double *sums, int *counts, double *old,
                             double *moved) {
  for (int i = 0; i < k * m; i++) sums[i] = 0;
  for (int c = 0; c < k; c++) counts[c] = 0;
  for (int i = 0; i < n; i++) {
    int c = labels[i];
    counts[c]++;
    double *s = sums + c * m;
    const double *xi = x + i * m;
    for (int j = 0; j < m; j++) s[j] += xi[j];
  }
  for (int i = 0; i < k * m; i++) old[i] = centres[i];
  double shift = 0;
  for (int c = 0; c < k; c++) {
    double *cen = centres + c * m;
    if (counts[c] == 0) {
      int far = 0;
      double farD = -1;
      for (int i = 0; i < n; i++) {
        double dd = sq_dist(x + i * m, centres + labels[i] * m, m);
        if (dd > farD) {
          far = i;
          farD = dd;
        }
      }
      for (int j = 0; j < m; j++) cen[j] = x[far * m + j];
    } else {
      for (int j = 0; j < m; j++) cen[j] = sums[c * m + j] / counts[c];
    }
    double d2 = 0;
    for (int j = 0; j < m; j++) {
      double t = cen[j] - old[c * m + j];
      d2 += t * t;
    }
    shift += d2;
    moved[c] = sqrt_(d2);
  }
  return shift;
}

/*
 * x: n x m points; centres: k x m seeds, updated in place; labels (n ints) out. Workspace:
 * doubles sums (k m), old (k m), upper (n), lower (n k), cc (k k), half (k), moved (k); ints
 * counts (k). out[0] = inertia, out[1] = iterations.
 */
EXPORT(lloyd_elkan)
void lloyd_elkan(const double *x, int n, int m, int k, double *centres, int max_iter, double tol, int *labels, double *sums, double *old,
                 double *upper, double *lower, double *cc, double *half, double *moved, int *counts, double *out) {
  for (int i = 0; i < n; i++) {
    double best = __builtin_inf();
    int arg = 0;
    for (int c = 0; c < k; c++) {
      double d = sqrt_(sq_dist(x + i * m, centres + c * m, m));
      lower[i * k + c] = d;
      if (d < best) {
        best = d;
        arg = c;
      }
    }
    labels[i] = arg;
    upper[i] = best;
  }
  int it = 0;
  for (; it < max_iter; it++) {
    double shift = update_centres(x, n, m, k, labels, centres, sums, counts, old, moved);
    for (int i = 0; i < n; i++) {
      upper[i] += moved[labels[i]];
      double *lo = lower + i * k;
      for (int c = 0; c < k; c++) {
        double l = lo[c] - moved[c];
        lo[c] = l > 0 ? l : 0;
      }
    }
    for (int c = 0; c < k; c++) {
      double nearest = __builtin_inf();
      for (int o = 0; o < k; o++) {
        if (o == c) continue;
        double d = o < c ? cc[o * k + c] : sqrt_(sq_dist(centres + c * m, centres + o * m, m));
        cc[c * k + o] = d;
        if (d < nearest) nearest = d;
      }
      half[c] = nearest / 2;
    }
    for (int i = 0; i < n; i++) {
      int a = labels[i];
      if (upper[i] <= half[a]) continue;
      const double *xi = x + i * m;
      double *lo = lower + i * k;
      int stale = 1;
      for (int c = 0; c < k; c++) {
        if (c == a) continue;
        if (upper[i] <= lo[c] || upper[i] <= cc[a * k + c] / 2) continue;
        if (stale) {
          double d = sqrt_(sq_dist(xi, centres + a * m, m));
          upper[i] = d;
          lo[a] = d;
          stale = 0;
          if (upper[i] <= lo[c] || upper[i] <= cc[a * k + c] / 2) continue;
        }
        double d = sqrt_(sq_dist(xi, centres + c * m, m));
        lo[c] = d;
        if (d < upper[i] || (d == upper[i] && c < a)) {
          a = c;
          upper[i] = d;
        }
      }
      labels[i] = a;
    }
    if (shift <= tol) {
      it++;
      break;
    }
  }
  double inertia = 0;
  for (int i = 0; i < n; i++) inertia += sq_dist(x + i * m, centres + labels[i] * m, m);
  out[0] = inertia;
  out[1] = it;
}
