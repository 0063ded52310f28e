/* Small SIMD helpers shared by the kernels (wasm32, -msimd128: two doubles per vector). */
#ifndef NEUROREP_SIMD_H
#define NEUROREP_SIMD_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* sum_i a[i] b[i], four lanes in two vectors then the tail in order. */
static inline double dot(const double *a, const double *b, int n) {
  v128_t s0 = wasm_f64x2_splat(0.0), s1 = wasm_f64x2_splat(0.0);
  int i = 0;
  for (; i + 3 < n; i += 4) {
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_v128_load(a + i + 2), wasm_v128_load(b + i + 2)));
  }
  if (i + 1 < n) {
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    i += 2;
  }
  s0 = wasm_f64x2_add(s0, s1);
  double r = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
  for (; i < n; i++) r += a[i] * b[i];
  return r;
}

/* y[i] += alpha x[i] */
static inline void axpy(double *y, double alpha, const double *x, int n) {
  v128_t va = wasm_f64x2_splat(alpha);
  int i = 0;
  for (; i + 1 < n; i += 2) wasm_v128_store(y + i, wasm_f64x2_add(wasm_v128_load(y + i), wasm_f64x2_mul(va, wasm_v128_load(x + i))));
  for (; i < n; i++) y[i] += alpha * x[i];
}

/* y[i] -= (alpha x[i] + beta z[i]) */
static inline void sub_axpby(double *y, double alpha, const double *x, double beta, const double *z, int n) {
  v128_t va = wasm_f64x2_splat(alpha), vb = wasm_f64x2_splat(beta);
  int i = 0;
  for (; i + 1 < n; i += 2) {
    v128_t t = wasm_f64x2_add(wasm_f64x2_mul(va, wasm_v128_load(x + i)), wasm_f64x2_mul(vb, wasm_v128_load(z + i)));
    wasm_v128_store(y + i, wasm_f64x2_sub(wasm_v128_load(y + i), t));
  }
  for (; i < n; i++) y[i] -= alpha * x[i] + beta * z[i];
}

static inline double sqrt_(double x) { return __builtin_sqrt(x); }
static inline double fabs_(double x) { return __builtin_fabs(x); }

#endif
