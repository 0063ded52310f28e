/** `neurorep network`: depth profile of a network from its layer activations. */

import { readActivations, type Pooling } from '../../../adapters/network/index.js';
import { profileNetwork, type NetworkProfile } from '../../analysis/network.js';
import { representationOf } from '../../analysis/representation.js';
import { bootstrapOption, expectPositionals, jsonOption, SEED_OPTION, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { fmt, recordHead, sourceOf, toJson, type Context } from '../context.js';
import type { StoredRepresentation } from '../../store/runStore.js';
import { saveRun } from '../save.js';
import { sha256Later } from '../../io/hash.js';

export const networkCommand: Command = {
  name: 'network',
  summary: 'depth profile of a network: observables per layer, complexity between layers',
  usage: 'network <acts.npz|layer.npy> [--order a,b,...] [--pool none|mean] [--json]',
  description: [
    'One array per layer (rows = stimuli, the same in every layer), in archive order or --order.',
    'Convolutional tensors (n, C, H, W) are flattened to n x C*H*W, or averaged over positions',
    'to n x C with --pool mean. An array named `input` is the network input: complexity is then',
    'also reported from the input to every layer. `stimulus_ids` (or `labels`) name the stimuli',
    'for comparisons with recordings.',
    'Per layer: D_eff, PR, alpha, activation patterns (on = > 0). Per consecutive pair: complexity.',
  ].join('\n'),
  options: {
    order: { type: 'string', arg: 'a,b,...', help: 'layer arrays to use, in depth order (default: archive order)' },
    pool: { type: 'string', arg: 'none|mean', help: 'mean: average convolutional maps over positions (default none)' },
    threshold: { type: 'number', arg: 'T', help: 'activation-pattern threshold (default 0)' },
    bootstrap: bootstrapOption('D_eff, PR and alpha per layer'),
    seed: SEED_OPTION,
    json: jsonOption(),
  },
  run(args, ctx) {
    const [path] = expectPositionals(args, ['acts.npz'], 'network');
    const o = args.options;
    const pool = ((o.pool as string | undefined) ?? 'none') as Pooling;
    if (pool !== 'none' && pool !== 'mean') throw new UsageError(`--pool must be none or mean, got '${pool}'`);
    const { record, representations, text } = runNetworkProfile(path, {
      order: o.order === undefined ? undefined : (o.order as string).split(',').map((s) => s.trim()).filter(Boolean),
      pool,
      seed: o.seed as number | undefined,
      bootstrap: o.bootstrap as number | undefined,
      threshold: o.threshold as number | undefined,
    }, ctx);
    saveRun(ctx, record, representations);
    ctx.io.out((ctx.json ? toJson(record) : text) + '\n');
    return 0;
  },
};

export interface NetworkRequest {
  order?: string[];
  pool?: Pooling;
  seed?: number;
  bootstrap?: number;
  threshold?: number;
}

/** Read an activation file and profile its layers: the run record, the representations to store, and the human summary. */
export function runNetworkProfile(path: string, req: NetworkRequest, ctx: Context): { record: Record<string, unknown>; representations: () => (StoredRepresentation | null)[]; text: string } {
  const seed = req.seed ?? 0;
  const pool = req.pool ?? 'none';
  const hash = sha256Later(path);
  const acts = readActivations(path, { order: req.order, pool });
  ctx.log(`${path}: ${acts.layers.length} layers x ${acts.layers[0].matrix.n} stimuli${acts.input ? ', with input' : ''}`);
  const profile = profileNetwork(acts.layers, acts.input, {
    seed,
    bootstrap: req.bootstrap,
    threshold: req.threshold,
    onProgress: (label, d, t) => ctx.progress(label, d, t),
  });
  const record = {
    ...recordHead('network', sourceOf(path, 'activations', hash), { order: acts.layers.map((l) => l.name), pool, threshold: req.threshold ?? 0, seed, bootstrap: req.bootstrap ?? 0 }),
    n: acts.layers[0].matrix.n,
    step: acts.step,
    layers: profile.layers.map((l, i) => ({ ...l, shape: acts.layers[i].shape })),
    transitions: profile.transitions,
    inputTransitions: profile.inputTransitions,
  };
  const representations = () => acts.layers.map((l) => representationOf(l.name, l.matrix, acts.stimulusIds));
  return { record, representations, text: formatNetwork(path, profile) };
}

export function formatNetwork(path: string, p: NetworkProfile): string {
  const rows = p.layers.map((l) => {
    const into = p.transitions.find((t) => t.to === l.name);
    const fromInput = p.inputTransitions.find((t) => t.to === l.name);
    return [
      l.name,
      String(l.d),
      fmt(l.effectiveDimension),
      fmt(l.participationRatio),
      fmt(l.alpha),
      fmt(l.patterns?.switchingFraction),
      fmt(l.patterns?.entropyAll),
      into ? `${fmt(into.complexity)} (R2 ${fmt(into.linearR2, 3)})` : '',
      fromInput ? fmt(fromInput.complexity) : '',
    ];
  });
  const header = ['layer', 'd', 'D_eff', 'PR', 'alpha', 'switching', 'S_all', 'C from prev', 'C from input'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [`${path}: depth profile (${p.layers[0]?.n ?? 0} stimuli)`, line(header), ...rows.map(line)].join('\n');
}
