#!/bin/sh
# make-demo-pki.sh OUTDIR
#
# Builds a demo PKI shaped like BSrE's (STANDARDS ID-01) with the openssl CLI:
#   root CA    "Demo Root CA Indonesia DS G1"  (self-signed, 20 years)
#   issuing CA "Demo BSrE CA DS G1"            (signed by the root with SHA-384)
#   user certs for @tangerangkota.go.id         (RSA-2048/SHA-256, exactly 2 years)
# Every key is generated here; none is ever checked in.
#
# Per user NAME it writes OUTDIR/NAME.key.pem, NAME.cert.pem, NAME.p12 (whose
# passphrase is in OUTDIR/p12-passphrase) and OUTDIR/NAME.email. The chain
# without the root is OUTDIR/chain.pem; the root alone is OUTDIR/root.pem.
#
# Users (the variants the tests need):
#   alice   KU digitalSignature+nonRepudiation, no EKU (what BSrE issues, ID-01)
#   bambang KU dS+nR, EKU emailProtection
#   citra   KU dS+nR+keyEncipherment, EKU emailProtection
#   dewi    ECDSA P-256, KU dS+nR, EKU emailProtection
#   eko     expired a year ago
#   fajar   not valid until next month
#   gita    EKU serverAuth+clientAuth only (wrong EKU, CH-07)
#   hadi    KU keyEncipherment only (no signing usage, CH-06)
#   intan   critical certificatePolicies extension (ID-09)
#   joko    EKU anyExtendedKeyUsage only (RFC 8550 accepts it, OpenSSL not: CH-07, OSSL-03)
#   alice-old  alice's previous certificate: issued a year ago, valid two years
#              (a renewal test: the newer "alice" supersedes it)
#   luar    an outsider, luar@example.com (not an internal domain, art. 15 c)
# Encryption certificates (BSrE's personal certificates cannot receive
# encrypted mail, so an encryption certificate is a separate one):
#   alice-enc    alice's, RSA, KU keyEncipherment only, EKU emailProtection
#   bambang-enc  bambang's, ECDSA P-256 key, KU keyAgreement only (ECDH, RFC 5753)
#   mitra        an external correspondent, mitra@mitra.example, RSA,
#                KU dS+nR+keyEncipherment, EKU emailProtection
#   rekan        an external correspondent, rekan@example.org, P-256,
#                KU digitalSignature+keyAgreement, EKU emailProtection
#   mitra-old    mitra's previous certificate, expired a year ago
#   mitra-renewed  mitra's renewal, valid now beside "mitra" (renewal overlap)
#   sahabat      sahabat@example.net, RSA, keyEncipherment, with an RFC 4262
#                SMIMECapabilities extension advertising AES-256-GCM and
#                RSAES-OAEP with SHA-256
#   asing        asing@example.net, RSA, keyEncipherment, self-signed: no
#                path to the demo root (untrusted)
#
# Running it again on a complete OUTDIR of this version does nothing; pass
# --force to rebuild.
set -eu

