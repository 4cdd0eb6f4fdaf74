#!/bin/sh
# Runs Segel's whole test suite on a Debian 12 machine: installs what is
# needed, builds with warnings as errors, and runs every test through ctest.
# With --sanitize, or when CI=true, the suite runs a second time in a build
# with AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer
# targets (tests/fuzz) run for four minutes in all.
set -eu
cd "$(dirname "$0")/.."

sanitize=no
if [ "${1:-}" = "--sanitize" ] || [ "${CI:-}" = "true" ]; then sanitize=yes; fi
jobs=$(nproc 2>/dev/null || echo 2)

./deploy/install-deps.sh

run_suite() {
    dir=$1; shift
    cmake -S . -B "$dir" -DSEGEL_DEV=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

echo "== test suite (RelWithDebInfo)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "$sanitize" = yes ]; then
    echo "== fuzzing messages, encrypted messages, revocation data, RA exports, settings and milter headers (libFuzzer, 270 s)"
    fuzz_log=$(mktemp)
    if ! ./tests/fuzz/run-fuzz.sh 120 >"$fuzz_log" 2>&1; then
        cat "$fuzz_log"; rm -f "$fuzz_log"
        echo "fuzzing found a failure (see above)" >&2
        exit 1
    fi
    tail -3 "$fuzz_log"; rm -f "$fuzz_log"
    # Last, so the output closes with ctest's summary.
    echo "== test suite under ASan+UBSan"
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSEGEL_SANITIZE=ON
fi
