/** `neurorep analyze`: an NWB recording -> stimulus-locked matrices per brain area -> every observable. */

import { NwbFile, lockResponses, type LockedResponses, type LockOptions } from '../../../adapters/nwb/index.js';
import { profileGroup, stimulusFeatures, type GroupProfile } from '../../analysis/profile.js';
import { defaultThreshold } from '../../core/patterns.js';
import { bootstrapOption, expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { fmt, recordHead, sourceOf, toJson, type Context } from '../context.js';
import type { StoredRepresentation } from '../../store/runStore.js';
import { saveRun } from '../save.js';
import { sha256Later } from '../../io/hash.js';
import { representationOf } from '../../analysis/representation.js';
import { averageRowGroups, groupRowsByStimulus, InputError, type ResponseMatrix } from '../../core/matrix.js';
import { mapComplexity } from '../../core/complexity.js';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'NWB recording -> stimulus-locked responses per brain area -> every observable',
  usage: 'analyze <file.nwb> [--table trials|epochs|NAME] [--align COLUMN] [--window A,B] [--group-by location|COLUMN] [--stimulus COLUMN] [--json]',
  description: [
    'Rows are the intervals of a table (default trials, else the first under /intervals); for each',
    'row, spikes per unit are counted in [t + A, t + B) with t the --align column (default',
    'start_time, window 0,0.25 s); for ophys the trace is averaged over the samples in the window.',
    'Rows whose alignment time is NaN are dropped and counted. Units are split by brain area',
    '(electrode location) unless --group-by names a units column.',
    'With --stimulus, rows are grouped by stimulus identity: D_eff uses the trial-averaged matrix',
    'and cvPCA the repeats; complexity maps the stimulus (number, or one-hot categories) to the',
    'single-trial responses. A file without interval tables is cut into --bin second bins.',
  ].join('\n'),
  options: {
    table: { type: 'string', arg: 'NAME', help: 'interval table under /intervals (default trials, else the first)' },
    align: { type: 'string', arg: 'COLUMN', help: 'interval column with the alignment times (default start_time)' },
    window: { type: 'string', arg: 'A,B', help: 'window after the alignment time, seconds (default 0,0.25)' },
    'group-by': { type: 'string', arg: 'location|COLUMN', help: 'split units by brain area (default) or by a units column' },
    stimulus: { type: 'string', arg: 'COLUMN', help: 'interval column with each row\'s stimulus identity' },
    series: { type: 'string', arg: 'NAME', help: 'ophys RoiResponseSeries to use (default: DfOverF, else RoiResponseSeries)' },
    bin: { type: 'number', min: 1e-6, arg: 'SECONDS', help: 'rows are consecutive time bins of this width instead of intervals' },
    transitions: { type: 'boolean', help: 'also the complexity between consecutive areas (area A -> area B) on single trials' },
    'area-order': { type: 'string', arg: 'A,B,...', help: 'with --transitions: the order of the areas (default: as they appear in the file)' },
    bootstrap: bootstrapOption('D_eff, PR and alpha per group'),
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  async run(args, ctx) {
    const [path] = expectPositionals(args, ['file.nwb'], 'analyze');
    const o = args.options;
    const { record, representations, text } = await runAnalysis(path, {
      table: o.table as string | undefined,
      align: o.align as string | undefined,
      window: o.window === undefined ? undefined : parseWindow(o.window as string),
      groupBy: o['group-by'] as string | undefined,
      stimulus: o.stimulus as string | undefined,
      series: o.series as string | undefined,
      bin: o.bin as number | undefined,
      seed: o.seed as number | undefined,
      bootstrap: o.bootstrap as number | undefined,
      transitions: o.transitions === true,
      areaOrder: o['area-order'] === undefined ? undefined : (o['area-order'] as string).split(',').map((a) => a.trim()).filter(Boolean),
    }, ctx);
    saveRun(ctx, record, representations);
    ctx.io.out((ctx.json ? toJson(record) : text) + '\n');
    return 0;
  },
};

export interface AnalysisRequest extends LockOptions {
  seed?: number;
  bootstrap?: number;
  /** Complexity between consecutive areas (area A -> area B). */
  transitions?: boolean;
  /** Area order for the transitions (default: file order). */
  areaOrder?: string[];
}

/** Open an NWB file, build the stimulus-locked matrices and profile every group: the run record, the representations to store, and the human summary. */
export async function runAnalysis(path: string, req: AnalysisRequest, ctx: Context): Promise<{ record: Record<string, unknown>; representations: () => (StoredRepresentation | null)[]; text: string }> {
  const seed = req.seed ?? 0;
  const nwb = await NwbFile.open(path);
  const hash = sha256Later(path);
  try {
    const session = nwb.session();
    const locked = lockResponses(nwb, req);
    ctx.log(`${path}: ${locked.groups.length} group${locked.groups.length === 1 ? '' : 's'}, ${locked.keptRows.length} rows${locked.rowsDroppedNaN ? ` (${locked.rowsDroppedNaN} dropped: NaN ${locked.align})` : ''}`);
    const features = locked.stimulus ? stimulusFeatures(locked.stimulus.values, locked.stimulus.numeric) : undefined;
    const threshold = defaultThreshold(locked.source);
    const groups: GroupProfile[] = locked.groups.map((g) =>
      profileGroup(
        { name: g.name, trials: g.matrix, stimulusIds: locked.stimulus?.values, stimulusFeatures: features, threshold },
        { seed, bootstrap: req.bootstrap, onProgress: (label, d, t) => ctx.progress(label, d, t) },
      ),
    );
    const ordered = req.transitions ? orderAreas(locked.groups, req.areaOrder, path) : [];
    const params = {
      table: locked.table,
      align: locked.align,
      window: locked.window,
      groupBy: locked.groupBy,
      stimulus: locked.stimulus?.column ?? null,
      series: locked.series,
      bin: req.bin ?? null,
      transitions: req.transitions === true,
      areaOrder: req.transitions ? ordered.map((g) => g.name) : null,
      threshold,
      seed,
      bootstrap: req.bootstrap ?? 0,
    };
    // Complexity between consecutive areas (area A -> area B), on the same single-trial rows.
    const transitions = [];
    for (let i = 0; i + 1 < ordered.length; i++) {
      const from = ordered[i], to = ordered[i + 1];
      try {
        transitions.push({ from: from.name, to: to.name, ...mapComplexity(from.matrix, to.matrix, { seed, onProgress: (d, t) => ctx.progress(`${from.name} -> ${to.name}`, d, t) }) });
      } catch (err) {
        if (!(err instanceof InputError)) throw err; // a silent area has nothing to map
      }
    }
    const record = {
      ...recordHead('analyze', sourceOf(path, 'nwb', hash), params),
      session,
      sourceKind: locked.source,
      rowsTotal: locked.rowsTotal,
      rowsDroppedNaN: locked.rowsDroppedNaN,
      rowsDroppedEmpty: locked.rowsDroppedEmpty,
      groups: groups.map((g, i) => ({ ...g, neuronIds: locked.groups[i].neuronIds })),
      transitions,
    };
    const representations = () => locked.groups.map((g) => representationOfGroup(g.name, g.matrix, locked));
    return { record, representations, text: formatAnalysis(path, locked, groups, transitions) };
  } finally {
    nwb.close();
  }
}

export function parseWindow(text: string): [number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) throw new UsageError(`--window expects two numbers A,B in seconds, got '${text}'`);
  if (!(parts[1] > parts[0])) throw new UsageError(`--window ${text}: B must be greater than A`);
  return [parts[0], parts[1]];
}

