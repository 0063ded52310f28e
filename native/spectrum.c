/*
 * The deterministic equivalent's density on a grid (corrected/2; the algorithm and its comments
 * are in src/core/inference/spectrumLarge.ts, expectedSampleSpectrum): for each grid point x, the
 * Stieltjes transform m(z) at z = x + i 1e-5 x solves m (z - s(m)) + 1 = 0 with
 * s(m) = (1/N) sum_j w_j tau_j / (1 + tau_j m); Newton from the neighbour's root, else damped
 * fixed-point steps from a point mass, then Newton. Same steps as the JavaScript; the sums over j
 * run two terms at a time, so the values agree to rounding, not to the bit.
 */
#include "simd.h"

typedef struct {
  double sr, si, s2r, s2i;
} sums_t;

static sums_t sums(const double *tau, const double *w, int k, double N, double r, double i) {
  v128_t vr = wasm_f64x2_splat(r), vi = wasm_f64x2_splat(i), one = wasm_f64x2_splat(1.0), two = wasm_f64x2_splat(2.0);
  v128_t asr = wasm_f64x2_splat(0.0), asi = asr, as2r = asr, as2i = asr;
  int j = 0;
  for (; j + 1 < k; j += 2) {
    v128_t t = wasm_v128_load(tau + j), ww = wasm_v128_load(w + j);
    v128_t qr = wasm_f64x2_add(one, wasm_f64x2_mul(t, vr)), qi = wasm_f64x2_mul(t, vi);
    v128_t qq = wasm_f64x2_add(wasm_f64x2_mul(qr, qr), wasm_f64x2_mul(qi, qi));
    v128_t ur = wasm_f64x2_div(wasm_f64x2_mul(t, qr), qq);
    v128_t ui = wasm_f64x2_div(wasm_f64x2_neg(wasm_f64x2_mul(t, qi)), qq);
    asr = wasm_f64x2_add(asr, wasm_f64x2_mul(ww, ur));
    asi = wasm_f64x2_add(asi, wasm_f64x2_mul(ww, ui));
    as2r = wasm_f64x2_add(as2r, wasm_f64x2_mul(ww, wasm_f64x2_sub(wasm_f64x2_mul(ur, ur), wasm_f64x2_mul(ui, ui))));
    as2i = wasm_f64x2_add(as2i, wasm_f64x2_mul(wasm_f64x2_mul(ww, two), wasm_f64x2_mul(ur, ui)));
  }
  double sr = wasm_f64x2_extract_lane(asr, 0) + wasm_f64x2_extract_lane(asr, 1);
  double si = wasm_f64x2_extract_lane(asi, 0) + wasm_f64x2_extract_lane(asi, 1);
  double s2r = wasm_f64x2_extract_lane(as2r, 0) + wasm_f64x2_extract_lane(as2r, 1);
  double s2i = wasm_f64x2_extract_lane(as2i, 0) + wasm_f64x2_extract_lane(as2i, 1);
  for (; j < k; j++) {
    double t = tau[j];
    double qr = 1 + t * r, qi = t * i;
    double qq = qr * qr + qi * qi;
    double ur = (t * qr) / qq, ui = (-t * qi) / qq;
    sr += w[j] * ur;
    si += w[j] * ui;
    s2r += w[j] * (ur * ur - ui * ui);
    s2i += w[j] * 2 * ur * ui;
  }
  sums_t s = {sr / N, si / N, s2r / N, s2i / N};
  return s;
}

/* Newton on F(m) = m (z - s(m)) + 1; returns 1 with the root in *mr, *mi, or 0. */
static int newton(const double *tau, const double *w, int k, double N, double zr, double zi, double *pmr, double *pmi, int steps) {
  double mr = *pmr, mi = *pmi;
  for (int it = 0; it < steps; it++) {
    sums_t s = sums(tau, w, k, N, mr, mi);
    double ar = zr - s.sr, ai = zi - s.si;
    double fr = mr * ar - mi * ai + 1, fi = mr * ai + mi * ar;
    double dr = ar + (mr * s.s2r - mi * s.s2i), di = ai + (mr * s.s2i + mi * s.s2r);
    double dd = dr * dr + di * di;
    if (!(dd > 0)) return 0;
    double nr = mr - (fr * dr + fi * di) / dd, ni = mi - (fi * dr - fr * di) / dd;
    if (!__builtin_isfinite(nr) || !__builtin_isfinite(ni) || ni <= 0) return 0;
    double moved = fabs_(nr - mr) + fabs_(ni - mi);
    mr = nr;
    mi = ni;
    if (moved < 1e-12 * (fabs_(mr) + fabs_(mi))) {
      *pmr = mr;
      *pmi = mi;
      return 1;
    }
  }
  return 0;
}

/* dens[g] = Im m(x_g + i 1e-5 x_g) / pi for the grid xs (ascending), from the top down. */
EXPORT(sample_density)
void sample_density(const double *tau, const double *w, int k, double N, double total, const double *xs, int grid, double *dens) {
  double pr = 0, pi = 0;
  int have = 0;
  for (int g = grid - 1; g >= 0; g--) {
    double x = xs[g];
    double zr = x, zi = x * 1e-5;
    double mr = pr, mi = pi;
    int found = have ? newton(tau, w, k, N, zr, zi, &mr, &mi, 8) : 0;
    if (!found) {
      double ar0 = zr - total / N, q0 = ar0 * ar0 + zi * zi;
      mr = -ar0 / q0;
      mi = zi / q0;
      for (int it = 0; it < 40; it++) {
        sums_t s = sums(tau, w, k, N, mr, mi);
        double ar = zr - s.sr, ai = zi - s.si;
        double q = ar * ar + ai * ai;
        mr = 0.5 * mr + 0.5 * (-ar / q);
        mi = 0.5 * mi + 0.5 * (ai / q);
      }
      double nr = mr, ni = mi;
      if (newton(tau, w, k, N, zr, zi, &nr, &ni, 25)) {
        mr = nr;
        mi = ni;
      }
    }
    pr = mr;
    pi = mi;
    have = 1;
    dens[g] = (mi > 0 ? mi : 0) / 3.141592653589793;
  }
}
