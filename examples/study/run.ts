/**
 * The study (docs/study.md): a small MLP and a small CNN trained on MNIST and on Fashion-MNIST,
 * three seeds each, 30 log-spaced checkpoints on a fixed held-out probe, then `neurorep dynamics`
 * over the runs and `neurorep network` on every final checkpoint, and docs/study.md written from
 * the results (tables and figures generated, never typed).
 *
 *   node --import tsx examples/study/run.ts [--out DIR] [--docs DIR] [--small] [--jobs J]
 *
 * --out: checkpoints and results (default $TMPDIR/neurorep-study; finished runs are reused);
 * --docs: where study.md and its figures go (default docs/); --small: the test-sized study
 * (two seeds, the MLP, few steps); --jobs: trainings and analyses in parallel (default 2).
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS, datasetDir, type Dataset } from './datasets.js';
import { writeStudy } from './report.js';
import { trainRun, type Architecture, type TrainOptions } from './train.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface StudyConfig {
  architectures: Architecture[];
  datasets: readonly Dataset[];
  seeds: number[];
  steps: number;
  checkpoints: number;
  probe: number;
  /** complexity fold seeds per map in `dynamics` (network keeps the default). */
  dynamicsRepeats: number;
}

export const FULL: StudyConfig = {
  architectures: ['mlp', 'cnn'],
  datasets: DATASETS,
  seeds: [1, 2, 3],
  steps: 1000,
  checkpoints: 30,
  probe: 1000,
  dynamicsRepeats: 1,
};
/** The test-sized study (`--small`, and test/examples/study.test.ts): every stage, both datasets, minutes not hours. */
export const SMALL: StudyConfig = { architectures: ['mlp'], datasets: DATASETS, seeds: [1, 2], steps: 12, checkpoints: 5, probe: 60, dynamicsRepeats: 1 };

const log = (s: string) => process.stderr.write(`study: ${s}\n`);

/** Run `jobs` promises at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

function run(cmd: string, args: string[], stdoutFile?: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err.slice(-2000)}`));
      if (stdoutFile) writeFileSync(stdoutFile, Buffer.concat(chunks));
      done();
    });
  });
}

/** Run a neurorep command into `out`, and note its time beside it (`<out>.seconds`). */
async function neurorep(args: string[], out: string): Promise<void> {
  const started = Date.now();
  await run(process.execPath, [join(root, 'bin', 'neurorep.js'), ...args, '--json', '--no-store', '--quiet'], out);
  writeFileSync(`${out}.seconds`, JSON.stringify((Date.now() - started) / 1000));
}

export const runDir = (out: string, arch: Architecture, dataset: Dataset, seed: number) => join(out, arch, dataset, `seed${seed}`);

export async function study(cfg: StudyConfig, out: string, docs: string, jobs: number): Promise<void> {
  const started = Date.now();
  const dirs = Object.fromEntries(cfg.datasets.map((d) => [d, datasetDir(d, root, log)])) as Record<Dataset, string>;
  const trainings = cfg.architectures.flatMap((architecture) =>
    cfg.datasets.flatMap((dataset) => cfg.seeds.map((seed) => ({ architecture, dataset, seed, dir: runDir(out, architecture, dataset, seed) }))),
  );
  const todo = trainings.filter((t) => !existsSync(join(t.dir, 'accuracy.json')));
  log(
    `${trainings.length} training runs (${trainings.length - todo.length} already done), ${cfg.steps} steps, ${cfg.checkpoints} checkpoints, probe ${cfg.probe}`,
  );
  await pool(
    todo.map((t, i) => async () => {
      const o: TrainOptions = {
        dataDir: dirs[t.dataset],
        architecture: t.architecture,
        seed: t.seed,
        steps: cfg.steps,
        checkpoints: cfg.checkpoints,
        probe: cfg.probe,
        outDir: t.dir,
      };
      log(`training ${t.architecture} on ${t.dataset}, seed ${t.seed} (${i + 1}/${todo.length})`);
      await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--train-one', JSON.stringify(o)]);
    }),
    jobs,
  );
  const long: (() => Promise<void>)[] = [],
    analyses: (() => Promise<void>)[] = [];
  for (const arch of cfg.architectures) {
    const file = join(out, `dynamics-${arch}.json`);
    if (!existsSync(file))
      long.push(() => {
        log(`dynamics of the ${arch} runs`);
        const runs = trainings.filter((t) => t.architecture === arch).map((t) => `${t.dataset}/seed${t.seed}=${t.dir}`);
        return neurorep(['dynamics', ...runs, '--repeats', String(cfg.dynamicsRepeats)], file);
      });
    for (const t of trainings.filter((x) => x.architecture === arch)) {
      const nfile = join(out, `network-${arch}-${t.dataset}-seed${t.seed}.json`);
      const final = join(t.dir, `acts-${String(cfg.steps).padStart(6, '0')}.npz`);
      if (!existsSync(nfile))
        analyses.push(() => {
          log(`network profile of ${arch} on ${t.dataset}, seed ${t.seed}`);
          return neurorep(['network', final, '--intervals', '20', '--complexity-intervals', '0', '--stimulus-curve'], nfile);
        });
    }
  }
  // The dynamics are the long tasks: start them first.
  await pool([...long, ...analyses], jobs);
  // The README's summary tables come from the full study written into the repository's docs only.
  const readme = cfg === FULL && resolve(docs) === join(root, 'docs') ? join(root, 'README.md') : undefined;
  // Times as measured when each part ran (parts reused from an earlier run keep theirs).
  const seconds = (f: string) => (existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as number) : 0);
  const trainingSeconds = trainings.reduce((a, t) => a + seconds(join(t.dir, 'seconds.json')), 0);
  const analysisSeconds = readdirSync(out)
    .filter((f) => f.endsWith('.json.seconds'))
    .reduce((a, f) => a + seconds(join(out, f)), 0);
  await writeStudy(cfg, out, docs, { trainingSeconds, analysisSeconds, jobs }, readme);
  log(`wrote ${join(docs, 'study.md')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const one = argv.indexOf('--train-one');
  if (one >= 0) {
    await trainRun({ ...(JSON.parse(argv[one + 1]) as TrainOptions), log: (s) => process.stderr.write(`${s}\n`) });
    return;
  }
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const small = argv.includes('--small');
  const out = resolve(value('out') ?? join(process.env.TMPDIR ?? tmpdir(), small ? 'neurorep-study-small' : 'neurorep-study'));
  const docs = resolve(value('docs') ?? join(root, 'docs'));
  mkdirSync(out, { recursive: true });
  await study(small ? SMALL : FULL, out, docs, Number(value('jobs') ?? 2));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    process.stderr.write(`study: ${err.message}\n`);
    process.exit(1);
  });
}
