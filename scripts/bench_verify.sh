#!/usr/bin/env bash
# Times verifying a one-contract evidence package in a fresh process (`evidentia verify`, offline)
# beside `pyhanko sign validate` on a signed PDF of similar size, in one run; prints the medians of
# 10 runs and their ratio. Needs the local TSA (scripts/tsa) and PyPI `pyhanko-cli`.
# Usage: scripts/bench_verify.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
cargo build --quiet --release -p evidentia-cli
evidentia="$repo/target/release/evidentia"
command -v pyhanko > /dev/null || python3 -m pip install --quiet --disable-pip-version-check pyhanko-cli
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"

source "$repo/scripts/tsa/start_local.sh"
export EVIDENTIA_VAULT="$work/vault" EVIDENTIA_IDENTITIES="$work/identities" EVIDENTIA_PASSWORD="benchmark passphrase"

# The same contract for both: signed and time-stamped as a package, and signed inside the PDF.
cp "$repo/assets/samples/contract.pdf" contract.pdf
"$evidentia" identity new --name "Bench Signer" > /dev/null 2>&1 || true
"$evidentia" seal contract.pdf --identity bench-signer > /dev/null
id=$("$evidentia" --json vault list | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][-1]["id"])')
rm -f case.asice
"$evidentia" export "$id" -o case.asice --identity bench-signer > /dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout signer.key -out signer.pem \
  -days 30 -subj "/CN=Bench Signer" 2> /dev/null
rm -f signed.pdf
pyhanko sign addsig --field Sig1 pemder --key signer.key --cert signer.pem --no-pass contract.pdf signed.pdf > /dev/null

median() { python3 -c 'import statistics,sys; print(statistics.median(map(float, sys.argv[1:])))' "$@"; }
time_runs() {
  local times=()
  for _ in $(seq 1 10); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(python3 -c "print($end - $start)")")
  done
  median "${times[@]}"
}
ev=$(time_runs "$evidentia" --vault "$work/empty-vault" verify case.asice --trust "$work/pki/root-ca.pem" --accept-self-signed)
ph=$(time_runs pyhanko sign validate --trust signer.pem signed.pdf)
"$evidentia" --vault "$work/empty-vault" verify case.asice --trust "$work/pki/root-ca.pem" --accept-self-signed | head -2
pyhanko sign validate --pretty-print --trust signer.pem signed.pdf | grep -iE "intact|valid" | head -2 || true
python3 - "$ev" "$ph" "$(stat -c %s case.asice)" "$(stat -c %s signed.pdf)" <<'PY'
import sys
ev, ph, pkg, pdf = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("verification in a fresh process, median of 10:")
print(f"  evidentia verify (package, {pkg} bytes: contract, CAdES-B-T, time-stamp, sealed manifest)  {ev*1000:7.1f} ms")
print(f"  pyhanko sign validate (signed PDF, {pdf} bytes)                                        {ph*1000:7.1f} ms")
print(f"  ratio pyhanko / evidentia: {ph/ev:.1f}x")
PY
