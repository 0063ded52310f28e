/** The parameters that tell runs of the same file apart, as one short line (pure, for lists and pages). */

/** Parameters that distinguish runs, in this order, when a run record has them. */
const KEY_PARAMS = [
  'table',
  'align',
  'window',
  'sliding',
  'bin',
  'stimulus',
  'groupBy',
  'series',
  'key',
  'keyX',
  'keyY',
  'layers',
  'order',
  'pool',
  'definition',
  'threshold',
  'source',
  'standardize',
  'matchNeurons',
  'intervals',
  'nulls',
  'seed',
];

/** `table trials, window 0-0.25, stimulus orientation, ...`: the parameters that tell runs apart. */
export function keyParams(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of KEY_PARAMS) {
    const v = params[k];
    if (v === undefined || v === null || v === false || (v === 0 && k !== 'seed')) continue;
    const sliding = v as { start: number; stop: number; step: number; width: number };
    const text =
      k === 'sliding'
        ? `${sliding.start}-${sliding.stop} every ${sliding.step} (width ${sliding.width})`
        : Array.isArray(v)
          ? v.join(k === 'window' ? '-' : ',')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
    parts.push(v === true ? k : `${k} ${text}`);
  }
  return parts.join(', ').slice(0, 200);
}
