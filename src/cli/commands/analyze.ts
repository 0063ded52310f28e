/** `neurorep analyze`: an NWB recording -> stimulus-locked matrices per brain area -> every observable. */

import { complexityText } from '../../analysis/complexityText.js';
import { count } from '../text.js';
import { InputError } from '../../core/matrix.js';
import { analyzeNwb, type AnalyzeOptions, type AnalyzeResult, type SlidingWindows, type TimeResolved } from '../../analysis/analyzeNwb.js';
import { join } from 'node:path';
import { isUrl } from '../../../adapters/nwb/index.js';
import type { RemoteOptions } from '../../../adapters/remote/remoteFile.js';
import { sha256Later } from '../../io/hash.js';
import { expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { fmt, type Context } from '../context.js';
import { sourceOf, toRunRecord } from '../../store/record.js';
import {
  alphaText,
  ciText,
  meanSdText,
  COMPLEXITY_OPTIONS,
  complexityOptionsOf,
  CORRECTION_OPTION,
  intervalOptions,
  intervalsOf,
  MATCH_OPTION,
  matchOf,
  NULL_OPTION,
  nullsOf,
  nullText,
  printable,
  warningLines,
} from '../observableOptions.js';
import { finishRun } from '../save.js';

export const analyzeCommand = defineCommand({
  name: 'analyze',
  summary: 'NWB recording -> stimulus-locked responses per brain area -> every observable',
  usage:
    'analyze <file.nwb> [--table trials|epochs|NAME] [--align COLUMN] [--window A,B] [--group-by location|COLUMN] [--stimulus COLUMN] [--sliding START,STOP,STEP --width W] [--null [N]] [--intervals [G]] [--match-neurons [D]] [--json]',
  description: [
    'Rows are the intervals of a table (default trials, else the first under /intervals); for each',
    'row, spikes per unit are counted in [t + A, t + B) with t the --align column (default',
    'start_time, window 0,0.25 s); for ophys the trace is averaged over the samples in the window.',
    'Rows whose alignment time is NaN are dropped and counted. Units are split by brain area',
    '(electrode location) unless --group-by names a units column.',
    'With --stimulus, rows are grouped by stimulus identity: D_eff uses the trial-averaged matrix',
    'and cvPCA the repeats; complexity maps the stimulus (number, or one-hot categories) to the',
    'single-trial responses. A file without interval tables is cut into --bin second bins.',
    'Areas of different sizes: --match-neurons recomputes every observable at a common count.',
    'Over time: --sliding -0.2,0.8,0.05 --width 0.1 also computes every observable per area in',
    'each window after the alignment time (spike counts per window; ophys: samples in the window),',
    'with intervals, shown against time on the run page; `compare` of such a run with a network',
    'gives each similarity over time for the best layer.',
  ].join('\n'),
  storesRuns: true,
  options: {
    table: { type: 'string', arg: 'NAME', help: 'interval table under /intervals (default trials, else the first)' },
    align: { type: 'string', arg: 'COLUMN', help: 'interval column with the alignment times (default start_time)' },
    window: { type: 'string', arg: 'A,B', help: 'window after the alignment time, seconds (default 0,0.25)' },
    'group-by': { type: 'string', arg: 'location|COLUMN', help: 'split units by brain area (default), a units column or an electrodes-table column' },
    stimulus: { type: 'string', arg: 'COLUMN', help: "interval column with each row's stimulus identity" },
    series: { type: 'string', arg: 'NAME', help: 'ophys RoiResponseSeries to use (default: DfOverF, else RoiResponseSeries)' },
    bin: { type: 'number', min: 1e-6, arg: 'SECONDS', help: 'rows are consecutive time bins of this width instead of intervals' },
    sliding: {
      type: 'string',
      arg: 'START,STOP,STEP',
      help: 'also every observable per area in windows [t, t + W) for t = START, START + STEP, ... (seconds from the --align time; needs --width)',
    },
    width: { type: 'number', min: 1e-6, arg: 'W', help: 'window width for --sliding, seconds' },
    transitions: { type: 'boolean', help: 'also the complexity between consecutive areas (area A -> area B) on single trials' },
    'area-order': { type: 'string', arg: 'A,B,...', help: 'with --transitions: the order of the areas (default: as they appear in the file)' },
    ...COMPLEXITY_OPTIONS,
    ...intervalOptions('every observable per area'),
    null: NULL_OPTION,
    'match-neurons': MATCH_OPTION,
    'correct-max-rank': CORRECTION_OPTION,
    seed: SEED_OPTION,
    cache: { type: 'string', arg: 'DIR', help: 'for http(s) URLs: keep fetched blocks here between runs (default <store>/remote-cache)' },
    json: jsonOption(),
  },
  async run(args, ctx) {
    const [path] = expectPositionals(args, ['file.nwb'], 'analyze');
    const o = args.options;
    const opts: AnalyzeOptions = {
      table: o.table,
      align: o.align,
      window: o.window === undefined ? undefined : parseWindow(o.window),
      groupBy: o['group-by'],
      stimulus: o.stimulus,
      series: o.series,
      bin: o.bin,
      seed: o.seed,
      intervals: intervalsOf(args),
      nulls: nullsOf(args),
      transitions: o.transitions === true,
      areaOrder:
        o['area-order'] === undefined
          ? undefined
          : o['area-order']
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean),
      complexity: complexityOptionsOf(args),
      matchNeurons: matchOf(args),
      correctionMaxRank: o['correct-max-rank'],
      remote: isUrl(path) ? remoteOptions(o.cache, ctx) : undefined,
      sliding: slidingOf(o.sliding, o.width),
    };
    const { record, representations, text } = await runAnalysis(path, opts, ctx);
    finishRun(ctx, record, text, representations);
    return 0;
  },
});

