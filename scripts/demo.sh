#!/usr/bin/env bash
# The main job on the embedded default (sandbox profile, SQLite vault in the OS data folder, or
# EVIDENTIA_VAULT): start the local sandbox TSA and the local sandbox chain (anvil, its state kept
# across runs), seal the sample contract and the sample work with time-stamps, sign the contract
# with a company seal stamped on its page, anchor them, list the vault, verify it, and check one
# token with OpenSSL.
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
echo "== signing the sample contract: a self-made identity stamps its company seal on the last page"
# The demo's identity store and password (sandbox only: a real identity's password is typed).
export EVIDENTIA_IDENTITIES="$data/sandbox-identities"
password_file="$(mktemp)"
printf 'sandbox demo password' > "$password_file"
if ! "$evidentia" --json identity list | grep -q '"name": "demo-signer"'; then
  "$evidentia" identity new --name "Demo Signer" --id demo-signer --password-file "$password_file"
fi
"$evidentia" identity seal demo-signer --organisation "深圳示例贸易有限公司" --title 合同专用章
signed="$data/contract-signed.pdf"
"$evidentia" pdf sign assets/samples/contract.pdf -o "$signed" --identity demo-signer \
  --password-file "$password_file" --visible last,400,60,150,150 --seal --reason "Demo contract"
rm -f "$password_file"
"$evidentia" pdf verify "$signed" --accept-self-signed
"$evidentia" seal "$signed"
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
