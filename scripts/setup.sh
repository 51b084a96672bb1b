#!/usr/bin/env bash
# Installs what building and testing Evidentia needs on a fresh Debian machine (run as root or with sudo).
# With --app, also what the desktop app needs: WebKitGTK and friends for building it, Xvfb,
# WebKitWebDriver, tauri-driver and Chromium for its tests, a CJK font, and the front end's npm packages.
set -euo pipefail
app=false
[ "${1:-}" = "--app" ] && app=true

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
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v certutil >/dev/null || need_apt+=(libnss3-tools)
# Team vaults: the tests start a throwaway PostgreSQL cluster.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v psql >/dev/null || need_apt+=(postgresql-client)
if $app; then
  pkg-config --exists webkit2gtk-4.1 2>/dev/null || need_apt+=(libwebkit2gtk-4.1-dev libsoup-3.0-dev
    libjavascriptcoregtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev file)
  command -v xvfb-run >/dev/null || need_apt+=(xvfb xauth)
  command -v WebKitWebDriver >/dev/null || need_apt+=(webkit2gtk-driver)
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
fi
if ((${#need_apt[@]})); then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! python3 -c 'import rfc3161_client, opentimestamps, pyhanko, gmssl, asn1crypto' 2>/dev/null || ! command -v ots >/dev/null \
  || ! command -v pyhanko >/dev/null; then
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
if $app; then
  # The end-to-end tests drive the real window through tauri-driver (WebDriver for Tauri apps).
  command -v tauri-driver >/dev/null || cargo install tauri-driver --version 2.1.0 --locked --quiet
  ui="$(dirname "$0")/../ui"
  if [ ! -d "$ui/node_modules" ] || [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
python3 -c 'import sqlite3, hashlib; hashlib.new("sm3")' 2>/dev/null \
  || echo "setup: note: this Python lacks sqlite3 or SM3 in hashlib; some interop tests will fail" >&2