force=no
if [ "${1:-}" = "--force" ]; then force=yes; shift; fi
if [ $# -ne 1 ]; then
    echo "usage: make-demo-pki.sh [--force] OUTDIR" >&2
    exit 64
fi
out=$1
version=4 # raise when the set of users or their shape changes
if [ "$(cat "$out/.complete" 2>/dev/null)" = "$version" ] && [ "$force" = no ]; then
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
umask 077
ca="$out/ca"
mkdir -p "$ca/newcerts"
: > "$ca/index.txt"
echo 1000 > "$ca/serial"

# openssl date format for -startdate/-enddate: YYYYMMDDHHMMSSZ
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
# "YYYY-MM-DD HH:MM:SS UTC" followed by relative items ("2 years", "-3 years")
# is read by GNU date without ambiguity.
now="$(date -u '+%Y-%m-%d %H:%M:%S') UTC"
two_years_later="$now 2 years"

cat > "$ca/openssl.cnf" <<CNF
[ ca ]
default_ca = issuing

[ issuing ]
dir              = $ca
database         = $ca/index.txt
new_certs_dir    = $ca/newcerts
serial           = $ca/serial
default_md       = sha256
policy           = any_policy
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
default_crl_days = 7
crlnumber        = $ca/crlnumber

[ any_policy ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder

[ root_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ issuing_ext ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

CNF
echo 1000 > "$ca/crlnumber"

# The extension sections per variant are generated so each carries the common
# user fields plus its own key usage and EKU.
add_user_section() {
    name=$1; shift
    {
        echo "[ ext_$name ]"
        echo "basicConstraints       = critical, CA:FALSE"
        echo "subjectKeyIdentifier   = hash"
        echo "authorityKeyIdentifier = keyid:always"
        echo "subjectAltName         = email:\${ENV::SEGEL_EMAIL}"
        for line in "$@"; do echo "$line"; done
    } >> "$ca/openssl.cnf"
}
add_user_section alice   "keyUsage = critical, digitalSignature, nonRepudiation"
add_user_section bambang "keyUsage = critical, digitalSignature, nonRepudiation" \
                         "extendedKeyUsage = emailProtection"
add_user_section citra   "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment" \
                         "extendedKeyUsage = emailProtection"
add_user_section dewi    "keyUsage = critical, digitalSignature, nonRepudiation" \
                         "extendedKeyUsage = emailProtection"
add_user_section eko     "keyUsage = critical, digitalSignature, nonRepudiation"
add_user_section fajar   "keyUsage = critical, digitalSignature, nonRepudiation"
add_user_section gita    "keyUsage = critical, digitalSignature, nonRepudiation" \
                         "extendedKeyUsage = serverAuth, clientAuth"
add_user_section hadi    "keyUsage = critical, keyEncipherment"
add_user_section joko    "keyUsage = critical, digitalSignature, nonRepudiation" \
                         "extendedKeyUsage = anyExtendedKeyUsage"
add_user_section alice-old "keyUsage = critical, digitalSignature, nonRepudiation"
add_user_section luar    "keyUsage = critical, digitalSignature, nonRepudiation"
add_user_section alice-enc   "keyUsage = critical, keyEncipherment" "extendedKeyUsage = emailProtection"
add_user_section bambang-enc "keyUsage = critical, keyAgreement" "extendedKeyUsage = emailProtection"
add_user_section mitra       "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment" \
                             "extendedKeyUsage = emailProtection"
add_user_section rekan       "keyUsage = critical, digitalSignature, keyAgreement" "extendedKeyUsage = emailProtection"
add_user_section mitra-old   "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment" \
                             "extendedKeyUsage = emailProtection"
add_user_section mitra-renewed "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment" \
                             "extendedKeyUsage = emailProtection"
add_user_section sahabat     "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment" \
                             "extendedKeyUsage = emailProtection" \
                             "1.2.840.113549.1.9.15 = ASN1:SEQUENCE:smime_caps"
add_user_section intan   "keyUsage = critical, digitalSignature, nonRepudiation" \
                         "certificatePolicies = critical, 2.16.360.1.1.1.1"

# RFC 4262: SMIMECapabilities in a certificate (AES-256-GCM, RSAES-OAEP
# with SHA-256 and MGF1-SHA-256 as RFC 4055 writes them).
cat >> "$ca/openssl.cnf" <<CNF
[ smime_caps ]
gcm  = SEQUENCE:cap_gcm
oaep = SEQUENCE:cap_oaep
[ cap_gcm ]
id = OID:2.16.840.1.101.3.4.1.46
[ cap_oaep ]
id     = OID:1.2.840.113549.1.1.7
params = SEQUENCE:oaep_params
[ oaep_params ]
hash = EXPLICIT:0,SEQUENCE:sha256_alg
mgf  = EXPLICIT:1,SEQUENCE:mgf1_alg
[ sha256_alg ]
id = OID:2.16.840.1.101.3.4.2.1
[ mgf1_alg ]
id     = OID:1.2.840.113549.1.1.8
params = SEQUENCE:sha256_alg
[ asing_ext ]
basicConstraints = critical, CA:FALSE
keyUsage         = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection
subjectAltName   = email:asing@example.net
CNF

cnf="$ca/openssl.cnf"
export SEGEL_EMAIL=unused@example.invalid

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
ec_key()  { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Root CA: self-signed, 20 years.
rsa_key "$out/root.key.pem"
openssl req -new -x509 -config "$cnf" -key "$out/root.key.pem" -sha256 -days 7300 \
    -subj "/C=ID/O=Demo Kementerian Komunikasi dan Informatika/CN=Demo Root CA Indonesia DS G1" \
    -extensions root_ext -out "$out/root.pem"

# Issuing CA: signed by the root with SHA-384, 10 years.
rsa_key "$out/issuing.key.pem"
openssl req -new -config "$cnf" -key "$out/issuing.key.pem" \
    -subj "/C=ID/O=Demo Badan Siber dan Sandi Negara/CN=Demo BSrE CA DS G1" \
    -out "$ca/issuing.csr"
openssl x509 -req -in "$ca/issuing.csr" -CA "$out/root.pem" -CAkey "$out/root.key.pem" \
    -set_serial 2 -sha384 -days 3650 -extfile "$cnf" -extensions issuing_ext \
    -out "$out/issuing.pem" 2>/dev/null
cp "$out/issuing.pem" "$out/chain.pem"

printf 'demo-pass\n' > "$out/p12-passphrase"

# make_user NAME DISPLAY UNIT KEYTYPE START END [EMAIL]
make_user() {
    name=$1 display=$2 unit=$3 keytype=$4 start=$5 end=$6
    email=${7:-$name@tangerangkota.go.id}
    if [ "$keytype" = ec ]; then ec_key "$out/$name.key.pem"; else rsa_key "$out/$name.key.pem"; fi
    openssl req -new -config "$cnf" -key "$out/$name.key.pem" \
        -subj "/C=ID/O=Pemerintah Kota Tangerang/OU=$unit/CN=$display" -out "$ca/$name.csr"
    SEGEL_EMAIL=$email openssl ca -batch -config "$cnf" -notext -md sha256 \
        -keyfile "$out/issuing.key.pem" -cert "$out/issuing.pem" \
        -in "$ca/$name.csr" -extensions "ext_$name" \
        -startdate "$(stamp "$start")" -enddate "$(stamp "$end")" \
        -out "$out/$name.cert.pem" 2>/dev/null
    openssl pkcs12 -export -inkey "$out/$name.key.pem" -in "$out/$name.cert.pem" \
        -certfile "$out/chain.pem" -name "$display" \
        -passout "file:$out/p12-passphrase" -out "$out/$name.p12"
    printf '%s\n' "$email" > "$out/$name.email"
}

make_user alice   "Alice Rahmawati"  "Dinas Komunikasi dan Informatika" rsa "$now" "$two_years_later"
make_user bambang "Bambang Sutrisno" "Sekretariat Daerah"                rsa "$now" "$two_years_later"
make_user citra   "Citra Lestari"    "Dinas Kesehatan"                   rsa "$now" "$two_years_later"
make_user dewi    "Dewi Anggraini"   "Dinas Pendidikan"                  ec  "$now" "$two_years_later"
make_user eko     "Eko Prasetyo"     "Badan Kepegawaian"                 rsa "$now -3 years" "$now -1 years"
make_user fajar   "Fajar Nugroho"    "Inspektorat"                       rsa "$now 1 month" "$now 1 month 2 years"
make_user gita    "Gita Permata"     "Dinas Perhubungan"                 rsa "$now" "$two_years_later"
make_user hadi    "Hadi Santoso"     "Dinas Sosial"                      rsa "$now" "$two_years_later"
make_user intan   "Intan Wulandari"  "Bappeda"                           rsa "$now" "$two_years_later"
make_user joko    "Joko Widodo"      "Dinas Pekerjaan Umum"              rsa "$now" "$two_years_later"
make_user alice-old "Alice Rahmawati" "Dinas Komunikasi dan Informatika" rsa "$now -1 years" "$now 1 years" \
    alice@tangerangkota.go.id
make_user luar    "Luar Instansi"    "Swasta"                            rsa "$now" "$two_years_later" luar@example.com
make_user alice-enc "Alice Rahmawati" "Dinas Komunikasi dan Informatika" rsa "$now" "$two_years_later" \
    alice@tangerangkota.go.id
make_user bambang-enc "Bambang Sutrisno" "Sekretariat Daerah"           ec  "$now" "$two_years_later" \
    bambang@tangerangkota.go.id
make_user mitra   "Mitra Usaha"      "Mitra"                             rsa "$now" "$two_years_later" mitra@mitra.example
make_user rekan   "Rekan Kerja"      "Rekan"                             ec  "$now" "$two_years_later" rekan@example.org

make_user mitra-old "Mitra Usaha"    "Mitra"                             rsa "$now -3 years" "$now -1 years" \
    mitra@mitra.example
make_user mitra-renewed "Mitra Usaha" "Mitra"                            rsa "$now" "$two_years_later" mitra@mitra.example
make_user sahabat "Sahabat Kota"     "Sahabat"                           rsa "$now" "$two_years_later" sahabat@example.net

# asing: self-signed, outside the demo PKI.
rsa_key "$out/asing.key.pem"
openssl req -new -x509 -config "$cnf" -key "$out/asing.key.pem" -sha256 -days 730 \
    -subj "/C=ID/O=Asing/CN=Asing" -extensions asing_ext -out "$out/asing.cert.pem"
printf 'asing@example.net\n' > "$out/asing.email"

echo "$version" > "$out/.complete"
