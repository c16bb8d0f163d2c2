#!/usr/bin/env bash
# One built-in engine run against the Google emulator (or the Microsoft emulator), over HTTP on loopback: a source
# calendar with N events in the window, already copied, of which C changed since the last run; every API call
# delayed by L ms. Reports the API calls (by method), bytes and the wall time of that run, at write concurrency 1
# and 4, then the steady-state runs (incremental and full, quiet and with C changes).
#
#   benchmarks/builtin-engine.sh [events=2000] [changed=20] [latency ms=20] [provider=google|microsoft|feed]
#
# Uses the release build of the engine-benchmark executable (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-2000}"
changed="${2:-20}"
latency="${3:-20}"
provider="${4:-google}"

swift build -c release --product engine-benchmark >/dev/null
bin="$(swift build -c release --show-bin-path)/engine-benchmark"
for concurrency in 1 4; do
    "$bin" --provider "$provider" --events "$events" --changed "$changed" --latency-ms "$latency" --concurrency "$concurrency"
    echo
done
if [ "$provider" = google ]; then
    # For comparison: Google's default page size of 250, which CalendarSync uses.
    "$bin" --events "$events" --changed "$changed" --latency-ms "$latency" --concurrency 1 --page-size 250
elif [ "$provider" = microsoft ]; then
    # For comparison: Graph pages of 1,000 events instead of the app's 200.
    "$bin" --provider microsoft --events "$events" --changed "$changed" --latency-ms "$latency" --concurrency 1 --page-size 1000
fi
# provider=feed: a published ICS calendar served on loopback, copied into the Google emulator (a quiet refresh is one
# conditional GET answered 304; changes are one 200 GET and the writes).
echo
"$bin" --provider "$provider" --steady-state --events "$events" --changed "$changed" --latency-ms "$latency"
