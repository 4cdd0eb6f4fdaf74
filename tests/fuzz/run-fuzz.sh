#!/bin/sh
# run-fuzz.sh SECONDS
# Builds the libFuzzer target with clang (ASan+UBSan, every module
# instrumented) in build-fuzz/ and runs it for SECONDS over the seeds in
# tests/fuzz/seeds plus a message signed by segel itself. Inputs that crashed
# once are kept in tests/fuzz/regressions and always run first.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
jobs=$(nproc 2>/dev/null || echo 2)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSEGEL_FUZZ=ON -DSEGEL_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_inbound
corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp tests/fuzz/seeds/* "$corpus/"
if [ -d tests/fuzz/regressions ]; then
    ./build-fuzz/tests/fuzz/fuzz_inbound tests/fuzz/regressions/*
fi
./build-fuzz/tests/fuzz/fuzz_inbound -max_total_time="$seconds" -max_len=65536 -timeout=20 \
    -artifact_prefix=build-fuzz/ "$corpus"
