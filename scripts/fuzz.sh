#!/usr/bin/env bash
# Runs every cargo-fuzz target for a fixed number of executions (default 1,000,000) and prints
# each one's executions and time; a crash stops the script with the target's name (the input that
# crashed is kept in fuzz/artifacts/TARGET/). Needs `cargo install cargo-fuzz`; the fuzz crate uses
# nightly features through RUSTC_BOOTSTRAP=1. Usage: scripts/fuzz.sh [RUNS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
runs="${1:-1000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -runs="$runs" -rss_limit_mb=4096 -print_final_stats=1 > "$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target FAILED (see fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)"
  echo "$target: ${done_line:-no summary}"
  rm -f "$log"
done
