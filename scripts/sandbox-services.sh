#!/usr/bin/env bash
# Sourced by the scripts that run the sandbox profile: starts the local sandbox TSA and the local
# sandbox chain (anvil, its state kept across runs in the data folder), stops both on exit, and
# exports the EVIDENTIA_* variables that point Evidentia at them.

data="${XDG_DATA_HOME:-$HOME/.local/share}/evidentia"
pki="$data/sandbox-tsa"
mkdir -p "$data"
port_file="$(mktemp)"
python3 scripts/tsa/tsa_server.py --dir "$pki" --port 0 --port-file "$port_file" > /dev/null 2> "$data/sandbox-tsa.log" &
tsa_pid=$!
anvil="$PWD/scripts/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
chain_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$anvil" --host 127.0.0.1 --port "$chain_port" --silent --state "$data/sandbox-chain.json" > /dev/null 2>&1 &
chain_pid=$!
trap 'kill "$tsa_pid" "$chain_pid" 2>/dev/null; rm -f "$port_file"' EXIT
for _ in $(seq 1 300); do
  [ -s "$port_file" ] && break
  sleep 0.1
done
[ -s "$port_file" ] || { echo "sandbox: the local TSA did not start (see $data/sandbox-tsa.log)" >&2; exit 1; }
export EVIDENTIA_TSA="http://127.0.0.1:$(cat "$port_file")/tsa"
export EVIDENTIA_TSA_TRUST="$pki/root-ca.pem"
echo "== local sandbox TSA at $EVIDENTIA_TSA (test PKI in $pki)"
export EVIDENTIA_EVM_RPC="http://127.0.0.1:$chain_port"
# anvil's first development account: a well-known test key that holds only sandbox ether.
(umask 077 && printf 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n' > "$data/sandbox-chain.key")
export EVIDENTIA_EVM_KEY_FILE="$data/sandbox-chain.key"
for _ in $(seq 1 100); do
  curl -s -o /dev/null -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$EVIDENTIA_EVM_RPC" && break
  sleep 0.1
done
echo "== local sandbox chain (anvil) at $EVIDENTIA_EVM_RPC, state in $data/sandbox-chain.json"
