/**
 * `neurorep batch`: analyze many NWB sessions with the same options, here (batch/localRunner.ts)
 * or as a SLURM job array (batch/slurm.ts). Resumable: a session whose resume key (the file's
 * sha256, the analyze options, the toolkit version) is in the store already is skipped.
 */

import { availableParallelism } from 'node:os';
import { InputError } from '../../core/matrix.js';
import { UsageError } from '../args.js';
import { runLocalBatch } from '../batch/localRunner.js';
import { submitSlurm } from '../batch/slurm.js';
import { expandInputs, FORWARDED, forwardedArgv } from '../batch/sessions.js';
import { defineCommand } from '../command.js';

export const batchCommand = defineCommand({
  name: 'batch',
  summary: 'analyze many NWB sessions with the same options, N at a time; resumable',
  usage: 'batch <file.nwb|folder|manifest.txt>... [analyze options] [--jobs N]',
  description: [
    'Every NWB file named, found in a folder (*.nwb, not recursive) or listed in a manifest (a .txt',
    'file, one path per line, # comments) is analyzed with the same analyze options, --jobs at a',
    'time in worker processes (default: the number of cores). A progress line (done/total,',
    'failures, elapsed, ETA) goes to stderr. A failing session never stops the others: failures are',
    'listed with their reason at the end and the exit code is 1. Sessions already in the store with',
    'the same file content (sha256), options and toolkit version are skipped, so rerunning after a',
    'crash does only the missing work. The runs of one batch carry its id (record field batch.id).',
  ].join('\n'),
  storesRuns: true,
  options: {
    ...FORWARDED,
    jobs: { type: 'integer', min: 1, arg: 'N', help: 'sessions analyzed at once (default: the number of cores)' },
    slurm: { type: 'boolean', help: 'submit a SLURM job array (one task per session) and an import job instead of running here' },
    partition: { type: 'string', arg: 'P', help: 'with --slurm: the partition (default: the cluster default)' },
    time: { type: 'string', arg: 'T', help: 'with --slurm: time limit per session, SLURM format (default 1:00:00)' },
    mem: { type: 'string', arg: 'M', help: 'with --slurm: memory per session, SLURM format (default 4G)' },
    'cpus-per-task': { type: 'integer', min: 1, arg: 'C', help: 'with --slurm: cores per session (default 2)' },
    'array-limit': { type: 'integer', min: 1, arg: 'L', help: 'with --slurm: sessions running at once (default: no limit)' },
    shards: {
      type: 'string',
      arg: 'DIR',
      help: 'with --slurm: folder on storage every node sees, for scripts, shards and logs (default ./neurorep-batch-<id>)',
    },
    'dry-run': { type: 'boolean', help: 'with --slurm: print the job scripts, submit nothing' },
    wait: { type: 'boolean', help: 'with --slurm: wait until the import job has run, then report' },
  },
  async run(args, ctx) {
    if (ctx.outRecord) throw new UsageError('batch writes one run per session; --out-record is for single runs');
    if (ctx.noStore) throw new UsageError('batch keeps its runs in the store (that is how it resumes); --no-store does not apply');
    if (ctx.storeProblem)
      throw new InputError(`${ctx.store}: the results store cannot be written (${ctx.storeProblem}); batch keeps its runs there: pass --store DIR`);
    const o = args.options;
    const slurmOnly = (['partition', 'time', 'mem', 'cpus-per-task', 'array-limit', 'shards', 'dry-run', 'wait'] as const).filter(
      (k) => o[k] !== undefined && o[k] !== false,
    );
    if (!o.slurm && slurmOnly.length) throw new UsageError(`--${slurmOnly[0]} goes with --slurm`);
    const sessions = expandInputs(args.positionals);
    const forwarded = forwardedArgv(o);
    if (o.slurm) {
      return submitSlurm(
        sessions,
        forwarded,
        {
          partition: o.partition,
          time: o.time,
          mem: o.mem,
          cpusPerTask: o['cpus-per-task'],
          arrayLimit: o['array-limit'],
          shards: o.shards,
          dryRun: o['dry-run'],
          wait: o.wait,
        },
        ctx,
      );
    }
    return runLocalBatch(sessions, forwarded, o.jobs ?? availableParallelism(), ctx);
  },
});
