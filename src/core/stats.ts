/** Line and power-law fits, and entropies. Pure: no I/O. */

/** Ordinary least-squares line y = intercept + slope x, with its R^2. */
export interface LineFit {
  slope: number;
  intercept: number;
  r2: number;
  points: number;
}

export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  const m = x.length;
  if (m !== y.length) throw new RangeError('fitLine: x and y differ in length');
  if (m < 2) return { slope: NaN, intercept: NaN, r2: NaN, points: m };
  let mx = 0,
    my = 0;
  for (let i = 0; i < m; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= m;
  my /= m;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < m; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: NaN, intercept: NaN, r2: NaN, points: m };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // R^2 = 1 - SS_res / SS_tot; a perfectly flat y is fit exactly.
  const ssRes = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  return { slope, intercept, r2, points: m };
}

/** y = a t^b fitted by least squares on ln y against ln t, over points with t > 0 and y > 0. */
export interface PowerLawFit {
  a: number;
  b: number;
  r2: number;
  points: number;
}

export function fitPowerLaw(t: ArrayLike<number>, y: ArrayLike<number>): PowerLawFit {
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] > 0 && y[i] > 0 && Number.isFinite(t[i]) && Number.isFinite(y[i])) {
      lx.push(Math.log(t[i]));
      ly.push(Math.log(y[i]));
    }
  }
  const f = fitLine(lx, ly);
  return { a: Math.exp(f.intercept), b: f.slope, r2: f.r2, points: f.points };
}

/** Shannon entropy (nats) of a probability vector; zero entries contribute nothing. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Entropy (nats) of the empirical distribution given by counts. */
export function entropyOfCounts(counts: Iterable<number>): number {
  let total = 0;
  const c = Array.from(counts);
  for (const x of c) total += x;
  if (total === 0) return 0;
  let h = 0;
  for (const x of c) if (x > 0) h -= (x / total) * Math.log(x / total);
  return h;
}
