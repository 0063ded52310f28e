/**
 * JSON matrices: {"data": [[...], ...]} with optional "neurons" (column names) and "stimuli"
 * (row ids). null stands for a missing value and is rejected by validation as NaN.
 */

import { InputError, responseMatrix, type ResponseMatrix } from '../core/matrix.js';

export function parseJsonMatrix(text: string, file: string): ResponseMatrix {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(`${file}: the JSON is nested too deeply to read`);
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { data?: unknown }).data)) {
    throw new InputError(`${file}: expected an object {"data": [[...], ...]} (rows = stimuli)`);
  }
  const { data: rows, neurons, stimuli } = doc as { data: unknown[]; neurons?: unknown; stimuli?: unknown };
  const n = rows.length;
  const first = rows[0];
  const d = Array.isArray(first) ? first.length : 0;
  const data = new Float64Array(n * d);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new InputError(`${file}: data[${i}] is not a list of numbers`);
    if (row.length !== d) throw new InputError(`${file}: data[${i}] has ${row.length} values, expected ${d} (ragged rows)`);
    row.forEach((v, j) => {
      if (v === null) data[i * d + j] = NaN;
      else if (typeof v === 'number') data[i * d + j] = v;
      else throw new InputError(`${file}: data[${i}][${j}] is ${describe(v)}, not a number`);
    });
  });
  const labels: { colLabels?: string[]; rowLabels?: (string | number)[] } = {};
  if (neurons !== undefined) {
    if (!Array.isArray(neurons) || neurons.length !== d) throw new InputError(`${file}: "neurons" must list ${d} names`);
    labels.colLabels = neurons.map(String);
  }
  if (stimuli !== undefined) {
    if (!Array.isArray(stimuli) || stimuli.length !== n) throw new InputError(`${file}: "stimuli" must list ${n} ids`);
    labels.rowLabels = stimuli.map((s) => (typeof s === 'number' ? s : String(s)));
  }
  return responseMatrix(n, d, data, labels);
}

/** A short description of a JSON value for a message (never the whole value: it may be huge or deep). */
function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
