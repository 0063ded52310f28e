/**
 * ResponseMatrix: n rows (stimuli, samples, trials or time bins) x d columns (neurons, units,
 * ROIs or network features), stored row-major in a Float64Array.
 *
 * Pure: no I/O and no Node APIs, so it runs in a browser or a worker too.
 */

export interface ResponseMatrix {
  /** Number of rows (stimuli). */
  readonly n: number;
  /** Number of columns (neurons / features). */
  readonly d: number;
  /** Row-major values, length n * d. */
  readonly data: Float64Array;
  /** Optional stimulus ids or labels, one per row. */
  readonly rowLabels?: readonly (string | number)[];
  /** Optional neuron ids or names, one per column. */
  readonly colLabels?: readonly string[];
}

/**
 * An input problem the user can fix (bad file, bad shape, NaN). The CLI maps it to exit code 2
 * and prints only the message, never a stack trace.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** An analysis that cannot give a number for this data (exit code 1 in the CLI). */
export class AnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisError';
  }
}

/** Make a ResponseMatrix, checking that the buffer length matches the shape. */
export function responseMatrix(
  n: number,
  d: number,
  data: Float64Array,
  labels: { rowLabels?: readonly (string | number)[]; colLabels?: readonly string[] } = {},
): ResponseMatrix {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) {
    throw new InputError(`invalid matrix shape ${n} x ${d}`);
  }
  if (data.length !== n * d) {
    throw new InputError(`matrix of shape ${n} x ${d} needs ${n * d} values, got ${data.length}`);
  }
  if (labels.rowLabels && labels.rowLabels.length !== n) {
    throw new InputError(`${labels.rowLabels.length} row labels for ${n} rows`);
  }
  if (labels.colLabels && labels.colLabels.length !== d) {
    throw new InputError(`${labels.colLabels.length} column labels for ${d} columns`);
  }
  return { n, d, data, ...labels };
}

/** Build a matrix from nested arrays (tests, JSON input). Rows must all have the same length. */
export function fromRows(rows: readonly (readonly number[])[]): ResponseMatrix {
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (rows[i].length !== d) {
      throw new InputError(`row ${i + 1} has ${rows[i].length} values, expected ${d} (ragged rows)`);
    }
    for (let j = 0; j < d; j++) data[i * d + j] = rows[i][j];
  }
  return responseMatrix(n, d, data);
}

/**
 * Check what every observable needs: finite values and at least `minRows` rows (2 by default).
 * `what` names the file and array so the message points at the problem.
 */
export function validateMatrix(m: ResponseMatrix, what: string, minRows = 2): void {
  if (m.n < minRows) {
    throw new InputError(`${what}: needs at least ${minRows} stimuli (rows), got ${m.n}`);
  }
  if (m.d < 1) {
    throw new InputError(`${what}: needs at least 1 neuron (column), got 0`);
  }
  const { data, d } = m;
  let largest = 0;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (!Number.isFinite(v)) {
      const row = Math.floor(k / d) + 1;
      const col = (k % d) + 1;
      throw new InputError(`${what}: ${Number.isNaN(v) ? 'NaN' : v} at row ${row}, column ${col}; values must be finite`);
    }
    const a = Math.abs(v);
    if (a > largest) largest = a;
  }
  // Variances are sums of squares: beyond these magnitudes they overflow to Infinity or underflow
  // to zero in double precision, and every number would be wrong or undefined.
  if (largest > MAGNITUDE_LIMIT) {
    throw new InputError(
      `${what}: values as large as ${largest.toExponential(2)}: their variance overflows double precision; divide the data by a constant first (every observable is unchanged by scaling)`,
    );
  }
  if (largest > 0 && largest < 1 / MAGNITUDE_LIMIT) {
    throw new InputError(
      `${what}: the largest value is ${largest.toExponential(2)}: its variance underflows double precision; multiply the data by a constant first (every observable is unchanged by scaling)`,
    );
  }
}

/** Largest magnitude (and inverse smallest) for which eigenvalues and their squares (x^4 summed over rows) stay normal doubles. */
export const MAGNITUDE_LIMIT = 1e60;

/** Check that two matrices describe the same stimuli (same row count). */
export function validateSameRows(a: ResponseMatrix, b: ResponseMatrix, whatA: string, whatB: string): void {
  if (a.n !== b.n) {
    throw new InputError(`${whatA} has ${a.n} rows but ${whatB} has ${b.n}; both must list the same stimuli in the same order`);
  }
}

