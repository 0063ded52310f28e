/**
 * Where the study's two datasets are: MNIST's test set from ../shared/data/datasets/mnist (or
 * MNIST_DIR, or Debian's dataset-mnist), Fashion-MNIST's from Debian's dataset-fashion-mnist (or
 * FASHION_MNIST_DIR), installed with apt-get when missing and the script runs as root.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const DATASETS = ['mnist', 'fashion'] as const;
export type Dataset = (typeof DATASETS)[number];

const FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const has = (dir: string) => FILES.every((f) => existsSync(join(dir, f)));

function aptInstall(pkg: string, log: (s: string) => void): boolean {
  if (process.getuid?.() !== 0) return false;
  log(`installing Debian's ${pkg} with apt-get`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return true;
  } catch {
    return false;
  }
}

/** The folder holding the dataset's test-set IDX files; throws a message saying how to get them. */
export function datasetDir(name: Dataset, repoRoot: string, log: (s: string) => void = () => {}): string {
  if (name === 'mnist') {
    const candidates = [process.env.MNIST_DIR, join(repoRoot, '..', 'shared', 'data', 'datasets', 'mnist'), '/usr/share/datasets/mnist'].filter(
      (d): d is string => !!d,
    );
    const found = candidates.find(has);
    if (found) return found;
    if (aptInstall('dataset-mnist', log) && has('/usr/share/datasets/mnist')) return '/usr/share/datasets/mnist';
    throw new Error(`MNIST not found (looked in ${candidates.join(', ')}); set MNIST_DIR to a folder with ${FILES.join(' and ')}`);
  }
  const candidates = [process.env.FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist'].filter((d): d is string => !!d);
  const found = candidates.find(has);
  if (found) return found;
  if (aptInstall('dataset-fashion-mnist', log) && has('/usr/share/datasets/fashion-mnist')) return '/usr/share/datasets/fashion-mnist';
  throw new Error(
    `Fashion-MNIST not found (looked in ${candidates.join(', ')}); install it with 'apt-get install dataset-fashion-mnist' (as root), or set FASHION_MNIST_DIR`,
  );
}
