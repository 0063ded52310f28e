/**
 * Stimulus ids from a file of their own, one per row of the activations they name: a text or CSV
 * file with one id per line (a first line `stimulus_id` or `id` is a header), a JSON array of
 * strings or numbers, or a 1-D .npy of numbers or strings (numpy's '<U' / '|S' dtypes).
 */

import { extname } from 'node:path';
import { InputError } from '../core/matrix.js';
import { readInputFile } from './matrixFile.js';
import { parseNpyLabels } from './npy.js';

/** The ids in `path` (checked: `n` of them, none empty). */
export function readStimulusIdsFile(path: string, n: number): (string | number)[] {
  const ext = extname(path).toLowerCase();
  const bytes = readInputFile(path);
  let ids: (string | number)[];
  if (ext === '.npy') ids = parseNpyLabels(bytes, path);
  else if (ext === '.json') {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw new InputError(`${path}: not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(doc) || doc.some((v) => typeof v !== 'string' && typeof v !== 'number'))
      throw new InputError(`${path}: expected a JSON array of stimulus ids (strings or numbers)`);
    ids = doc as (string | number)[];
  } else if (ext === '.csv' || ext === '.txt' || ext === '.tsv') {
    const lines = new TextDecoder()
      .decode(bytes)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .map((l) => (l.startsWith('"') && l.endsWith('"') && l.length >= 2 ? l.slice(1, -1).replace(/""/g, '"') : l));
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    if (lines.length && /^(stimulus_ids?|ids?)$/i.test(lines[0])) lines.shift();
    ids = lines;
  } else throw new InputError(`${path}: stimulus ids are read from .txt, .csv, .json or .npy files, got '${ext || '(no extension)'}'`);
  if (ids.length !== n) throw new InputError(`${path}: ${ids.length} stimulus ids for ${n} rows of activations`);
  const empty = ids.findIndex((v) => v === '' || (typeof v === 'number' && !Number.isFinite(v)));
  if (empty >= 0) throw new InputError(`${path}: stimulus id ${empty + 1} is empty or not a finite number`);
  return ids;
}
