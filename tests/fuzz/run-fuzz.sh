#!/bin/sh
# run-fuzz.sh SECONDS
# Builds the libFuzzer targets with clang (ASan+UBSan, every module
# instrumented) in build-fuzz/ and runs each over its seeds: fuzz_inbound
# (messages: spool, parse, verify, sign) for SECONDS, and for a quarter of
# that each: fuzz_decrypt (encrypted messages: envelope, decrypt, the
# plaintext, verify), fuzz_revocation (CRLs, OCSP responses), fuzz_ra_export (the
# RA's CSV), fuzz_settings (the settings files; the deploy examples are
# seeds) and fuzz_milter_headers (header fields as libmilter passes them).
# Inputs that crashed once are kept in tests/fuzz/regressions/NAME and
# always run first.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
jobs=$(nproc 2>/dev/null || echo 2)
targets="inbound decrypt revocation ra_export settings milter_headers"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSEGEL_FUZZ=ON -DSEGEL_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for name in $targets; do
    cmake --build build-fuzz -j"$jobs" --target "fuzz_$name"
done
for name in $targets; do
    corpus=build-fuzz/corpus/$name
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/seeds/$name" ]; then cp tests/fuzz/seeds/"$name"/* "$corpus/"; fi
    if [ "$name" = settings ]; then cp deploy/*.conf.example "$corpus/"; fi
    binary=./build-fuzz/tests/fuzz/fuzz_$name
    if [ -d "tests/fuzz/regressions/$name" ]; then "$binary" tests/fuzz/regressions/"$name"/*; fi
    time=$seconds
    if [ "$name" != inbound ]; then time=$(( (seconds + 3) / 4 )); fi
    echo "== fuzz_$name for $time s"
    "$binary" -max_total_time="$time" -max_len=65536 -timeout=20 -artifact_prefix="build-fuzz/$name-" "$corpus"
done
