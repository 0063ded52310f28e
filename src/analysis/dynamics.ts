/**
 * Observables over training: for every checkpoint, every layer's D_eff, PR, alpha, switching
 * fraction, pattern entropy and complexity (from the previous layer, or from the input for the
 * first layer); then for each series a power law y = a t^b fitted by least squares on ln y
 * against ln t over the checkpoints with t > 0 and y > 0 (OBSERVABLES.md section 4).
 */

import { gainValue, mapComplexity } from '../core/complexity/complexity.js';
import { InputError, type ResponseMatrix } from '../core/matrix.js';
import { fitPowerLaw, type PowerLawFit } from '../core/stats.js';
import { profileGroup } from './profile.js';

export interface Checkpoint {
  step: number;
  layers: { name: string; matrix: ResponseMatrix }[];
  input: ResponseMatrix | null;
  source: string;
}

export interface DynamicsSeries {
  layer: string;
  observable: string;
  values: (number | null)[];
  fit: PowerLawFit;
}

export interface Dynamics {
  steps: number[];
  layers: string[];
  series: DynamicsSeries[];
}

export const DYNAMICS_OBSERVABLES = [
  'effectiveDimension',
  'participationRatio',
  'alpha',
  'switchingFraction',
  'entropyAll',
  'complexity',
  'complexityGain',
] as const;

export function trainingDynamics(checkpoints: Checkpoint[], opts: { seed?: number; onProgress?: (done: number, total: number) => void } = {}): Dynamics {
  if (checkpoints.length === 0) throw new InputError('dynamics needs at least one checkpoint');
  const sorted = [...checkpoints].sort((a, b) => a.step - b.step);
  const names = sorted[0].layers.map((l) => l.name);
  for (const c of sorted) {
    const these = c.layers.map((l) => l.name);
    if (these.join('\u0000') !== names.join('\u0000'))
      throw new InputError(`${c.source}: layers ${these.join(', ')} differ from ${sorted[0].source}'s ${names.join(', ')}`);
  }
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].step === sorted[i - 1].step) throw new InputError(`${sorted[i].source} and ${sorted[i - 1].source} are both step ${sorted[i].step}`);
  const seed = opts.seed ?? 0;
  const table = new Map<string, (number | null)[]>();
  const key = (layer: string, obs: string) => `${layer}\u0000${obs}`;
  const put = (layer: string, obs: string, i: number, v: number | null | undefined) => {
    const k = key(layer, obs);
    if (!table.has(k)) table.set(k, new Array(sorted.length).fill(null));
    table.get(k)![i] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
  };
  sorted.forEach((c, i) => {
    c.layers.forEach((l, li) => {
      const p = profileGroup({ name: l.name, trials: l.matrix, threshold: 0 }, { seed });
      put(l.name, 'effectiveDimension', i, p.effectiveDimension);
      put(l.name, 'participationRatio', i, p.participationRatio);
      put(l.name, 'alpha', i, p.alpha);
      put(l.name, 'switchingFraction', i, p.patterns?.switchingFraction);
      put(l.name, 'entropyAll', i, p.patterns?.entropyAll);
      const from = li === 0 ? c.input : c.layers[li - 1].matrix;
      if (from) {
        try {
          const c = mapComplexity(from, l.matrix, { seed });
          put(l.name, 'complexity', i, c.complexity);
          // The gain says whether a change of C is a change of pieces that matter.
          put(l.name, 'complexityGain', i, c.complexity === null ? null : gainValue(c));
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          put(l.name, 'complexity', i, null);
        }
      }
    });
    opts.onProgress?.(i + 1, sorted.length);
  });
  const steps = sorted.map((c) => c.step);
  const series: DynamicsSeries[] = [];
  for (const layer of names)
    for (const observable of DYNAMICS_OBSERVABLES) {
      const values = table.get(key(layer, observable));
      if (!values) continue;
      series.push({
        layer,
        observable,
        values,
        fit: fitPowerLaw(
          steps,
          values.map((v) => v ?? NaN),
        ),
      });
    }
  return { steps, layers: names, series };
}
