/** Shared test helpers: fixture paths, an in-process CLI runner, the built binary, temp dirs. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/main.js';
import { responseMatrix } from '../src/core/matrix.js';
import { Rng } from '../src/core/random.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The real data shipped beside the checkout (../shared/data). */
export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');

export function tempDir(prefix = 'neurorep-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Tests never write into the repository's ./.neurorep: each test process gets its own store.
process.env.NEUROREP_STORE = tempDir('neurorep-store-');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in this process, capturing stdout and stderr. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), errIsTTY: false });
  return { code, stdout, stderr };
}

/** Run the built `neurorep` binary (bin/neurorep.js over dist/) as a user would. */
export function binary(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  // A bounded wait: a process that does its work but never exits (a live handle) fails here.
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr + (r.error ? `\n${r.error.message}` : '') };
}

/** An n x d matrix of independent standard normals. */
export function gaussian(rng: Rng, n: number, d: number): Float64Array {
  const a = new Float64Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** A random orthogonal d x d matrix (row-major): Gram-Schmidt on the columns of a Gaussian one. */
export function randomRotation(rng: Rng, d: number): Float64Array {
  const q = gaussian(rng, d, d);
  for (let c = 0; c < d; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += q[r * d + c] * q[r * d + p];
      for (let r = 0; r < d; r++) q[r * d + c] -= dot * q[r * d + p];
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += q[r * d + c] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) q[r * d + c] /= norm;
  }
  return q;
}

/** Q diag(values) Q^T for a random rotation Q: a symmetric matrix with a planted spectrum (row-major). */
export function withSpectrum(values: ArrayLike<number>, rng: Rng): Float64Array {
  const n = values.length;
  const q = randomRotation(rng, n);
  const qd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) qd[i * n + k] = q[i * n + k] * values[k];
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += qd[i * n + k] * q[j * n + k];
      s[i * n + j] = s[j * n + i] = v;
    }
  return s;
}

/** Relative difference |a - b| / max(|a|, |b|, tiny). */
export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/**
 * r orthonormal columns of length n, each centred (Gram-Schmidt on centred Gaussian columns):
 * data built from them has an exactly known sample covariance.
 */
export function orthonormalCentredColumns(n: number, r: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const cols: Float64Array[] = [];
  for (let j = 0; j < r; j++) {
    const c = Float64Array.from({ length: n }, () => rng.normal());
    const m = c.reduce((a, b) => a + b, 0) / n;
    for (let i = 0; i < n; i++) c[i] -= m;
    for (const prev of cols) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += c[i] * prev[i];
      for (let i = 0; i < n; i++) c[i] -= dot * prev[i];
    }
    const norm = Math.sqrt(c.reduce((a, b) => a + b * b, 0));
    for (let i = 0; i < n; i++) c[i] /= norm;
    cols.push(c);
  }
  return cols;
}

/** Trials of nStim stimuli x reps repeats: signal with spectrum lambda (random axes) plus isotropic noise. */
export function plantedTrials(lambda: number[], nStim: number, reps: number, noisePower: number, seed: number) {
  const rng = new Rng(seed);
  const d = lambda.length;
  const axes = orthonormalCentredColumns(d + 1, d, seed + 1).map((c) => c.subarray(0, d)); // d random directions, nearly orthonormal
  const signal = new Float64Array(nStim * d);
  for (let i = 0; i < nStim; i++)
    for (let k = 0; k < d; k++) {
      const z = rng.normal() * Math.sqrt(lambda[k]);
      for (let j = 0; j < d; j++) signal[i * d + j] += z * axes[k][j];
    }
  const noiseSd = Math.sqrt((noisePower * lambda.reduce((a, b) => a + b, 0)) / d);
  const trials = new Float64Array(nStim * reps * d);
  const repeats: number[][] = [];
  for (let i = 0; i < nStim; i++) {
    repeats.push([]);
    for (let r = 0; r < reps; r++) {
      const row = i * reps + r;
      repeats[i].push(row);
      for (let j = 0; j < d; j++) trials[row * d + j] = signal[i * d + j] + noiseSd * rng.normal();
    }
  }
  return { trials: responseMatrix(nStim * reps, d, trials), repeats };
}

/**
 * Centred n x d data whose sample covariance is exactly diag(lambda): orthonormal centred columns
 * (Gram-Schmidt on centred Gaussian columns) scaled by sqrt((n - 1) lambda).
 */
export function dataWithCovariance(lambda: number[], n: number, seed: number): Float64Array {
  const d = lambda.length;
  const cols = orthonormalCentredColumns(n, d, seed);
  const x = new Float64Array(n * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) x[i * d + j] = cols[j][i] * Math.sqrt((n - 1) * lambda[j]);
  return x;
}

/** Exact D_eff = exp(H) and participation ratio of a spectrum. */
export function exactDeff(lambda: number[]): { deff: number; pr: number } {
  const s = lambda.reduce((a, b) => a + b, 0);
  const h = -lambda.reduce((acc, l) => acc + (l > 0 ? (l / s) * Math.log(l / s) : 0), 0);
  return { deff: Math.exp(h), pr: (s * s) / lambda.reduce((a, l) => a + l * l, 0) };
}
