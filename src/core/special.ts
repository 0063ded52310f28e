/**
 * The special functions and distributions neurorep takes from stdlib, in one module: the build
 * bundles this file with its stdlib sources into one (scripts/bundle-dist.mjs), because resolving
 * stdlib's several hundred small files took 190 ms of every command's start-up.
 */

export { default as tQuantile } from '@stdlib/stats-base-dists-t-quantile';
export { default as tCdf } from '@stdlib/stats-base-dists-t-cdf';
export { default as erfc } from '@stdlib/math-base-special-erfc';
export { default as chisquare } from '@stdlib/random-base-chisquare';
