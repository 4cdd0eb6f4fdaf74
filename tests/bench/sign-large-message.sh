#!/bin/sh
# sign-large-message.sh [BUILD_DIR]
#
# Benchmark, not a test: signs messages of 1 KB, 1 MB, 10 MB and 50 MB (a text
# part plus one large base64 attachment; the last row sends the attachment as
# raw 8bit, so the signer re-encodes it) with `segel msg sign` and reports
# wall time and peak RSS (GNU time). "growth" is peak RSS minus the 1 KB
# run's, i.e. what the message size costs in memory. The aim for 50 MB is a
# growth under 64 MB. Needs the demo PKI (it builds one in a temp dir).
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
segel="$build/directory/segel"
[ -x "$segel" ] || { echo "build segel first (cmake --build $build --target segel)" >&2; exit 69; }
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

printf '%-8s %12s %10s %14s %14s\n' size message_bytes seconds peak_rss_kb growth_kb
baseline=""
for spec in 1K:700 1M:750000 10M:7500000 50M:37500000 50M-8bit:50000000:8bit; do
    name=${spec%%:*}
    rest=${spec#*:}
    make_message "${rest%%:*}" "$work/in.eml" "$(echo "$rest" | cut -s -d: -f2)"
    /usr/bin/time -f '%e %M' -o "$work/time" "$segel" msg sign --pkcs12 "$work/pki/alice.p12" \
        --passphrase-file "$work/pki/p12-passphrase" --temp-dir "$work" --out "$work/out.eml" "$work/in.eml"
    read -r seconds rss < "$work/time"
    [ -n "$baseline" ] || baseline=$rss
    printf '%-8s %12s %10s %14s %14s\n' "$name" "$(stat -c %s "$work/in.eml")" "$seconds" "$rss" "$((rss - baseline))"
done
