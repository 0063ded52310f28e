#!/usr/bin/env bash
# Train a small MLP on MNIST with checkpoints, then fit trend models (fits/2) to every observable over
# training. Run from the repository root after `npm ci` (needs ../shared/data/datasets/mnist,
# or MNIST_DIR pointing at a folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Outputs go outside the repository (about 40 MB of checkpoints).
out="${1:-${TMPDIR:-/tmp}/neurorep-training-dynamics}"
rm -rf "$out"
node --import tsx examples/training-dynamics/train.ts "$out"
# One complexity fold seed per map (--repeats 1): the default five make the 38 maps take about 5x longer.
npx neurorep dynamics "$out"/acts-*.npz --repeats 1
