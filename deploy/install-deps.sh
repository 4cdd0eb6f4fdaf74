#!/bin/sh
# Installs every package Segel needs to build, run its demo and run its test
# suite on Debian 12. Non-interactive and idempotent: running it twice is fine.
# Run as root (or through sudo).
set -eu

packages="
  build-essential cmake pkg-config
  libgmime-3.0-dev libssl-dev openssl
  libmilter-dev libboost-program-options-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  libargon2-dev libcpp-httplib-dev
  chromium chromium-driver python3-selenium fonts-dejavu-core
  libcurl4-openssl-dev
  catch2
  gpgsm gpg-agent libnss3-tools
  default-jdk-headless libbcprov-java libbcpkix-java libbcutil-java
  postfix sasl2-bin libsasl2-modules swaks miltertest
  opendkim opendkim-tools
  clang libclang-rt-14-dev
  python3 python3-cryptography
  time
"

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "install-deps.sh: must run as root (no sudo found)" >&2
    exit 77
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix is installed for the tests and the quickstart, which run their own
# instances; the package's own instance is left unconfigured.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# PostgreSQL is installed for the shared directory's tests, which start
# their own servers; no default cluster is created or started.
mkdir -p /etc/postgresql-common
[ -f /etc/postgresql-common/createcluster.conf ] ||
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold $packages >/dev/null
echo "install-deps.sh: all build and test dependencies are installed"
