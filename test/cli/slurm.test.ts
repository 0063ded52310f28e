/**
 * batch --slurm on a real one-node SLURM cluster (Debian's slurmctld/slurmd, set up by
 * test/setup/ensure-slurm.sh before the tests): a job array of sessions writing shards, an import
 * job that alone writes the store, --wait, --dry-run and resuming.
 */

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { writeSessions } from '../adapters/nwb/helpers.js';
import { binary, tempDir } from '../helpers.js';

const slurmUp = (): boolean => /idle|mix|alloc/.test(spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8' }).stdout ?? '');
// Where a one-node SLURM cannot run (not root, no apt), these tests are skipped, and say so.
const UP = slurmUp();
if (!UP) process.stderr.write('neurorep tests: SLURM is not running here (test/setup/ensure-slurm.sh sets it up as root); skipping the batch --slurm tests\n');
const slurmTest = UP ? test.serial : test.skip;

async function sessions(dir: string): Promise<string> {
  const folder = join(dir, 'sessions');
  await writeSessions(folder, 2, 'slurm');
  writeFileSync(join(folder, 'broken.nwb'), 'not HDF5');
  return folder;
}

slurmTest('batch --slurm --dry-run prints the job array and the import job and submits nothing', async (t) => {
  const dir = tempDir();
  const folder = await sessions(dir);
  const before = spawnSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' }).stdout;
  const r = binary([
    'batch',
    folder,
    '--slurm',
    '--dry-run',
    '--stimulus',
    'orientation',
    '--array-limit',
    '2',
    '--partition',
    'debug',
    '--time',
    '0:10:00',
    '--store',
    join(dir, 'store'),
    '--shards',
    join(dir, 'shards'),
  ]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /#SBATCH --array=0-2%2/);
  t.regex(r.stdout, /#SBATCH --partition=debug/);
  t.regex(r.stdout, /#SBATCH --time=0:10:00/);
  t.regex(r.stdout, /analyze "\$file" '--stimulus' 'orientation' .*--no-store .*--out-record/);
  t.regex(r.stdout, /import '.*shards\/[0-9a-f]{8}\/runs' --store '.*store'/);
  t.is(spawnSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' }).stdout, before, 'nothing submitted');
});

slurmTest('batch --slurm --wait: one array task per session, failures named, the import job writes the store, resubmitting skips what is stored', async (t) => {
  const dir = tempDir();
  const folder = await sessions(dir);
  const store = join(dir, 'store');
  const r = binary(
    [
      'batch',
      folder,
      '--slurm',
      '--wait',
      '--stimulus',
      'orientation',
      '--cpus-per-task',
      '1',
      '--mem',
      '1G',
      '--store',
      store,
      '--shards',
      join(dir, 'shards'),
    ],
    { cwd: dir },
  );
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, /3 sessions: 2 analyzed on SLURM \(job \d+\), 0 already in the store, 1 failed/);
  t.regex(r.stdout, /failed: .*broken\.nwb: not an HDF5 file/);
  type Rec = { batch: { id: string }; session: { identifier: string }; groups: unknown[] };
  const read = (path: string): Rec[] => {
    const db = RunStore.open(path, { readonly: true });
    const out = db.list().map((x) => db.get(x.id)!) as unknown as Rec[];
    db.close();
    return out.sort((a, b) => a.session.identifier.localeCompare(b.session.identifier));
  };
  const records = read(store);
  t.deepEqual(
    records.map((x) => x.session.identifier),
    ['slurm-1', 'slurm-2'],
  );
  t.is(new Set(records.map((x) => x.batch.id)).size, 1);

  // The same sessions in a local batch: the same observables, number for number.
  const local = join(dir, 'local-store');
  t.is(binary(['batch', folder, '--stimulus', 'orientation', '--jobs', '2', '--store', local]).code, 1);
  t.deepEqual(
    read(local).map((x) => x.groups),
    records.map((x) => x.groups),
  );

  const again = binary(['batch', join(folder, 's01.nwb'), join(folder, 's02.nwb'), '--slurm', '--wait', '--stimulus', 'orientation', '--store', store], {
    cwd: dir,
  });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /all 2 sessions are in the store already; nothing to submit/);
});
