#!/bin/sh
# Segel's quickstart: installs what is needed, builds, creates a demo PKI shaped
# like BSrE's (tests/pki/make-demo-pki.sh), signs a demo message as
# alice@tangerangkota.go.id with `segel msg sign`, builds a demo certificate
# directory, and then runs the gateway's main job: a private Postfix on
# loopback ports with segel-milter, a message submitted with SMTP AUTH, and
# the delivered message verified by OpenSSL trusting only the demo root.
# Nothing is left running (pass --keep-running to keep the Postfix demo up).
# Safe to run again. Files land in ./demo (ignored by git).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

./deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target segel segel-milter

demo=demo
mkdir -p "$demo"
sh tests/pki/make-demo-pki.sh "$demo/pki"

cat > "$demo/message.eml" <<'MSG'
From: Alice Rahmawati <alice@tangerangkota.go.id>
To: Bambang Sutrisno <bambang@tangerangkota.go.id>
Subject: Undangan rapat koordinasi
Date: Mon, 23 Nov 2026 09:00:00 +0700
Message-ID: <quickstart@tangerangkota.go.id>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Yth. Bapak Bambang,

Dengan hormat, kami mengundang Bapak ke rapat koordinasi
pada hari Senin pukul 09.00 WIB di ruang rapat Diskominfo.

Salam,
Alice
MSG

./build/directory/segel msg sign --pkcs12 "$demo/pki/alice.p12" \
    --passphrase-file "$demo/pki/p12-passphrase" --out "$demo/signed.eml" "$demo/message.eml"

echo
echo "== $demo/signed.eml (signature shortened)"
awk '/^Content-Type: application\/pkcs7-signature/ {sig=1} sig && /^[A-Za-z0-9+\/=]+\r?$/ {if (++n > 3) next} {print}' \
    "$demo/signed.eml" | tr -d '\r'
echo
echo "== verification by OpenSSL, trusting only the demo root"
openssl cms -verify -inform SMIME -in "$demo/signed.eml" -CAfile "$demo/pki/root.pem" \
    -no-CApath -no-CAstore -purpose smimesign -signer "$demo/signer.pem" -out /dev/null
printf 'signer: '; openssl x509 -in "$demo/signer.pem" -noout -subject -nameopt oneline
printf 'email:  '; openssl x509 -in "$demo/signer.pem" -noout -email
echo
echo "== and by Segel's own verifier (segel msg verify)"
./build/directory/segel msg verify --trust "$demo/pki/root.pem" "$demo/signed.eml"

echo
echo "== a demo certificate directory ($demo/directory.sqlite)"
cat > "$demo/segel.conf" <<CONF
[directory]
database = $PWD/$demo/directory.sqlite
master_key = $PWD/$demo/master.key
domain = tangerangkota.go.id
[crl]
issuer = $PWD/$demo/pki/issuing.pem
CONF
segel() { ./build/directory/segel "$@" --config "$demo/segel.conf"; }
segel directory init
for user in alice-old alice bambang citra dewi; do
    segel directory import --passphrase-file "$demo/pki/p12-passphrase" --unit "Diskominfo" \
        "$demo/pki/$user.p12" >/dev/null
done
segel directory list
echo
segel report --days 800

echo
echo "== the main job: Postfix + segel-milter, a message submitted with SMTP AUTH"
if [ "$(id -u)" -ne 0 ]; then
    echo "(skipped: starting Postfix needs root; run this script as root or with sudo)"
else
    /usr/bin/python3 deploy/demo_postfix.py build "$demo/pki" "$@"
fi
