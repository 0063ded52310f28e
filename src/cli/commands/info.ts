/** `neurorep info`: what a file holds. */

import { isHdf5File, isStimulusCandidate, isUrl, NwbFile, nwbInventory, type NwbInventory } from '../../../adapters/nwb/index.js';
import { remoteOptions } from './analyze.js';
import { inspectMatrixFile, assertInputFile } from '../../io/matrixFile.js';
import { expectPositionals, jsonOption } from '../args.js';
import { defineCommand } from '../command.js';
import { toJson } from '../context.js';
import { printable, count } from '../text.js';

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'inventory of an NWB/HDF5 recording or a matrix/activation file',
  usage: 'info <file> [--json]',
  description: [
    'For an NWB file: version, session, units (count, spikes, brain areas), interval tables (rows,',
    'columns), ophys series (shape, rate, ROIs), ecephys series, and neurodata types neurorep does',
    'not read. For .npy/.npz/.csv/.json: the arrays, shapes, dtypes and the n x d matrix each becomes.',
  ].join('\n'),
  options: {
    cache: { type: 'string', arg: 'DIR', help: 'for http(s) URLs: keep fetched blocks here between runs (default <store>/remote-cache)' },
    json: jsonOption('the inventory'),
  },
  async run(args, ctx) {
    const [path] = expectPositionals(args, ['file'], 'info');
    if (!isUrl(path)) assertInputFile(path);
    if (isUrl(path) || isHdf(path)) {
      const nwb = await NwbFile.open(path, { remote: isUrl(path) ? remoteOptions(args.options.cache, ctx) : undefined });
      try {
        const inv = nwb.reading(() => nwbInventory(nwb));
        ctx.io.out((ctx.json ? toJson(inv) : printable(formatNwb(inv))) + '\n');
      } finally {
        nwb.close();
      }
      return 0;
    }
    const inv = inspectMatrixFile(path);
    if (ctx.json) {
      ctx.io.out(toJson(inv) + '\n');
      return 0;
    }
    const lines = [`${inv.path}: ${inv.format}, ${inv.bytes} bytes, ${inv.arrays.length} array${inv.arrays.length === 1 ? '' : 's'}`];
    for (const a of inv.arrays) {
      lines.push(`  ${a.name}: shape (${a.shape.join(', ')}) ${a.dtype}${a.fortranOrder ? ' Fortran order' : ''} -> ${a.n} stimuli x ${a.d} features`);
    }
    ctx.io.out(printable(lines.join('\n')) + '\n');
    return 0;
  },
});

function isHdf(path: string): boolean {
  if (/\.(nwb|h5|hdf5|he5)$/i.test(path)) return true;
  try {
    return isHdf5File(path);
  } catch {
    return false;
  }
}

function formatNwb(inv: NwbInventory): string {
  const s = inv.session;
  const lines = [
    `${inv.path}: NWB ${s.nwbVersion || '(version missing)'}, ${inv.bytes} bytes`,
    `  session ${JSON.stringify(s.identifier)}: ${s.sessionDescription || '(no description)'}; started ${s.sessionStartTime || '?'}`,
  ];
  if (inv.units) {
    const u = inv.units;
    lines.push(
      `  units: ${count(u.count, 'unit')}, ${count(u.spikes, 'spike')} (per unit: ${u.spikesPerUnit.slice(0, 12).join(', ')}${u.count > 12 ? ', ...' : ''})`,
    );
    lines.push(`    columns: ${u.columns.join(', ')}${u.hasObsIntervals ? ' (has obs_intervals)' : ''}`);
    if (u.areas) lines.push(`    areas: ${u.areas.map((a) => `${a.name} (${a.units})`).join('; ')}`);
    if (u.electrodeColumns.length) lines.push(`    electrodes columns (also for --group-by): ${u.electrodeColumns.join(', ')}`);
  } else lines.push('  units: none');
  if (inv.intervals.length === 0) lines.push('  interval tables: none');
  for (const t of inv.intervals) {
    lines.push(`  ${t.path}: ${t.rows} row${t.rows === 1 ? '' : 's'}`);
    const w = Math.max(6, ...t.columnStats.map((c) => c.name.length));
    for (const c of t.columnStats) {
      const rep = c.repeats
        ? c.repeats.max === 1
          ? 'all distinct'
          : `rows per value ${c.repeats.min}/${c.repeats.median}/${c.repeats.max} (min/median/max)`
        : '';
      const hint = isStimulusCandidate(c) ? '  <- a --stimulus candidate' : '';
      const ex = c.examples.length
        ? `; e.g. ${c.examples.map((v) => (typeof v === 'string' ? JSON.stringify(v.length > 24 ? v.slice(0, 24) + '...' : v) : String(Number(v.toPrecision(6))))).join(', ')}`
        : '';
      lines.push(`    ${c.name.padEnd(w)}  ${c.type.padEnd(6)}  ${c.distinct !== null ? `${c.distinct} distinct` : ''}${rep ? `, ${rep}` : ''}${ex}${hint}`);
    }
    if (t.rows < 2) lines.push(`    (fewer than 2 rows: this table cannot give a response matrix; use another --table or --bin SECONDS)`);
  }
  if (inv.intervals.length) lines.push('  (analyze --table NAME --align COLUMN --stimulus COLUMN; a stimulus column groups repeated rows for cvPCA)');
  for (const o of inv.ophys)
    lines.push(
      `  ophys ${o.path}: ${o.shape.join(' x ')} (${o.rois} ROIs), ${o.rate !== null ? `${o.rate} Hz` : o.hasTimestamps ? 'timestamps' : 'no timing'}`,
    );
  for (const e of inv.ecephys)
    lines.push(
      `  ecephys ${e.path} (${e.neurodataType}): ${e.shape.join(' x ')}, ${e.rate !== null ? `${e.rate} Hz` : e.hasTimestamps ? 'timestamps' : 'no timing'}${e.unit ? `, ${e.unit}` : ''}`,
    );
  const st = inv.stimulus;
  if (st.presentation.length || st.templates.length)
    lines.push(`  stimulus: presentation ${st.presentation.join(', ') || '-'}; templates ${st.templates.join(', ') || '-'}`);
  if (inv.unrecognised.length) lines.push(`  not read by neurorep: ${inv.unrecognised.map((u) => `${u.path} (${u.neurodataType})`).join(', ')}`);
  return lines.join('\n');
}
