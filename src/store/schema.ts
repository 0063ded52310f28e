/**
 * Run records: one TypeScript type per kind, checked at run time (zod) before a record is
 * written and after it is read back. The head (id, kind, createdAt, toolkitVersion, source,
 * params) is the same for every kind; the body carries the observables (see README "Run records").
 * Bodies are checked for the keys the CLI contract promises; richer detail passes through.
 */

import { z } from 'zod';

const finite = z.number();
const nullableNumber = z.number().nullable();

export const SourceSchema = z.looseObject({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$|^$/),
  kind: z.string(),
});

export const WarningSchema = z.looseObject({ code: z.string(), group: z.string().optional(), message: z.string() });

const head = {
  id: z.string().regex(/^[0-9a-f-]{36}$/),
  kind: z.string(),
  createdAt: z.string(),
  toolkitVersion: z.string(),
  source: z.union([SourceSchema, z.array(SourceSchema)]),
  params: z.record(z.string(), z.unknown()),
  /** Free text from --label, to tell runs apart. */
  label: z.string().max(200).optional(),
  /** Set by `neurorep batch`: the batch id and the session's resume key. */
  batch: z.object({ id: z.string(), key: z.string() }).optional(),
  /** Degenerate cases, never silent numbers (docs/observables.md section 6). */
  warnings: z.array(WarningSchema).optional(),
};

const interval = z.object({ lo: nullableNumber, hi: nullableNumber });
/**
 * 95 % intervals beside the observables (record key `intervals`, bounds per observable): grouped
 * jackknife (method, groups) since 2026-11-26; percentile bootstrap (resamples) before. Records
 * written before 2026-12-02 kept them under `bootstrap` with the bounds under `intervals`; they
 * are upgraded when read (store/record.ts, upgradeRecord).
 */
export const IntervalsSchema = z.looseObject({
  method: z.string().optional(),
  groups: z.number().int().optional(),
  resamples: z.number().int().optional(),
  seed: z.number(),
  skipped: z.number().int(),
  bounds: z.record(z.string(), interval),
  standardErrors: z.record(z.string(), nullableNumber).optional(),
});
/** A permutation null beside an observable. */
export const NullSchema = z.looseObject({ statistic: z.string(), samples: z.number().int(), mean: nullableNumber, sd: nullableNumber, pValue: z.number() });
const warnings = z.array(WarningSchema).optional();

export const SpectrumSchema = z.looseObject({
  effectiveDimension: finite,
  participationRatio: finite,
  alpha: nullableNumber,
  alphaRange: z.tuple([z.number(), z.number()]),
  alphaR2: nullableNumber,
  rank: z.number().int(),
  spectrum: z.array(finite),
});

const range = z.tuple([z.number(), z.number()]);

export const CvPcaSchema = z.looseObject({
  effectiveDimension: nullableNumber,
  participationRatio: nullableNumber,
  alpha: nullableNumber,
  alphaRange: range.optional(),
  spectrum: z.array(finite),
  signalVariance: z.array(finite),
  null: NullSchema.optional(),
});

export const DimensionBodySchema = SpectrumSchema.extend({
  n: z.number().int(),
  d: z.number().int(),
  totalVariance: finite,
  effectiveDimensionCorrected: nullableNumber.optional(),
  participationRatioCorrected: nullableNumber.optional(),
  cvPCA: CvPcaSchema.optional(),
  intervals: IntervalsSchema.optional(),
  warnings,
});

export const ComplexityBodySchema = z.looseObject({
  /** 'complexity/1', '/2' or '/3'; absent in records made before definitions were versioned (= 1). */
  definition: z.string().optional(),
  n: z.number().int(),
  p: z.number().int(),
  q: z.number().int(),
  m: z.number().int(),
  /** Null when nothing is predictable held out (warning 'unpredictable'). */
  complexity: nullableNumber,
  effectivePieces: nullableNumber,
  kStar: z.number().int(),
  /** A number before complexity/3; complexity/3 keeps it with its relative size and interval. */
  gain: z.union([
    finite,
    z.looseObject({ absolute: finite, relative: nullableNumber, interval: z.looseObject({ lo: finite, hi: finite }), weak: z.boolean() }),
  ]),
  linearR2: finite,
  bestR2: finite,
  curve: z.array(z.looseObject({ k: z.number().int(), r: finite, entropy: nullableNumber })),
  intervals: IntervalsSchema.optional(),
  null: NullSchema.optional(),
  warnings,
});

export const PatternsBodySchema = z.looseObject({
  n: z.number().int(),
  d: z.number().int(),
  switchingFraction: finite,
  curve: z.array(
    z.looseObject({
      k: z.number().int(),
      entropy: finite,
      entropyPerNeuron: finite,
      independentEntropy: finite,
      multiInformation: finite,
      null: NullSchema.optional(),
    }),
  ),
  entropyAll: finite,
  expEntropyAll: finite,
  saturated: z.boolean(),
  intervals: IntervalsSchema.optional(),
  warnings,
});

