#!/usr/bin/env bash
# Every test: formatting, lints, docs, unit and end-to-end tests (interop with coreutils, OpenSSL
# and Python; tampering; bad input; kill -9; bounded memory), and the benches' build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export CARGO_TERM_COLOR=never

echo "== format";   cargo fmt --all --check
echo "== lints";    cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== docs";     RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== tests";    cargo test --workspace --no-fail-fast 2>&1 | tee target/test-output.txt
echo
grep -E '^test result:' target/test-output.txt | awk '
  { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
  END { printf "all: %d passed, %d failed\n", p, f; exit (f > 0) }'
