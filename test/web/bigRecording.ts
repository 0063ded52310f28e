/**
 * A recording of a gigabyte for the browser app's tests: the demo's session (units in two areas,
 * a trials table) beside raw voltage in /acquisition, as real recordings carry it: most of the
 * file's bytes are samples the analysis of units never reads. Written with h5wasm in slices of
 * 64 MiB (never a gigabyte in memory).
 */

import { h5 } from '../../adapters/nwb/h5Node.js';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { sessionNwbSpec, syntheticSession } from '../../src/analysis/synthetic.js';

export async function writeBigRecording(path: string, rawBytes: number): Promise<void> {
  await writeNwbFile(path, sessionNwbSpec(syntheticSession({ seed: 3 }), 'neurorep-big-recording'));
  const mod = await h5();
  const f = new mod.File(path, 'a');
  try {
    const channels = 64;
    const rows = Math.ceil(rawBytes / (2 * channels));
    const slab = (64 << 20) / (2 * channels);
    const g = f.create_group('acquisition/raw');
    g.create_attribute('neurodata_type', 'TimeSeries');
    g.create_attribute('namespace', 'core');
    const d = g.create_dataset({
      name: 'data',
      data: new Int16Array(slab * channels),
      shape: [slab, channels],
      dtype: '<h',
      maxshape: [null, channels],
      chunks: [16384, channels],
    });
    d.resize([rows, channels]);
    const block = new Int16Array(slab * channels);
    for (let i = 0; i < block.length; i++) block[i] = ((i * 2654435761) >>> 20) - 2048;
    for (let r = slab; r < rows; r += slab) {
      const end = Math.min(rows, r + slab);
      d.write_slice(
        [
          [r, end],
          [0, channels],
        ],
        end - r === slab ? block : block.subarray(0, (end - r) * channels),
      );
    }
  } finally {
    f.close();
  }
}
