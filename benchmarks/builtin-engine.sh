#!/usr/bin/env bash
# One built-in engine run against the Google emulator, over HTTP on loopback: a source calendar with N events in
# the window, already copied, of which C changed since the last run; every Calendar API call delayed by L ms.
# Reports the API calls (by method) and the wall time of that run, at write concurrency 1 and 4.
#
#   benchmarks/builtin-engine.sh [events=2000] [changed=20] [latency ms=20]
#
# Uses the release build of the engine-benchmark executable (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-2000}"
changed="${2:-20}"
latency="${3:-20}"

swift build -c release --product engine-benchmark >/dev/null
bin="$(swift build -c release --show-bin-path)/engine-benchmark"
for concurrency in 1 4; do
    "$bin" --events "$events" --changed "$changed" --latency-ms "$latency" --concurrency "$concurrency"
    echo
done
# For comparison: Google's default page size of 250, which CalendarSync uses.
"$bin" --events "$events" --changed "$changed" --latency-ms "$latency" --concurrency 1 --page-size 250
