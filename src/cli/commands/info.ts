/** `neurorep info`: what a file holds. */

import { inspectMatrixFile } from '../../io/matrixFile.js';
import { expectPositionals } from '../args.js';
import type { Command } from '../command.js';
import { toJson } from '../context.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'inventory of a matrix or activation file (arrays, shapes, dtypes)',
  usage: 'info <file> [--json]',
  description: 'Lists the arrays a .npy/.npz/.csv/.json file holds, with shapes, dtypes and the n x d matrix each becomes.',
  options: {
    json: { type: 'boolean', help: 'print the inventory as one JSON object' },
  },
  run(args, ctx) {
    const [path] = expectPositionals(args, ['file'], 'info');
    const inv = inspectMatrixFile(path);
    if (ctx.json) {
      ctx.io.out(toJson(inv) + '\n');
      return 0;
    }
    const lines = [`${inv.path}: ${inv.format}, ${inv.bytes} bytes, ${inv.arrays.length} array${inv.arrays.length === 1 ? '' : 's'}`];
    for (const a of inv.arrays) {
      lines.push(`  ${a.name}: shape (${a.shape.join(', ')}) ${a.dtype}${a.fortranOrder ? ' Fortran order' : ''} -> ${a.n} stimuli x ${a.d} features`);
    }
    ctx.io.out(lines.join('\n') + '\n');
    return 0;
  },
};
