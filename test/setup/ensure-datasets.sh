#!/usr/bin/env bash
# The small study test (test/examples/study.test.ts) trains on Fashion-MNIST from Debian's
# dataset-fashion-mnist. Install it when missing and this is a Debian machine where we are root;
# otherwise say what to do (the study test is then skipped).
set -euo pipefail
if [ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || [ -n "${FASHION_MNIST_DIR:-}" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "neurorep tests: installing Debian's dataset-fashion-mnist for the study test..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  exit 0
fi
echo "neurorep tests: Fashion-MNIST is missing (sudo apt-get install -y dataset-fashion-mnist); the study test will be skipped" >&2
exit 1
