#!/bin/sh
# run.sh BUILD_DIR SCRIPT.lua
# Prepares a demo directory (alice, bambang), starts segel-milter on a unix
# socket in a temp folder, runs the miltertest script against it, stops the
# milter. Exit 77 (skipped) when miltertest is not installed.
set -eu
build=$1 script=$2
command -v miltertest >/dev/null 2>&1 || { echo "miltertest not installed: skipped"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
milter_pid=""
cleanup() {
    [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cat > "$work/segel.conf" <<CONF
[directory]
database = $work/directory.sqlite
master_key = $work/master.key
domain = tangerangkota.go.id
CONF
"$build/directory/segel" directory init --config "$work/segel.conf" >/dev/null
for user in alice bambang; do
    "$build/directory/segel" directory import --config "$work/segel.conf" \
        --passphrase-file "$SEGEL_TEST_PKI/p12-passphrase" "$SEGEL_TEST_PKI/$user.p12" >/dev/null
done
mkdir "$work/tmp"
# miltertest reads body replacement packets into a 1024-byte buffer.
printf '[milter]\nbody_chunk_bytes = 1024\n' > "$work/segel-milter.conf"
"$build/milter/segel-milter" --config "$work/segel-milter.conf" --user - --socket "unix:$work/milter.sock" --temp-dir "$work/tmp" \
    --database "$work/directory.sqlite" --master-key "$work/master.key" --log-stderr \
    > "$work/milter.log" 2>&1 &
milter_pid=$!
i=0
while [ ! -S "$work/milter.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
status=0
SEGEL_MILTER_SOCKET="unix:$work/milter.sock" SEGEL_LUA_DIR="$here" miltertest -s "$script" || status=$?
if [ $status -ne 0 ]; then
    echo "--- milter log ---"; cat "$work/milter.log"
fi
exit $status
