#!/bin/sh
# run.sh BUILD_DIR SCRIPT.lua [USER]
# Prepares a demo directory (alice, bambang), starts segel-milter on a unix
# socket in a temp folder, runs the miltertest script against it, stops the
# milter. With USER (as root), the directory and key are given to USER, the
# milter drops to it, and the script checks it really runs as USER.
# Exit 77 (skipped) when miltertest is not installed, or USER without root.
# SEGEL_MILTER_PROGRAM names another daemon binary of BUILD_DIR/milter (the
# tests' segel-milter-faults).
set -eu
build=$1 script=$2 run_as=${3:-}
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
milter_user="-"
if [ -n "$run_as" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "dropping privileges needs root: skipped"; exit 77; }
    chmod 755 "$work"
    chown -R "$run_as" "$work" # the database with its -wal/-shm files, the key, the spool
    milter_user=$run_as
fi
# miltertest reads body replacement packets into a 1024-byte buffer.
printf '[milter]\nbody_chunk_bytes = 1024\n' > "$work/segel-milter.conf"
"$build/milter/${SEGEL_MILTER_PROGRAM:-segel-milter}" --config "$work/segel-milter.conf" --user "$milter_user" --socket "unix:$work/milter.sock" --temp-dir "$work/tmp" \
    --database "$work/directory.sqlite" --master-key "$work/master.key" --log-stderr \
    > "$work/milter.log" 2>&1 &
milter_pid=$!
i=0
while [ ! -S "$work/milter.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -n "$run_as" ]; then
    want=$(id -u "$run_as")
    uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$milter_pid/status")
    if [ "$uids" != "$want $want $want $want" ]; then
        echo "segel-milter runs with uids '$uids', want $want (real, effective, saved, fs)"
        cat "$work/milter.log"
        exit 1
    fi
fi
status=0
SEGEL_MILTER_SOCKET="unix:$work/milter.sock" SEGEL_LUA_DIR="$here" miltertest -s "$script" || status=$?
if [ $status -ne 0 ]; then
    echo "--- milter log ---"; cat "$work/milter.log"
fi
exit $status
