/**
 * batch --slurm writes job scripts: nothing a user or a file name supplies may become a command in
 * them or split the list of sessions, and a rerun reports the sessions that failed again (issues
 * "Hardening, third round", items 5, 6, 13; "continued", item 6). The validation cases need no
 * cluster (--dry-run); the rerun and the quoted log path run on the one-node SLURM when it is up.
 */

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSessions } from '../adapters/nwb/helpers.js';
import { tempDir } from '../helpers.js';
import { clean, neurorep, userMistake } from './helpers.js';

const slurmUp = (): boolean => /idle|mix|alloc/.test(spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8' }).stdout ?? '');
const slurmTest = slurmUp() ? test.serial : test.skip;

async function sessions(dir: string, count = 2): Promise<string> {
  const folder = join(dir, 'sessions');
  await writeSessions(folder, count, 'rel');
  return folder;
}

test('#SBATCH values outside SLURM syntax are refused before any script is written (a newline cannot become a command)', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = await sessions(dir);
  const marker = join(dir, 'pwned');
  for (const [flag, value] of [
    ['--time', `1:00:00\ntouch ${marker}`],
    ['--partition', 'debug\n#SBATCH --wrap=x'],
    ['--mem', '4G; rm -rf ~'],
  ]) {
    const r = neurorep(['batch', folder, '--slurm', '--dry-run', '--stimulus', 'orientation', flag, value, '--store', join(dir, 'store')]);
    userMistake(t, r, new RegExp(`${flag} ".*": not in SLURM's syntax`));
    t.notRegex(r.stdout, /#SBATCH/, 'no script printed');
  }
  t.false(existsSync(marker));
  const ok = neurorep(['batch', folder, '--slurm', '--dry-run', '--stimulus', 'orientation', '--time', '2-12:00:00', '--mem', '16G', '--partition', 'a,b']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /#SBATCH --time=2-12:00:00/);
});

test('a session file name with a newline is refused for SLURM (it would split the sessions list); paths with spaces are quoted', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = await sessions(dir);
  renameSync(join(folder, 's01.nwb'), join(folder, 'a\nb.nwb'));
  const r = neurorep(['batch', folder, '--slurm', '--dry-run', '--stimulus', 'orientation', '--store', join(dir, 'store')]);
  userMistake(t, r, /a session file name with a control character .* cannot be written into a SLURM job script; rename it/);
  const spaced = join(dir, 'with space', 'shards');
  const ok = neurorep([
    'batch',
    join(folder, 's02.nwb'),
    '--slurm',
    '--dry-run',
    '--stimulus',
    'orientation',
    '--shards',
    spaced,
    '--store',
    join(dir, 'store'),
  ]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /#SBATCH --output=".*with space\/shards\/[0-9a-f]{8}\/logs\/%a\.out"/);
  clean(t, ok);
});

test('a manifest keeps a # inside a file name and takes URLs as URLs', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = await sessions(dir);
  renameSync(join(folder, 's01.nwb'), join(folder, 'run#1.nwb'));
  const manifest = join(dir, 'list.txt');
  writeFileSync(manifest, `# sessions\nsessions/run#1.nwb\nhttp://127.0.0.1:9/remote.nwb\n`);
  const r = neurorep(['batch', manifest, '--slurm', '--dry-run', '--stimulus', 'orientation', '--store', join(dir, 'store')]);
  // The URL is taken as a URL: its resume key asks the server (port 9, which fetch refuses to use).
  userMistake(t, r, /^neurorep: http:\/\/127\.0\.0\.1:9\/remote\.nwb: a port fetch refuses to use/);
  t.notRegex(r.stderr, /list\.txt.*no such file|sessions\/run: no such/);
});

slurmTest('a rerun with the same --shards after a failed session reports it failed again (exit 1), not "0 failed"', async (t) => {
  const dir = tempDir('neurorep rel ');
  const folder = await sessions(dir, 1);
  writeFileSync(join(folder, 'broken.nwb'), 'not HDF5');
  const store = join(dir, 'store');
  const shards = join(dir, 'shared space', 'shards');
  mkdirSync(join(dir, 'shared space'));
  const args = ['batch', folder, '--slurm', '--wait', '--stimulus', 'orientation', '--cpus-per-task', '1', '--mem', '1G', '--store', store, '--shards', shards];
  const first = neurorep(args, { cwd: dir });
  t.is(first.code, 1, first.stderr);
  t.regex(first.stdout, /2 sessions: 1 analyzed on SLURM .*, 0 already in the store, 1 failed/);
  const [sub] = readdirSync(shards);
  t.true(readdirSync(join(shards, sub, 'logs')).length >= 2, 'logs written under a path with a space');
  const again = neurorep(args, { cwd: dir });
  t.is(again.code, 1, again.stdout + again.stderr);
  t.regex(again.stdout, /2 sessions: 0 analyzed on SLURM .*, 1 already in the store, 1 failed/);
  t.regex(again.stdout, /failed: .*broken\.nwb: not an HDF5 file/);
});

test('more sessions than MaxArraySize of the cluster: refused with advice before anything is submitted', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const folder = await sessions(dir, 3);
  // A stand-in cluster: scontrol reports MaxArraySize=2; sbatch, if ever called, leaves a mark.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const mark = join(dir, 'submitted');
  writeFileSync(join(bin, 'scontrol'), '#!/bin/sh\necho "MaxArraySize            = 2"\n', { mode: 0o755 });
  writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\ntouch '${mark}'\necho 1\n`, { mode: 0o755 });
  const r = neurorep(['batch', folder, '--slurm', '--stimulus', 'orientation', '--store', join(dir, 'store'), '--shards', join(dir, 'shards')], {
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
  userMistake(t, r, /3 sessions to submit, but this cluster's MaxArraySize is 2 .*split the sessions into batches of at most 2/);
  t.false(existsSync(mark), 'nothing submitted');
});
