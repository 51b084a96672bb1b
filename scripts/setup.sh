#!/usr/bin/env bash
# Installs what building and testing Evidentia needs on a fresh Debian machine (run as root or with sudo).
set -euo pipefail

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v curl >/dev/null || need_apt+=(curl)
command -v faketime >/dev/null || need_apt+=(faketime)
command -v setpriv >/dev/null || need_apt+=(util-linux)
command -v sha256sum >/dev/null || need_apt+=(coreutils)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need_apt+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_apt+=(opensc)
command -v npm >/dev/null || need_apt+=(nodejs npm)
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
if ((${#need_apt[@]})); then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! python3 -c 'import rfc3161_client, opentimestamps' 2>/dev/null || ! command -v ots >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check -r "$(dirname "$0")/requirements.txt" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages -r "$(dirname "$0")/requirements.txt"
fi

# The local Ethereum node (anvil) ships inside an npm package.
chain="$(dirname "$0")/chain"
if [ ! -x "$chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" ]; then
  (cd "$chain" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo >/dev/null; then
  echo "setup: no Rust toolchain found. Evidentia needs Rust 1.94 or newer (rustup.rs), then run this again." >&2
  exit 1
fi
python3 -c 'import sqlite3, hashlib; hashlib.new("sm3")' 2>/dev/null \
  || echo "setup: note: this Python lacks sqlite3 or SM3 in hashlib; some interop tests will fail" >&2
