#!/usr/bin/env bash
# The main job on the embedded default (sandbox profile, SQLite vault in the OS data folder, or
# EVIDENTIA_VAULT): start the local sandbox TSA and the local sandbox chain (anvil, its state kept
# across runs), seal the sample contract and the sample work with time-stamps, anchor them, list
# the vault, verify it, and check one token with OpenSSL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --quiet --release -p evidentia-cli
evidentia="$PWD/target/release/evidentia"

# shellcheck source=scripts/sandbox-services.sh
source scripts/sandbox-services.sh
echo

echo "== sealing the sample contract and the sample work"
"$evidentia" seal assets/samples/contract.pdf assets/samples/work
echo
echo "== anchoring the new records (and the vault's custody-log head) with one transaction"
"$evidentia" anchor flush
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
echo
echo "== an evidence package of every record, verified from the package alone"
package="$data/sandbox-case.asice"
rm -f "$package"
# shellcheck disable=SC2046
"$evidentia" export $("$evidentia" --json vault list | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))') -o "$package"
"$evidentia" --vault "$(mktemp -d)" verify "$package" --trust "$EVIDENTIA_TSA_TRUST" || [ $? -eq 7 ]
