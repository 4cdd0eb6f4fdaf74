#!/bin/sh
# sign-large-message.sh [BUILD_DIR...]
#
# Benchmark, not a test: signs messages of 1 KB, 1 MB, 10 MB and 50 MB (a text
# part plus one large base64 attachment; the last row sends the attachment as
# raw 8bit, so the signer re-encodes it) with `segel msg sign` and reports
# wall time (milliseconds) and peak RSS (GNU time). "growth" is peak RSS minus the 1 KB
# run's, i.e. what the message size costs in memory. The aim for 50 MB is a
# growth under 64 MB. Needs the demo PKI (it builds one in a temp dir).
#
# Several build folders (for example one of the commit before a change and
# one after) are measured in one run on the same messages: each message is
# signed ROUNDS times (default 5) by each build in turn, and the median time
# and the largest peak RSS are reported per build.
set -eu
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- build
rounds=${ROUNDS:-5}
for build in "$@"; do
    [ -x "$build/directory/segel" ] || { echo "build segel first (cmake --build $build --target segel)" >&2; exit 69; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (Debian package time)" >&2; exit 69; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh tests/pki/make-demo-pki.sh "$work/pki"

make_message() { # make_message BYTES_OF_ATTACHMENT FILE [8bit]
    {
        printf 'From: Alice Rahmawati <alice@tangerangkota.go.id>\r\n'
        printf 'To: warga@example.com\r\nSubject: Lampiran besar\r\nMIME-Version: 1.0\r\n'
        printf 'Content-Type: multipart/mixed; boundary="bench"\r\n\r\n'
        printf -- '--bench\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLaporan terlampir.\r\n'
        printf -- '--bench\r\nContent-Type: application/octet-stream; name="data.bin"\r\n'
        if [ "${3:-}" = 8bit ]; then
            # Raw 8-bit data (no NUL) that the signer must re-encode as base64.
            printf 'Content-Transfer-Encoding: 8bit\r\n\r\n'
            head -c "$1" /dev/urandom | tr -d '\000'
            printf '\r\n'
        else
            printf 'Content-Transfer-Encoding: base64\r\n\r\n'
            head -c "$1" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
        fi
        printf -- '--bench--\r\n'
    } > "$2"
}

sign_once() { # sign_once BUILD INDEX: appends "seconds rss" to $work/runs.INDEX
    started=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/time" "$1/directory/segel" msg sign --pkcs12 "$work/pki/alice.p12" \
        --passphrase-file "$work/pki/p12-passphrase" --temp-dir "$work" --out "$work/out.eml" "$work/in.eml"
    ended=$(date +%s%N)
    printf '%s %s\n' "$(echo "$started $ended" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')" "$(cat "$work/time")" \
        >> "$work/runs.$2"
}

median_seconds() { cut -d' ' -f1 "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max_rss() { cut -d' ' -f2 "$1" | sort -n | tail -n 1; }

printf '%-8s %-24s %12s %10s %14s %14s\n' size build message_bytes seconds peak_rss_kb growth_kb
for spec in 1K:700 1M:750000 10M:7500000 50M:37500000 50M-8bit:50000000:8bit; do
    name=${spec%%:*}
    rest=${spec#*:}
    make_message "${rest%%:*}" "$work/in.eml" "$(echo "$rest" | cut -s -d: -f2)"
    rm -f "$work"/runs.*
    round=0
    while [ "$round" -lt "$rounds" ]; do
        index=0
        for build in "$@"; do
            index=$((index + 1))
            sign_once "$build" "$index"
        done
        round=$((round + 1))
    done
    index=0
    for build in "$@"; do
        index=$((index + 1))
        rss=$(max_rss "$work/runs.$index")
        [ "$name" != 1K ] || eval "baseline_$index=$rss"
        eval "baseline=\$baseline_$index"
        printf '%-8s %-24s %12s %10s %14s %14s\n' "$name" "$build" "$(stat -c %s "$work/in.eml")" \
            "$(median_seconds "$work/runs.$index")" "$rss" "$((rss - baseline))"
    done
done
