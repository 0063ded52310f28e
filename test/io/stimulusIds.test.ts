/**
 * Stimulus ids as strings: numpy's unicode ('<U', '>U') and bytes ('|S') arrays in .npy and .npz
 * (fixtures written by numpy, test/fixtures/make_fixtures.py label_fixtures), id files beside the
 * activations, and the errors for what cannot be read.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpyLabels } from '../../src/io/npy.js';
import { NpzFile } from '../../src/io/npz.js';
import { readStimulusIdsFile } from '../../src/io/stimulusIdsFile.js';
import { readActivations } from '../../adapters/network/index.js';
import { tempDir } from '../helpers.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'npy');
const NAMES: string[] = JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')).names;

test('string ids written by numpy read back exactly: <U (both byte orders), |S (UTF-8), and inside an .npz', (t) => {
  for (const f of ['labels_U.npy', 'labels_U_be.npy', 'labels_S.npy']) t.deepEqual(parseNpyLabels(readFileSync(join(DIR, f)), f), NAMES, f);
  const npz = NpzFile.open(join(DIR, 'labelled_acts.npz'));
  t.deepEqual(npz.labels('stimulus_ids'), NAMES);
  npz.close();
  // Numbers stay numbers (a 1-D numeric array).
  const dir = tempDir();
  writeFileSync(join(dir, 'n.json'), '[3, 1, 2]');
  t.deepEqual(readStimulusIdsFile(join(dir, 'n.json'), 3), [3, 1, 2]);
});

test('an activation archive with string stimulus_ids names its stimuli; a pickled object array is refused with what to do', (t) => {
  const acts = readActivations(join(DIR, 'labelled_acts.npz'));
  t.deepEqual(acts.stimulusIds, NAMES);
  t.deepEqual(
    acts.layers.map((l) => l.name),
    ['relu1'],
  );
  const err = t.throws(() => parseNpyLabels(readFileSync(join(DIR, 'labels_O.npy')), 'labels_O.npy'));
  t.regex(err!.message, /labels_O\.npy: an object array \(pickled Python objects\) is not read; save the ids as strings, e\.g\. np\.asarray\(ids, dtype=str\)/);
});

test('id files beside the activations: text (with a header), CSV with quotes, JSON; wrong counts and empty ids name the file', (t) => {
  const dir = tempDir();
  const txt = join(dir, 'ids.txt');
  writeFileSync(txt, 'stimulus_id\nimg b\nimg a\n"img, c"\n');
  t.deepEqual(readStimulusIdsFile(txt, 3), ['img b', 'img a', 'img, c']);
  const json = join(dir, 'ids.json');
  writeFileSync(json, JSON.stringify(['b', 2, 'c']));
  t.deepEqual(readStimulusIdsFile(json, 3), ['b', 2, 'c']);
  t.regex(t.throws(() => readStimulusIdsFile(txt, 4))!.message, /ids\.txt: 3 stimulus ids for 4 rows of activations/);
  writeFileSync(txt, 'a\n\nb\n');
  t.regex(t.throws(() => readStimulusIdsFile(txt, 3))!.message, /ids\.txt: stimulus id 2 is empty/);
  writeFileSync(json, '{"a": 1}');
  t.regex(t.throws(() => readStimulusIdsFile(json, 1))!.message, /ids\.json: expected a JSON array of stimulus ids/);
  t.regex(t.throws(() => readStimulusIdsFile(join(dir, 'ids.xlsx'), 1))!.message, /ids\.xlsx/);
});
