/**
 * `neurorep demo`: the main job on data neurorep makes itself. Writes a synthetic NWB session
 * (two simulated areas tuned to grating orientation, repeated trials, Poisson spikes) and the
 * activations of a small ReLU network that sees the same orientations, analyzes both, stores the
 * runs, prints the comparison, and with --serve opens the viewer on them.
 */

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeNwbFile } from '../../../adapters/nwb/write.js';
import { firstAppearance, sessionNwbSpec, syntheticNetwork, syntheticSession } from '../../analysis/synthetic.js';
import { compareRuns } from '../../analysis/compare.js';
import { expandMetrics } from '../../analysis/similarityTables.js';
import { writeNpz } from '../../io/matrixFile.js';
import { RunStore } from '../../store/runStore.js';
import type { RunRecord } from '../../store/schema.js';
import { expectPositionals, jsonOption, UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { toJson } from '../context.js';
import { saveRun } from '../save.js';
import { runAnalysis } from './analyze.js';
import { formatComparison } from './compare.js';
import { runNetworkProfile } from './network.js';
import { startServer } from './serve.js';

/** Permutations behind the demo's p-values (p >= 1 / (N + 1)). */
const DEMO_NULLS = 99;
const DEMO_COMPLEXITY_NULLS = 19;

/** The measures the demo compares with (the shape family where compare's default has Procrustes alone). */
const DEMO_METRICS = ['predictivity', 'rsa', 'shape', 'cka'];

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'synthetic NWB session + small network, analyzed, stored and compared (add --serve to browse)',
  usage: 'demo [--serve] [--port 8080] [--seed S] [--store DIR]',
  description: [
    'Generates, in <store>/demo/: session.nwb, a recording of two simulated areas (V1: 60 sharply',
    'tuned neurons; LM: 40 broadly tuned) over 72 grating orientations x 6 repeats with Poisson',
    'spikes; and network.npz, the ReLU layers of a random 2-64-64-32 network fed the same',
    'orientations. Then runs `analyze` and `network` on them, stores both runs and prints the',
    'side-by-side comparison with CKA. Seeded: the same seed gives the same numbers.',
  ].join('\n'),
  storesRuns: true,
  options: {
    serve: { type: 'boolean', help: 'then serve the viewer on the store' },
    port: { type: 'integer', min: 0, max: 65535, arg: 'PORT', help: 'viewer port with --serve (default 8080)' },
    host: { type: 'string', arg: 'HOST', help: 'viewer address with --serve (default 127.0.0.1)' },
    seed: { type: 'integer', arg: 'S', help: 'random seed of the synthetic data and the analyses (default 1)' },
    null: { type: 'integer', min: 1, arg: 'N', help: `permutations behind the p-values (default ${DEMO_NULLS})` },
    json: jsonOption('the comparison'),
  },
  async run(args, ctx) {
    if (ctx.outRecord) throw new UsageError('demo makes two runs; --out-record writes one (use it on analyze, network, ...)');
    expectPositionals(args, [], 'demo');
    const seed = args.options.seed ?? 1;
    const dir = resolve(ctx.store, 'demo');
    mkdirSync(dir, { recursive: true });
    const t0 = Date.now();

    const session = syntheticSession({ seed });
    const nwbPath = join(dir, 'session.nwb');
    await writeNwbFile(nwbPath, sessionNwbSpec(session, `neurorep-demo-${seed}`));
    ctx.log(`wrote ${nwbPath}: ${session.spikeTimes.length} units, ${session.orientation.length} trials`);

    const stimuli = firstAppearance(session.orientation);
    const net = syntheticNetwork(stimuli, [64, 64, 32], seed + 1);
    const npzPath = join(dir, 'network.npz');
    writeNpz(npzPath, [
      ['input', { data: net.input.data, shape: [net.input.n, net.input.d] }],
      ['stimulus_ids', { data: stimuli, shape: [stimuli.length] }],
      ...net.layers.map((l): [string, { data: Float64Array; shape: number[] }] => [l.name, { data: l.matrix.data, shape: [l.matrix.n, l.matrix.d] }]),
    ]);
    ctx.log(`wrote ${npzPath}: ${net.layers.length} layers x ${stimuli.length} stimuli`);

    const nulls = args.options.null ?? DEMO_NULLS;
    // Complexity is the costly observable: fewer permutations (p >= 0.05) and no intervals for it here.
    const complexity = { definition: 3 as const };
    const complexityNulls = Math.min(nulls, DEMO_COMPLEXITY_NULLS);
    // Over time: windows of 0.1 s from 0.1 s before to 0.5 s after onset (intervals, no nulls: the main window has them).
    const sliding = { start: -0.1, stop: 0.5, step: 0.1, width: 0.1 };
    const analysis = await runAnalysis(
      nwbPath,
      {
        stimulus: 'orientation',
        seed,
        intervals: 20,
        nulls,
        complexityNulls,
        complexityIntervals: 0,
        transitions: true,
        matchNeurons: 'smallest',
        complexity,
        sliding,
        slidingNulls: 0,
      },
      ctx,
    );
    const network = runNetworkProfile(npzPath, { seed, intervals: 20, nulls, complexityNulls, complexityIntervals: 0, complexity }, ctx);
    saveRun(ctx, analysis.record, analysis.representations);
    saveRun(ctx, network.record, network.representations);

    const records = [network.record, analysis.record] as unknown as RunRecord[];
    let comparison;
    if (ctx.noStore) {
      comparison = compareRuns(records, new Map());
    } else {
      const store = RunStore.open(ctx.store);
      try {
        comparison = compareRuns(records, new Map(records.map((r) => [r.id, store.representations(r.id)])), {
          nulls,
          timeCourseNulls: 0,
          seed,
          metrics: expandMetrics(DEMO_METRICS),
          onProgress: (label, d, t) => ctx.progress(label, d, t),
        });
      } finally {
        store.close();
      }
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    if (ctx.json) {
      ctx.io.out(toJson({ analyze: analysis.record.id, network: network.record.id, comparison }) + '\n');
    } else {
      ctx.io.out(
        [
          `neurorep demo (seed ${seed}, ${seconds} s): synthetic data in ${dir}`,
          '',
          analysis.text,
          '',
          network.text,
          '',
          formatComparison(comparison),
          '',
          `Stored in ${ctx.store}. Look again with:`,
          // The same options as the comparison above, so the command prints the same numbers.
          `  npx neurorep compare ${network.record.id} ${analysis.record.id} --seed ${seed} --metric ${DEMO_METRICS.join(',')} --null ${nulls} --time-course-null 0${ctx.store === './.neurorep' ? '' : ` --store ${ctx.store}`}`,
          `  npx neurorep serve${ctx.store === './.neurorep' ? '' : ` --store ${ctx.store}`}        (viewer at http://127.0.0.1:8080)`,
          `Your own data: npx neurorep analyze your.nwb --stimulus COLUMN; npx neurorep network your-acts.npz`,
        ].join('\n') + '\n',
      );
    }
    if (args.options.serve) {
      await startServer(ctx, {
        port: args.options.port ?? 8080,
        host: args.options.host ?? '127.0.0.1',
        open: `/compare?ids=${network.record.id},${analysis.record.id}`,
      });
    }
    return 0;
  },
});
