/*
 * The dense product kernel, as panelProducts in src/core/linalg/products.ts: C += A B^T for
 * row-major A (`rows` rows of k), B (m rows of k), C (rows x m); with `upper`, only columns from
 * first + i on are computed for rows i and i + 1 (i even): the upper triangle of a symmetric product
 * whose block starts `first` columns left of its diagonal. Two rows of A against two rows of B per block, each of the four dot products in a
 * two-lane vector over k, in panels of 256 columns of k. The dot products are summed two lanes at
 * a time, so the values agree with the JavaScript kernel to rounding, not to the bit.
 */
#include "simd.h"

static inline double hsum(v128_t v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

EXPORT(panel_products)
void panel_products(const double *a, const double *b, int k, int m, double *c, int rows, int upper, int first) {
  const int KP = 256;
  for (int k0 = 0; k0 < k; k0 += KP) {
    int k1 = k0 + KP < k ? k0 + KP : k;
    int len = k1 - k0, even = len & ~1;
    for (int i = 0; i < rows; i += 2) {
      int pair = i + 1 < rows;
      const double *ra = a + (long)i * k + k0, *rb = pair ? ra + k : ra;
      int j = upper && first + i > 0 ? first + i : 0;
      for (; j + 1 < m; j += 2) {
        const double *y0 = b + (long)j * k + k0, *y1 = y0 + k;
        v128_t s00 = wasm_f64x2_splat(0.0), s01 = s00, s10 = s00, s11 = s00;
        for (int p = 0; p < even; p += 2) {
          v128_t va = wasm_v128_load(ra + p), vb = wasm_v128_load(rb + p);
          v128_t w0 = wasm_v128_load(y0 + p), w1 = wasm_v128_load(y1 + p);
          s00 = wasm_f64x2_add(s00, wasm_f64x2_mul(va, w0));
          s01 = wasm_f64x2_add(s01, wasm_f64x2_mul(va, w1));
          s10 = wasm_f64x2_add(s10, wasm_f64x2_mul(vb, w0));
          s11 = wasm_f64x2_add(s11, wasm_f64x2_mul(vb, w1));
        }
        double d00 = hsum(s00), d01 = hsum(s01), d10 = hsum(s10), d11 = hsum(s11);
        if (even < len) {
          double va = ra[even], vb = rb[even];
          d00 += va * y0[even];
          d01 += va * y1[even];
          d10 += vb * y0[even];
          d11 += vb * y1[even];
        }
        double *ci = c + (long)i * m + j;
        ci[0] += d00;
        ci[1] += d01;
        if (pair) {
          ci[m] += d10;
          ci[m + 1] += d11;
        }
      }
      for (; j < m; j++) {
        const double *y0 = b + (long)j * k + k0;
        c[(long)i * m + j] += dot(ra, y0, len);
        if (pair) c[(long)(i + 1) * m + j] += dot(rb, y0, len);
      }
    }
  }
}
