#!/usr/bin/env bash
# Issue 30's benchmark, real time for many jobs: N real-time jobs across 10 linked Google accounts (5 people, each
# with a second account linked), end to end through the google-emulator binary (push over plain http, every
# Calendar API call delayed by L ms) and Syncboard with every other setting at its default, on two setups:
#   sqlite    one `syncboard serve` (its scheduler in-process);
#   postgres  `syncboard serve` with its scheduler plus two `syncboard worker` processes, on a private database of
#             scripts/test-postgres (created and dropped by the driver).
# Scenarios: wave (one change in every source at once) and steady (2 changes a second for 60 s in random sources).
# Per (setup, N, scenario): propagation latency p50/p99/max, time until all arrived, Calendar API calls, the most
# calls one account made in any 60 s (Google's quota: 600 a minute per user), CPU seconds and peak RSS (VmHWM) of
# each Syncboard process. benchmarks/realtime_wave.py says how; one summary line each, then a markdown table.
#
#   benchmarks/realtime-wave.sh [setups=sqlite,postgres] [jobs=1,50,200] [scenarios=wave,steady] [latency ms=20] [driver options…]
#   e.g. benchmarks/realtime-wave.sh postgres 1000 wave
#
# Debug build (the test command's, scripts/lib/swift-build.sh, in the shared .build), as benchmarks/realtime.sh. The figures record the commit built
# ("+dirty" when Sources/ had uncommitted changes, which the build includes).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/swift-build.sh
setups="${1:-sqlite,postgres}"
jobs="${2:-1,50,200}"
scenarios="${3:-wave,steady}"
latency="${4:-20}"
shift $(( $# < 4 ? $# : 4 ))

swift_build >/dev/null
bin="$(swift_build --show-bin-path)"
commit="$(git rev-parse --short HEAD)$( [ -z "$(git status --porcelain -- Sources Package.swift)" ] || echo +dirty)"
rows="$(mktemp /tmp/realtime-wave-rows.XXXXXX)"
admin=""
case ",$setups," in *,postgres,*) admin="$(scripts/test-postgres start)" ;; esac

echo "# real time for many jobs: ${latency} ms per Calendar API call, commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC')"
for setup in ${setups//,/ }; do
    for n in ${jobs//,/ }; do
        python3 benchmarks/realtime_wave.py --bin "$bin" --setup "$setup" --jobs "$n" --scenarios "$scenarios" --latency-ms "$latency" \
            ${admin:+--admin-url "$admin"} --rows "$rows" --commit "$commit" "$@" \
            || echo "realtime-wave: setup=$setup jobs=$n failed (exit $?)" >&2
    done
done
echo
python3 benchmarks/realtime_wave.py --table "$rows"
echo "(rows kept in $rows)"
