# Sourced by every script that builds or runs the debug build: scripts/test, scripts/demo, scripts/browser-tests,
# scripts/api-conformance, scripts/check-runtime-image and the real-time benchmarks. They all build the same way, so
# one build serves them all: a build with other flags (a plain `swift build` or `swift run`) starts again from nothing.
#
# Without debug information: a fresh build of the tests took 1,115 CPU seconds and 588 s without it, against 1,346 CPU
# seconds and 697 s with it (2 cores, 2026-12-04). Nothing here reads it: a failing test names its own source line,
# and a crash's backtrace still names its functions.
swift_build_flags=(-debug-info-format none)
swift_build() { swift build "${swift_build_flags[@]}" "$@"; }
