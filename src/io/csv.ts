/**
 * CSV matrices: one row per stimulus, one column per neuron, comma-separated; an optional first
 * row of neuron names (detected: it has a field that is not a number). Blank lines are skipped.
 */

import { InputError, responseMatrix, type ResponseMatrix } from '../core/matrix.js';

export function parseCsv(text: string, file: string): ResponseMatrix {
  const lines = text.split(/\r?\n/);
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((l, i) => {
    if (l.trim().length > 0) rows.push({ line: i + 1, fields: l.split(',').map((f) => f.trim()) });
  });
  if (rows.length === 0) throw new InputError(`${file}: the CSV file is empty`);
  let colLabels: string[] | undefined;
  if (rows[0].fields.some((f) => !isNumber(f))) {
    colLabels = rows[0].fields.map(unquote);
    rows.shift();
  }
  const d = colLabels?.length ?? rows[0]?.fields.length ?? 0;
  const data = new Float64Array(rows.length * d);
  rows.forEach(({ line, fields }, i) => {
    if (fields.length !== d) throw new InputError(`${file}: line ${line} has ${fields.length} values, expected ${d} (ragged rows)`);
    fields.forEach((f, j) => {
      if (!isNumber(f)) throw new InputError(`${file}: line ${line}, column ${j + 1}: '${f}' is not a number`);
      data[i * d + j] = parseNumber(f);
    });
  });
  return responseMatrix(rows.length, d, data, colLabels ? { colLabels } : {});
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

function isNumber(s: string): boolean {
  return NUMBER.test(s) || SPECIAL.test(s);
}

/** Numbers, plus nan/inf spelled as numpy writes them (so that validation can name them). */
function parseNumber(s: string): number {
  if (SPECIAL.test(s)) {
    if (/nan/i.test(s)) return NaN;
    return s.startsWith('-') ? -Infinity : Infinity;
  }
  return Number(s);
}

/** Serialise a matrix as CSV, with a header row when it has column labels. */
export function formatCsv(m: ResponseMatrix): string {
  const lines: string[] = [];
  if (m.colLabels) lines.push(m.colLabels.map((s) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)).join(','));
  for (let i = 0; i < m.n; i++) lines.push(Array.from(m.data.subarray(i * m.d, (i + 1) * m.d)).join(','));
  return lines.join('\n') + '\n';
}