/** The analysis as a run record, the representations to store, and the human summary. */
export async function runAnalysis(path: string, opts: AnalyzeOptions, ctx: Context) {
  const hash = isUrl(path) ? null : sha256Later(path);
  const result = await analyzeNwb(path, { ...opts, onProgress: (label, d, t) => ctx.progress(label, d, t), log: (line) => ctx.log(line) });
  const { locked, representations, params, remote, ...body } = result;
  // A remote recording is identified by its URL, the server's ETag and size (a sha256 would need
  // every byte), with the bytes this run fetched.
  const source = remote
    ? {
        path: remote.url,
        sha256: '',
        kind: 'nwb',
        url: remote.url,
        etag: remote.etag,
        size: remote.size,
        bytesFetched: remote.fetchedBytes,
        requests: remote.requests,
      }
    : sourceOf(path, 'nwb', hash!);
  if (remote) ctx.log(`${remote.url}: fetched ${formatBytes(remote.fetchedBytes)} of ${formatBytes(remote.size)} in ${remote.requests} requests`);
  const record = toRunRecord('analyze', source, params, body);
  return { record, representations, text: formatAnalysis(path, result) };
}

/** NEUROREP_REMOTE_BLOCK_KIB: a whole number of KiB from 1 to 65536, or null when unset. */
export function remoteBlockKiB(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1 || v > 65536)
    throw new InputError(`NEUROREP_REMOTE_BLOCK_KIB must be a whole number of KiB from 1 to 65536, got '${value}'`);
  return v;
}

/** Block cache and progress for a recording read over HTTP(S). */
export function remoteOptions(cacheDir: string | undefined, ctx: Context): RemoteOptions {
  const blockKiB = remoteBlockKiB(process.env.NEUROREP_REMOTE_BLOCK_KIB);
  // With --no-store nothing is written under the store, the block cache included (unless --cache names one).
  const dir = cacheDir ?? (ctx.noStore ? undefined : join(ctx.store, 'remote-cache'));
  return {
    ...(dir !== undefined ? { cacheDir: dir } : {}),
    ...(blockKiB !== null ? { blockSize: blockKiB * 1024 } : {}),
    onNote: (note) => ctx.log(note),
    onFetch: (fetched, size) => ctx.progress(`fetched ${formatBytes(fetched)} of ${formatBytes(size)}`, Math.min(fetched, size), size),
  };
}

export function formatBytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

export function parseWindow(text: string): [number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) throw new UsageError(`--window expects two numbers A,B in seconds, got '${text}'`);
  if (!(parts[1] > parts[0])) throw new UsageError(`--window ${text}: B must be greater than A`);
  return [parts[0], parts[1]];
}

/** --sliding START,STOP,STEP with --width W, checked. */
export function slidingOf(text: string | undefined, width: number | undefined): SlidingWindows | undefined {
  if (text === undefined) {
    if (width !== undefined) throw new UsageError('--width is the window width of --sliding; give --sliding START,STOP,STEP too');
    return undefined;
  }
  const parts = text.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v)))
    throw new UsageError(`--sliding expects three numbers START,STOP,STEP in seconds, got '${text}'`);
  const [start, stop, step] = parts;
  if (!(step > 0)) throw new UsageError(`--sliding ${text}: STEP must be positive`);
  if (!(stop > start)) throw new UsageError(`--sliding ${text}: STOP must be greater than START`);
  if (width === undefined) throw new UsageError('--sliding needs --width W, the window width in seconds');
  return { start, stop, step, width };
}

/** The time course of every area as text: one line per window. */
function timeCourseLines(tr: TimeResolved): string[] {
  const lines = [
    ``,
    `  over time (windows of ${tr.width} s every ${tr.step} s after ${tr.align ?? 'the alignment time'}; a window without reliable stimulus-driven signal`,
    `  has a high plain D_eff from trial noise alone: read it with cvPCA D_eff and the warnings):`,
  ];
  const areas = [...new Set(tr.windows.flatMap((w) => w.groups.map((g) => g.name)))];
  for (const area of areas) {
    lines.push(`  - ${area}:`, `      window (s)      D_eff [95% CI]            cvPCA D_eff   switching   complexity   warnings`);
    for (const w of tr.windows) {
      const g = w.groups.find((x) => x.name === area);
      if (!g) continue;
      const ci = g.intervals.effectiveDimension ? ` [${fmt(g.intervals.effectiveDimension[0], 3)}, ${fmt(g.intervals.effectiveDimension[1], 3)}]` : '';
      lines.push(
        `      ${`[${w.start}, ${w.stop})`.padEnd(16)}${`${fmt(g.values.effectiveDimension, 3)}${ci}`.padEnd(26)}${fmt(g.values.cvPcaEffectiveDimension, 3).padEnd(14)}${fmt(g.values.switchingFraction, 3).padEnd(12)}${fmt(g.values.complexity, 3).padEnd(13)}${[...new Set(g.warnings)].join(', ')}`,
      );
    }
  }
  return lines;
}

