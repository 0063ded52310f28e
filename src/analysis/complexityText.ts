/**
 * How a complexity number is read, the same everywhere it is shown (CLI text, pages, compare,
 * summary, dynamics): C with its seed interval, beside the held-out gain the pieces bring (and its
 * interval), marked weak or a lower bound when the record says so. Records of definitions 1 and 2
 * carry the gain as a bare number and no seed interval.
 */

/** What any complexity record (or a stored one, loosely typed) offers for reading. */
export interface ComplexityLike {
  complexity?: number | null;
  definition?: string;
  gain?: number | { absolute: number; relative?: number | null; interval?: { lo: number; hi: number }; weak?: boolean } | null;
  seedInterval?: { lo: number; hi: number; level?: number } | null;
  warnings?: readonly { code: string }[];
}

export interface GainReading {
  absolute: number;
  relative: number | null;
  interval: { lo: number; hi: number } | null;
  weak: boolean;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The gain of a record, whichever definition made it; null when it has none. */
export function gainOf(c: ComplexityLike | null | undefined): GainReading | null {
  const g = c?.gain;
  if (finite(g)) return { absolute: g, relative: null, interval: null, weak: false };
  if (g && typeof g === 'object' && finite(g.absolute)) {
    const iv = g.interval && finite(g.interval.lo) && finite(g.interval.hi) ? g.interval : null;
    return { absolute: g.absolute, relative: finite(g.relative) ? g.relative : null, interval: iv, weak: g.weak === true };
  }
  return null;
}

/** True when the record flags C as a lower bound. */
export function isLowerBound(c: ComplexityLike | null | undefined): boolean {
  return (c?.warnings ?? []).some((w) => w.code === 'complexity-lower-bound');
}

const short = (x: number) => String(Number(x.toPrecision(3)));
const percent = (x: number) => `${Number((100 * x).toPrecision(2))} %`;

/** `gain 0.6 % [0.2, 1]` (per cent of the target's variance, with its interval when the record has one); '' without a gain. */
export function gainText(c: ComplexityLike | null | undefined): string {
  const g = gainOf(c);
  if (!g) return '';
  const iv = g.interval ? ` [${Number((100 * g.interval.lo).toPrecision(2))}, ${Number((100 * g.interval.hi).toPrecision(2))}]` : '';
  return `gain ${percent(g.absolute)}${iv}${g.weak ? ': weak' : ''}`;
}

/**
 * What follows C in a reading: `[1.5, 1.81], gain 0.6 % [0.2, 1]: weak` (the seeds' range, the
 * gain), and `lower bound` when it is one; '' when there is nothing to add.
 */
export function complexityDetail(c: ComplexityLike | null | undefined): string {
  if (!c || !finite(c.complexity)) return '';
  const parts: string[] = [];
  // A linear map in every seed needs no range.
  if (c.seedInterval && finite(c.seedInterval.lo) && finite(c.seedInterval.hi) && c.seedInterval.hi > 0)
    parts.push(`[${short(c.seedInterval.lo)}, ${short(c.seedInterval.hi)}]`);
  const g = c.complexity > 0 ? gainText(c) : '';
  if (g) parts.push(g);
  if (isLowerBound(c)) parts.push('lower bound');
  return parts.join(', ');
}

/** One-line reading: `1.59 [1.5, 1.81], gain 0.6 % [0.2, 1]: weak`; '-' when C is missing. */
export function complexityText(c: ComplexityLike | null | undefined): string {
  if (!c || !finite(c.complexity)) return '-';
  const d = complexityDetail(c);
  return `${short(c.complexity)}${d ? ` ${d}` : ''}`;
}
