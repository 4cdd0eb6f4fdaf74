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
  catch2
  gpgsm gpg-agent libnss3-tools
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
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "install-deps.sh: all build and test dependencies are installed"