function formatAnalysis(path: string, l: LockedResponses, groups: GroupProfile[], transitions: { from: string; to: string; complexity: number; kStar: number; linearR2: number }[]): string {
  const rows = l.table
    ? `${l.keptRows.length} of ${l.rowsTotal} rows of ${l.table}, ${l.source === 'spikes' ? 'spike counts' : 'mean trace'} in [${l.align} + ${l.window[0]}, ${l.align} + ${l.window[1]}) s`
    : `${l.keptRows.length} time bins of ${l.window[1]} s`;
  const lines = [`${path}: ${rows}`];
  if (l.rowsDroppedNaN) lines.push(`  ${l.rowsDroppedNaN} rows dropped: ${l.align} is NaN`);
  if (l.rowsDroppedEmpty) lines.push(`  ${l.rowsDroppedEmpty} rows dropped: no trace sample in the window`);
  if (l.stimulus) lines.push(`  stimulus: ${l.stimulus.column} (${new Set(l.stimulus.values.map(String)).size} distinct)`);
  lines.push(`  groups by ${l.groupBy}:`);
  for (const g of groups) {
    lines.push(`  - ${g.name}: ${g.d} neurons, ${g.n} ${l.stimulus ? 'stimuli' : 'rows'}`);
    const ci = g.bootstrap?.intervals.effectiveDimension;
    if (g.effectiveDimension !== undefined) lines.push(`      D_eff ${fmt(g.effectiveDimension)}${ci ? ` [95% CI ${fmt(ci.lo)}, ${fmt(ci.hi)}]` : ''}, PR ${fmt(g.participationRatio)}, alpha ${fmt(g.alpha)}${g.cvPCA ? `; cvPCA D_eff ${fmt(g.cvPCA.effectiveDimension)}, alpha ${fmt(g.cvPCA.alpha)}` : ''}`);
    if (g.patterns) lines.push(`      switching ${fmt(g.patterns.switchingFraction)}, S_all ${fmt(g.patterns.entropyAll)} nats${g.patterns.saturated ? ' (saturated)' : ''}`);
    if (g.complexity) lines.push(`      complexity stimulus -> responses: C ${fmt(g.complexity.complexity)} (K* ${g.complexity.kStar}), linear R^2 ${fmt(g.complexity.linearR2)}, best R^2 ${fmt(g.complexity.bestR2)}`);
    for (const [k, why] of Object.entries(g.skipped)) lines.push(`      ${k}: skipped (${why})`);
  }
  for (const t of transitions) lines.push(`  complexity ${t.from} -> ${t.to}: C ${fmt(t.complexity)} (K* ${t.kStar}), linear R^2 ${fmt(t.linearR2)}`);
  return lines.join('\n');
}

/** The representation compared across runs: trial-averaged per stimulus id when stimuli are given, else the rows with their table row numbers as ids. */
function representationOfGroup(name: string, trials: ResponseMatrix, l: LockedResponses) {
  if (!l.stimulus) return representationOf(name, trials, l.keptRows);
  const groups = groupRowsByStimulus(l.stimulus.values);
  return representationOf(name, averageRowGroups(trials, groups.rows), groups.ids);
}

/** The groups in the requested order (every name must exist), or in file order. */
function orderAreas<T extends { name: string }>(groups: T[], order: string[] | undefined, path: string): T[] {
  if (!order) return groups;
  return order.map((name) => {
    const g = groups.find((x) => x.name === name);
    if (!g) throw new InputError(`${path}: --area-order names '${name}', but the areas are: ${groups.map((x) => x.name).join(', ')}`);
    return g;
  });
}