export function formatAnalysis(path: string, r: AnalyzeResult): string {
  const l = r.locked;
  const rows = l.table
    ? `${l.keptRows.length} of ${l.rowsTotal} rows of ${l.table}, ${l.source === 'spikes' ? 'spike counts' : 'mean trace'} in [${l.align} + ${l.window[0]}, ${l.align} + ${l.window[1]}) s`
    : `${l.keptRows.length} time bins of ${l.window[1]} s`;
  const lines = [`${path}: ${rows}`];
  if (l.rowsDroppedNaN) lines.push(`  ${l.rowsDroppedNaN} rows dropped: ${l.align} is NaN`);
  if (l.rowsDroppedInfinite) lines.push(`  ${l.rowsDroppedInfinite} rows dropped: ${l.align} is infinite`);
  if (l.rowsDroppedStimulusNaN) lines.push(`  ${l.rowsDroppedStimulusNaN} rows dropped: stimulus value is NaN`);
  if (l.rowsDroppedStimulusInfinite) lines.push(`  ${l.rowsDroppedStimulusInfinite} rows dropped: stimulus value is infinite`);
  if (l.nonFinite.deadRois.length) lines.push(`  ${l.nonFinite.deadRois.length} ROIs left out: no finite sample in any window`);
  if (l.rowsDroppedEmpty) lines.push(`  ${l.rowsDroppedEmpty} rows dropped: no trace sample in the window`);
  if (l.stimulus) lines.push(`  stimulus: ${l.stimulus.column} (${new Set(l.stimulus.values.map(String)).size} distinct)`);
  lines.push(`  groups by ${l.groupBy}:`);
  for (const g of r.groups) {
    const iv = g.intervals?.bounds;
    lines.push(`  - ${g.name}: ${count(g.d, 'neuron')}, ${l.stimulus ? count(g.n, 'stimulus', 'stimuli') : count(g.n, 'row')}`);
    if (g.effectiveDimension !== undefined) {
      lines.push(
        `      D_eff ${fmt(g.effectiveDimension)}${ciText(iv, 'effectiveDimension')}, corrected ${fmt(g.effectiveDimensionCorrected)}${ciText(iv, 'effectiveDimensionCorrected')}; PR ${fmt(g.participationRatio)}, alpha ${fmt(g.alpha)}`,
      );
    }
    if (g.cvPCA) {
      const c = g.cvPCA;
      lines.push(
        `      cvPCA D_eff ${fmt(c.effectiveDimension)}${ciText(iv, 'cvEffectiveDimension')}, alpha ${alphaText(c.alpha, c.alphaRange)}, reliable variance ${fmt(c.reliableVarianceFraction)}${nullText(c.null)}`,
      );
    }
    if (g.patterns) {
      const mi = g.patterns.curve[g.patterns.curve.length - 1];
      lines.push(
        `      switching ${fmt(g.patterns.switchingFraction)}, S_all ${fmt(g.patterns.entropyAll)} nats${g.patterns.saturated ? ' (saturated)' : ''}${mi ? `, I(${mi.k}) ${fmt(mi.multiInformation)}${nullText(mi.null)}` : ''}`,
      );
    }
    if (g.complexity) {
      const c = g.complexity;
      lines.push(
        `      complexity stimulus -> responses: C ${complexityText(c)} (K* ${c.kStar})${ciText(c.intervals?.bounds, 'complexity')}, linear R^2 ${fmt(c.linearR2)}, best R^2 ${fmt(c.bestR2)}${nullText(c.null)}`,
      );
    }
    if (g.matched) {
      const m = g.matched.observables;
      const ms = (k: string) => meanSdText(m[k]);
      lines.push(
        `      at ${g.matched.neurons} neurons (${g.matched.subsets} subsets): D_eff ${ms('effectiveDimension')}, corrected ${ms('effectiveDimensionCorrected')}, switching ${ms('switchingFraction')}${m.complexity ? `, C ${ms('complexity')}` : ''}`,
      );
    }
  }
  for (const t of r.transitions)
    lines.push(`  complexity ${t.from} -> ${t.to}: C ${complexityText(t)} (K* ${t.kStar}), linear R^2 ${fmt(t.linearR2)}${nullText(t.null)}`);
  if (r.timeResolved) lines.push(...timeCourseLines(r.timeResolved));
  lines.push(...warningLines(r.warnings));
  return printable(lines.join('\n'));
}
