#!/usr/bin/env bash
# Sourced by the benchmark scripts, from their work folder ($work) with $repo set: makes a test PKI
# in $work/pki, starts the local TSA on a free port (stopped on exit), and exports EVIDENTIA_TSA
# and EVIDENTIA_TSA_TRUST.
bash "$repo/scripts/tsa/make_pki.sh" "$work/pki" > /dev/null
rm -f tsa.port
python3 "$repo/scripts/tsa/tsa_server.py" --dir "$work/pki" --port 0 --port-file tsa.port > /dev/null 2>&1 &
tsa_pid=$!
trap 'kill "$tsa_pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -s tsa.port ] && break; sleep 0.1; done
export EVIDENTIA_TSA="http://127.0.0.1:$(cat tsa.port)/tsa" EVIDENTIA_TSA_TRUST="$work/pki/root-ca.pem"
