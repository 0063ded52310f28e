/** Generated NWB files for the adapter tests (what the real files lack). */

import { join } from 'node:path';
import { writeNwbFile, type NwbSpec } from '../../../adapters/nwb/write.js';
import { Rng } from '../../../src/core/random.js';
import { tempDir } from '../../helpers.js';

/**
 * Two areas (V1: units 0-2, LM: units 3-4), 4 orientations x 6 repeats as trials 1 s apart, each
 * unit firing a known number of spikes in [start, start + 0.25) that depends on the orientation.
 */
export function twoAreaSpec(indexDtype: NwbSpec['units'] extends infer U ? (U extends { indexDtype?: infer D } ? D : never) : never = '<i'): {
  spec: NwbSpec;
  expected: number[][];
  orientations: number[];
} {
  const rng = new Rng(3);
  const orientations: number[] = [];
  for (let r = 0; r < 6; r++) for (const o of [0, 45, 90, 135]) orientations.push(o);
  const nUnits = 5;
  const expected = orientations.map(() => new Array<number>(nUnits).fill(0));
  const spikes: number[][] = Array.from({ length: nUnits }, () => []);
  orientations.forEach((o, trial) => {
    const t0 = 10 + trial;
    for (let u = 0; u < nUnits; u++) {
      const k = ((o / 45 + u) % 4) + (u % 2);
      for (let s = 0; s < k; s++) spikes[u].push(t0 + 0.01 + 0.2 * rng.next()); // inside [t0, t0 + 0.25)
      expected[trial][u] = k;
      spikes[u].push(t0 + 0.5 + 0.3 * rng.next()); // outside the default window
    }
  });
  const spec: NwbSpec = {
    identifier: 'two-areas',
    sessionDescription: 'generated: two areas, repeated orientations',
    electrodes: { location: ['V1', 'V1', 'V1', 'LM', 'LM'], group: ['a', 'a', 'a', 'b', 'b'] },
    units: {
      spikeTimes: spikes.map((s) => Float64Array.from(s).sort()),
      electrodes: [0, 1, 2, 3, 4],
      indexDtype,
      columns: { quality: ['good', 'good', 'mua', 'good', 'mua'] },
    },
    intervals: {
      trials: {
        start: orientations.map((_, i) => 10 + i),
        stop: orientations.map((_, i) => 10.9 + i),
        columns: { orientation: orientations, image: orientations.map((o) => `grating-${o}`) },
      },
    },
  };
  return { spec, expected, orientations };
}

export async function writeTemp(spec: NwbSpec, name = 'gen.nwb'): Promise<string> {
  const path = join(tempDir('neurorep-nwb-'), name);
  await writeNwbFile(path, spec);
  return path;
}

/**
 * A folder of `count` two-area sessions (`<prefix>-<i>` identifiers, spike times shifted a little
 * per session so that each file differs), `edit` adjusting each spec; files s01.nwb, s02.nwb, ...
 */
export async function writeSessions(folder: string, count: number, prefix: string, edit: (spec: NwbSpec, i: number) => void = () => {}): Promise<string[]> {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(folder, { recursive: true });
  const paths: string[] = [];
  for (let i = 1; i <= count; i++) {
    const { spec } = twoAreaSpec();
    spec.identifier = `${prefix}-${i}`;
    spec.units!.spikeTimes = spec.units!.spikeTimes.map((s) => s.map((v) => v + 1e-4 * i));
    edit(spec, i);
    const path = join(folder, `s${String(i).padStart(2, '0')}.nwb`);
    await writeNwbFile(path, spec);
    paths.push(path);
  }
  return paths;
}
