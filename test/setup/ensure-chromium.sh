#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser). Install it when it is
# missing and this is a Debian machine where we are root; otherwise say what to do.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "neurorep tests: installing Debian's chromium for the browser tests..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "neurorep tests: /usr/bin/chromium is missing; install Debian's chromium (sudo apt-get install -y chromium) for the browser tests" >&2
exit 1
