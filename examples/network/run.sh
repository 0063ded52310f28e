#!/usr/bin/env bash
# A network's depth profile: run the MNIST CNN (ONNX) on 2000 test images, keep every ReLU
# output, then the observables per layer and the complexity between layers and from the input.
# Run from the repository root after `npm ci` (needs ../shared/data). The activations (about
# 80 MB) are written outside the repository: to $1, default a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/neurorep-network-XXXXXX")}"
data=../shared/data
npx neurorep activations "$data/models/mnist_cnn_cntk.onnx" \
    "$data/datasets/mnist/mnist_test_first2000_images_uint8.npy" --out "$out/acts.npz" --force
npx neurorep network "$out/acts.npz" --intervals --label "MNIST CNN, 2000 test images"