/** Column means. */
export function columnMeans(m: ResponseMatrix): Float64Array {
  const { n, d, data } = m;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) mu[j] += data[off + j];
  }
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/**
 * The column-centred matrix, transposed (d x n, row j = column j minus its mean), in one pass and
 * one allocation: the covariance X_c^T X_c is then the Gram product of its rows. Fresh memory is
 * slow to touch on some machines (0.4 s per 160 MB where this was measured), so the covariance
 * route builds this instead of a centred copy and then its transpose.
 */
export function centredTranspose(m: ResponseMatrix): Float64Array {
  const { n, d, data } = m;
  const mu = columnMeans(m);
  const t = new Float64Array(n * d);
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < d; j0 += B) {
      const j1 = Math.min(d, j0 + B);
      for (let i = i0; i < i1; i++) {
        const oi = i * d;
        for (let j = j0; j < j1; j++) t[j * n + i] = data[oi + j] - mu[j];
      }
    }
  }
  return t;
}

/** A copy with every column centred over the rows. */
export function centerColumns(m: ResponseMatrix): ResponseMatrix {
  const { n, d, data } = m;
  const mu = columnMeans(m);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) out[off + j] = data[off + j] - mu[j];
  }
  return { ...m, data: out };
}

/** The rows at the given indices (repeats allowed, e.g. for bootstrap), in that order. */
export function selectRows(m: ResponseMatrix, rows: ArrayLike<number>): ResponseMatrix {
  const { d, data } = m;
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r] * d;
    out.set(data.subarray(src, src + d), r * d);
  }
  const rowLabels = m.rowLabels ? Array.from(rows, (i) => m.rowLabels![i]) : undefined;
  return { n: rows.length, d, data: out, colLabels: m.colLabels, ...(rowLabels ? { rowLabels } : {}) };
}

/** The columns at the given indices, in that order. */
export function selectColumns(m: ResponseMatrix, cols: ArrayLike<number>): ResponseMatrix {
  const { n, d, data } = m;
  const k = cols.length;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) out[i * k + c] = data[i * d + cols[c]];
  }
  const colLabels = m.colLabels ? Array.from(cols, (j) => m.colLabels![j]) : undefined;
  return { n, d: k, data: out, rowLabels: m.rowLabels, ...(colLabels ? { colLabels } : {}) };
}

/**
 * Group the rows of a trials matrix by stimulus id. Returns the distinct ids in order of first
 * appearance and, for each, the row indices of its repeats.
 */
export function groupRowsByStimulus(ids: readonly (string | number)[]): { ids: (string | number)[]; rows: number[][] } {
  const index = new Map<string | number, number>();
  const groups: number[][] = [];
  const order: (string | number)[] = [];
  ids.forEach((id, i) => {
    let g = index.get(id);
    if (g === undefined) {
      g = groups.length;
      index.set(id, g);
      groups.push([]);
      order.push(id);
    }
    groups[g].push(i);
  });
  return { ids: order, rows: groups };
}

/** Average the rows of each group: one row per stimulus (the trial-averaged matrix). */
export function averageRowGroups(m: ResponseMatrix, groups: readonly (readonly number[])[], rowLabels?: readonly (string | number)[]): ResponseMatrix {
  const { d, data } = m;
  const out = new Float64Array(groups.length * d);
  groups.forEach((rows, g) => {
    const off = g * d;
    for (const r of rows) {
      const src = r * d;
      for (let j = 0; j < d; j++) out[off + j] += data[src + j];
    }
    for (let j = 0; j < d; j++) out[off + j] /= rows.length;
  });
  return { n: groups.length, d, data: out, colLabels: m.colLabels, ...(rowLabels ? { rowLabels } : {}) };
}

/**
 * The trial-averaged matrix (one row per stimulus, in order of first appearance) and the repeat
 * groups of a trials matrix; without ids, the trials themselves. Repeats are given only when some
 * stimulus has two or more.
 */
export function trialAveraged(trials: ResponseMatrix, stimulusIds?: readonly (string | number)[]): { main: ResponseMatrix; repeats?: number[][] } {
  if (!stimulusIds) return { main: trials };
  const groups = groupRowsByStimulus(stimulusIds);
  const main = averageRowGroups(trials, groups.rows, groups.ids);
  return { main, repeats: groups.rows.some((r) => r.length >= 2) ? groups.rows : undefined };
}
