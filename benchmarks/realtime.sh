#!/usr/bin/env bash
# Issue 14's benchmark, side by side in one run, every Calendar API call delayed by L ms:
#  (a) a steady-state run of a job in step (0 and C changes) at 2,000 and 20,000 events, incremental against full:
#      API calls, bytes received, wall time (engine-benchmark --steady-state, the emulator in-process over HTTP);
#  (b) propagation latency p50/p99/max over N changes made one by one on the source: push measured end to end
#      (`syncboard serve` and the google-emulator binary delivering notifications), 60 s polling and the 15-minute
#      cadence computed from the schedule plus the run latency measured here (benchmarks/realtime_push.py says how).
#
#   benchmarks/realtime.sh [changes N=200] [latency ms L=20] [changes per steady-state run C=20] [provider P=google]
#
# P=microsoft: the source is an Outlook calendar (the Microsoft emulator, Graph calls delayed by L ms too; push by
# Graph's change notifications), the destination Google's (issue 28 §4). BIN=dir uses the binaries there (a release
# build) instead of building.
#
# Debug build (the test command's, scripts/lib/swift-build.sh, in the shared .build): a release build of the app takes too long on the 2-core machine
# shared with others; debug mostly slows the CPU-bound parts (decoding and comparing the full runs' listings).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/swift-build.sh
changes="${1:-200}"
latency="${2:-20}"
changed="${3:-20}"
provider="${4:-google}"

if [ -n "${BIN:-}" ]; then
    bin="$BIN"
else
    swift_build >/dev/null
    bin="$(swift_build --show-bin-path)"
fi
echo "# (a) steady state: incremental vs full, ${latency} ms per call, ${provider} source"
for events in 2000 20000; do
    "$bin/engine-benchmark" --steady-state --provider "$provider" --events "$events" --changed "$changed" --latency-ms "$latency"
done
echo
echo "# (b) propagation latency, ${changes} changes one by one, ${latency} ms per call, ${provider} source"
python3 benchmarks/realtime_push.py --bin "$bin" --provider "$provider" --changes "$changes" --latency-ms "$latency"
