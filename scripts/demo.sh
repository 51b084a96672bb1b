#!/usr/bin/env bash
# The main job on the embedded default (sandbox profile, SQLite vault in the OS data folder, or
# EVIDENTIA_VAULT): start the local sandbox TSA, seal the sample contract and the sample work with
# time-stamps, list the vault, verify it, and check one token with OpenSSL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --quiet --release -p evidentia-cli
evidentia="$PWD/target/release/evidentia"

data="${XDG_DATA_HOME:-$HOME/.local/share}/evidentia"
pki="$data/sandbox-tsa"
mkdir -p "$data"
port_file="$(mktemp)"
python3 scripts/tsa/tsa_server.py --dir "$pki" --port 0 --port-file "$port_file" > /dev/null 2> "$data/sandbox-tsa.log" &
tsa_pid=$!
trap 'kill "$tsa_pid" 2>/dev/null; rm -f "$port_file"' EXIT
for _ in $(seq 1 300); do
  [ -s "$port_file" ] && break
  sleep 0.1
done
[ -s "$port_file" ] || { echo "demo: the local TSA did not start" >&2; exit 1; }
export EVIDENTIA_TSA="http://127.0.0.1:$(cat "$port_file")/tsa"
export EVIDENTIA_TSA_TRUST="$pki/root-ca.pem"
echo "== local sandbox TSA at $EVIDENTIA_TSA (test PKI in $pki)"
echo

echo "== sealing the sample contract and the sample work"
"$evidentia" seal assets/samples/contract.pdf assets/samples/work
echo
echo "== the vault"
"$evidentia" vault list
echo
echo "== checking the whole vault"
"$evidentia" vault verify
echo
echo "== the contract's time-stamp, checked by OpenSSL"
tsr="$(mktemp --suffix .tsr)"
"$evidentia" timestamp request assets/samples/contract.pdf -o "$tsr" > /dev/null
openssl ts -verify -data assets/samples/contract.pdf -in "$tsr" -CAfile "$EVIDENTIA_TSA_TRUST"
rm -f "$tsr"