/** One area or layer inside a profile: dimension observables when defined, patterns, complexity. */
export const GroupSchema = z.looseObject({
  name: z.string(),
  n: z.number().int(),
  d: z.number().int(),
  effectiveDimension: finite.optional(),
  participationRatio: finite.optional(),
  alpha: nullableNumber.optional(),
  spectrum: z.array(finite).optional(),
  alphaRange: range.optional(),
  effectiveDimensionCorrected: nullableNumber.optional(),
  participationRatioCorrected: nullableNumber.optional(),
  cvPCA: CvPcaSchema.optional(),
  patterns: PatternsBodySchema.optional(),
  complexity: ComplexityBodySchema.optional(),
  intervals: IntervalsSchema.optional(),
  /** With --match-neurons: every observable at a common number of neurons (mean and sd over subsets). */
  matched: z
    .looseObject({ neurons: z.number().int(), observables: z.record(z.string(), z.looseObject({ mean: nullableNumber, sd: nullableNumber })) })
    .optional(),
  /** D_eff against the number of neurons (random subsets). */
  neuronCurve: z.array(z.looseObject({ neurons: z.number(), mean: z.number(), sd: z.number() })).optional(),
  stimulusCurve: z.array(z.looseObject({ stimuli: z.number(), mean: z.number(), sd: z.number(), corrected: nullableNumber })).optional(),
  skipped: z.record(z.string(), z.string()).optional(),
  warnings,
});

/** One window of a time-resolved analysis (analyze --sliding): per area, its scalars with intervals. */
export const TimeWindowSchema = z.looseObject({
  start: z.number(),
  stop: z.number(),
  groups: z.array(
    z.looseObject({
      name: z.string(),
      values: z.record(z.string(), nullableNumber),
      intervals: z.record(z.string(), range),
      warnings: z.array(z.string()),
    }),
  ),
});

export const TransitionSchema = ComplexityBodySchema.extend({ from: z.string(), to: z.string() });

export const RecordSchemas = {
  dimension: z.looseObject({ ...head, kind: z.literal('dimension') }).and(DimensionBodySchema),
  complexity: z.looseObject({ ...head, kind: z.literal('complexity') }).and(ComplexityBodySchema),
  patterns: z.looseObject({ ...head, kind: z.literal('patterns') }).and(PatternsBodySchema),
  analyze: z.looseObject({
    ...head,
    kind: z.literal('analyze'),
    session: z.looseObject({ identifier: z.string(), sessionDescription: z.string() }),
    groups: z.array(GroupSchema),
    transitions: z.array(TransitionSchema).optional(),
    timeResolved: z
      .looseObject({ width: z.number(), step: z.number(), windows: z.array(TimeWindowSchema) })
      .nullable()
      .optional(),
    warnings,
  }),
  network: z.looseObject({
    ...head,
    kind: z.literal('network'),
    layers: z.array(GroupSchema),
    transitions: z.array(TransitionSchema),
    inputTransitions: z.array(TransitionSchema).optional(),
    warnings,
  }),
  dynamics: z.looseObject({
    ...head,
    kind: z.literal('dynamics'),
    steps: z.array(z.number()),
    layers: z.array(z.string()),
    series: z.array(
      z.looseObject({
        layer: z.string(),
        observable: z.string(),
        values: z.array(nullableNumber),
        fit: z.looseObject({ a: nullableNumber, b: nullableNumber, r2: nullableNumber, points: z.number().int() }),
        // fits/2 (absent in records made before it).
        fits: z
          .array(
            z.looseObject({
              model: z.enum(['power', 'offset', 'logistic']),
              params: z.record(z.string(), z.number()),
              intervals: z.record(z.string(), z.tuple([z.number(), z.number()]).nullable()),
              aicc: z.number(),
              deltaAicc: z.number(),
            }),
          )
          .optional(),
        selected: z.enum(['power', 'offset', 'logistic']).nullable().optional(),
        range: z.tuple([z.number(), z.number()]).nullable().optional(),
        exponentByHalf: z.object({ lower: nullableNumber, upper: nullableNumber }).nullable().optional(),
        warnings: z.array(z.string()).optional(),
      }),
    ),
  }),
} as const;

export type RecordKind = keyof typeof RecordSchemas;
export const RECORD_KINDS = Object.keys(RecordSchemas) as RecordKind[];

export type DimensionRecord = z.infer<typeof RecordSchemas.dimension>;
export type ComplexityRecord = z.infer<typeof RecordSchemas.complexity>;
export type PatternsRecord = z.infer<typeof RecordSchemas.patterns>;
export type AnalyzeRecord = z.infer<typeof RecordSchemas.analyze>;
export type NetworkRecord = z.infer<typeof RecordSchemas.network>;
export type DynamicsRecord = z.infer<typeof RecordSchemas.dynamics>;
/** An area or layer inside an analyze or network record. */
export type GroupRecord = z.infer<typeof GroupSchema>;
export type TransitionRecord = z.infer<typeof TransitionSchema>;
export type WarningRecord = z.infer<typeof WarningSchema>;
export type NullRecord = z.infer<typeof NullSchema>;
export type RunRecord = DimensionRecord | ComplexityRecord | PatternsRecord | AnalyzeRecord | NetworkRecord | DynamicsRecord;

/** Check a record against its kind's schema; returns the problems (empty when valid). */
export function recordProblems(value: unknown): string[] {
  const kind = (value as { kind?: unknown })?.kind;
  if (typeof kind !== 'string' || !(kind in RecordSchemas)) return [`unknown record kind ${JSON.stringify(kind)}`];
  const res = RecordSchemas[kind as RecordKind].safeParse(value);
  if (res.success) return [];
  return res.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
}

/** Throw if a record does not match its schema. */
export function assertRecord(value: unknown): asserts value is RunRecord {
  const problems = recordProblems(value);
  if (problems.length > 0) throw new Error(`run record does not match its schema: ${problems.join('; ')}`);
}

/** Valid run ids: UUIDs as neurorep makes them. */
export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
