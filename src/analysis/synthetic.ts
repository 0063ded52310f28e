/**
 * Synthetic data for the demo and the tests, seeded: a recording session in which two simulated
 * brain areas respond to an oriented grating (von Mises tuning, Poisson spikes, repeated trials),
 * and a small random ReLU network that sees the same stimulus parameter.
 */

import { responseMatrix, type ResponseMatrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import type { NwbSpec } from '../../adapters/nwb/write.js';

export interface SyntheticArea {
  name: string;
  neurons: number;
  /** Tuning sharpness range (von Mises kappa); larger = narrower tuning. */
  kappa: [number, number];
  /** Peak evoked rate range (Hz). */
  peak: [number, number];
  baseline: number;
}

export interface SyntheticSession {
  /** Orientation (degrees) of each trial, in presentation order. */
  orientation: number[];
  start: number[];
  stop: number[];
  /** Spike times per unit, sorted. */
  spikeTimes: Float64Array[];
  /** Area of each unit. */
  area: string[];
  areas: SyntheticArea[];
}

export const DEMO_AREAS: SyntheticArea[] = [
  { name: 'V1 (simulated)', neurons: 60, kappa: [2, 6], peak: [25, 45], baseline: 3 },
  { name: 'LM (simulated)', neurons: 40, kappa: [0.4, 1.2], peak: [15, 30], baseline: 5 },
];

/**
 * A session of `orientations` evenly spaced grating orientations in [0, 180), each shown
 * `repeats` times in shuffled order, one trial per second; evoked spikes in [start, start + 0.25),
 * baseline spikes for the rest of the trial.
 */
export function syntheticSession(opts: { orientations?: number; repeats?: number; seed?: number; areas?: SyntheticArea[] } = {}): SyntheticSession {
  const nOri = opts.orientations ?? 72;
  const repeats = opts.repeats ?? 6;
  const areas = opts.areas ?? DEMO_AREAS;
  const rng = new Rng(opts.seed ?? 1);
  const orientation: number[] = [];
  for (let r = 0; r < repeats; r++) for (let k = 0; k < nOri; k++) orientation.push((180 * k) / nOri);
  rng.shuffle(orientation);
  const start = orientation.map((_, i) => 2 + i);
  const stop = start.map((t) => t + 0.9);
  const spikeTimes: Float64Array[] = [];
  const area: string[] = [];
  for (const a of areas) {
    for (let u = 0; u < a.neurons; u++) {
      const pref = 180 * rng.next();
      const kappa = a.kappa[0] + (a.kappa[1] - a.kappa[0]) * rng.next();
      const peak = a.peak[0] + (a.peak[1] - a.peak[0]) * rng.next();
      const times: number[] = [];
      orientation.forEach((theta, trial) => {
        const d = ((theta - pref) * Math.PI) / 90; // orientation is 180-periodic
        const rate = a.baseline + peak * Math.exp(kappa * (Math.cos(d) - 1));
        const t0 = start[trial];
        for (let s = rng.poisson(rate * 0.25); s > 0; s--) times.push(t0 + 0.25 * rng.next());
        for (let s = rng.poisson(a.baseline * 0.75); s > 0; s--) times.push(t0 + 0.25 + 0.75 * rng.next());
      });
      spikeTimes.push(Float64Array.from(times).sort());
      area.push(a.name);
    }
  }
  return { orientation, start, stop, spikeTimes, area, areas };
}

/** Distinct values in order of first appearance (the order analyses give stimuli). */
export function firstAppearance<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * Activations of a random ReLU network (seeded He-normal weights, small biases) on the stimulus
 * features [cos 2 theta, sin 2 theta]: the input and each hidden layer, rows = stimuli.
 */
export function syntheticNetwork(
  orientations: readonly number[],
  widths: number[] = [64, 64, 32],
  seed = 2,
): { input: ResponseMatrix; layers: { name: string; matrix: ResponseMatrix }[] } {
  const rng = new Rng(seed);
  const n = orientations.length;
  const input = responseMatrix(n, 2, Float64Array.from(orientations.flatMap((o) => [Math.cos((o * Math.PI) / 90), Math.sin((o * Math.PI) / 90)])));
  let x = input;
  const layers: { name: string; matrix: ResponseMatrix }[] = [];
  widths.forEach((w, li) => {
    const scale = Math.sqrt(2 / x.d);
    const weights = Float64Array.from({ length: x.d * w }, () => rng.normal() * scale);
    const bias = Float64Array.from({ length: w }, () => 0.1 * rng.normal());
    const out = new Float64Array(n * w);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < w; j++) {
        let s = bias[j];
        for (let k = 0; k < x.d; k++) s += x.data[i * x.d + k] * weights[k * w + j];
        out[i * w + j] = Math.max(0, s);
      }
    x = responseMatrix(n, w, out);
    layers.push({ name: `relu${li + 1}`, matrix: x });
  });
  return { input, layers };
}

/** The NWB file of a synthetic session: units with electrode areas, and a trials table with the orientation. */
export function sessionNwbSpec(session: SyntheticSession, identifier: string): NwbSpec {
  return {
    identifier,
    sessionDescription: 'neurorep demo: two simulated visual areas viewing oriented gratings (synthetic data)',
    electrodes: { location: session.areas.map((a) => a.name), group: session.areas.map((_, i) => `shank${i}`) },
    units: {
      spikeTimes: session.spikeTimes,
      electrodes: session.area.map((a) => session.areas.findIndex((x) => x.name === a)),
    },
    intervals: {
      trials: {
        start: session.start,
        stop: session.stop,
        columns: { orientation: session.orientation, grating: session.orientation.map((o) => `grating ${o} deg`) },
        description: 'one drifting-grating presentation per trial',
      },
    },
  };
}
