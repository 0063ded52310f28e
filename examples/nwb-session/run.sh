#!/usr/bin/env bash
# Analyze a real NWB recording: inventory, then stimulus-locked observables per brain area.
# Usage: bash examples/nwb-session/run.sh [file.nwb]   (default: a Janelia ALM/thalamus session
# from ../shared/data/nwb). Run from the repository root after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/../.."
file="${1:-../shared/data/nwb/sub_anm00239123_ses_20170627T093549_ecephys_and_ogen.nwb}"
npx neurorep info "$file"
# Spike counts in the 0.5 s after each trial's start, grouped by trial type (lick left/right),
# with 95 % intervals (grouped jackknife over 20 groups of trials) and a label for the run list.
npx neurorep analyze "$file" --window 0,0.5 --stimulus type --intervals --label "ALM/thalamus, 0-0.5 s by trial type"
