#!/usr/bin/env bash
# The main job on the embedded default (sandbox profile, SQLite vault in the OS data folder, or
# EVIDENTIA_VAULT): seal the sample contract and the sample work, list the vault, verify it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --quiet --release -p evidentia-cli
evidentia=target/release/evidentia

echo "== sealing the sample contract and the sample work"
"$evidentia" seal assets/samples/contract.pdf assets/samples/work
echo
echo "== the vault"
"$evidentia" vault list
echo
echo "== checking the whole vault"
"$evidentia" vault verify
