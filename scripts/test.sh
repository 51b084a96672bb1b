#!/usr/bin/env bash
# Every test: formatting, lints, docs, unit and end-to-end tests of the core and the CLI (interop
# with coreutils, OpenSSL and Python; tampering; bad input; kill -9; bounded memory), the vault
# tests again on a team vault in a throwaway PostgreSQL cluster, the benches' build, and the
# desktop app's three layers: vitest unit tests of the UI logic, Chromium UI tests
# with the IPC mocked, and end-to-end tests of the real app under Xvfb through tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each layer prints its wall time, so a slow one is seen at once.
layer_started=$SECONDS
layer() { echo "== $1 (after $((SECONDS - layer_started)) s)"; }

layer "setup"
bash scripts/setup.sh --app
export CARGO_TERM_COLOR=never
# Team-vault tests run against a throwaway PostgreSQL cluster on 127.0.0.1 (EVIDENTIA_TEST_POSTGRES).
source scripts/postgres/start_local.sh
trap stop_local_postgres EXIT
mkdir -p target
failed_layers=()

# The app embeds the built front end, so it is built before anything compiles the app crate.
layer "front end";  (cd ui && npm run build --silent)
layer "format";     cargo fmt --all --check
layer "lints";      cargo clippy --workspace --all-targets --quiet -- -D warnings
layer "docs";       RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
layer "tests";      cargo test --workspace --no-fail-fast 2>&1 | tee target/test-output.txt || failed_layers+=(cargo)
# The same end-to-end binary again (same packages and features, so nothing is rebuilt), its vault
# tests now on a team vault; the filters are the modules of crates/evidentia-cli/tests/e2e/.
layer "vault tests on PostgreSQL"
EVIDENTIA_TEST_BACKEND=postgres cargo test --workspace --test e2e --no-fail-fast -- \
  cli:: tamper:: crash:: kill_storm:: anchor:: timestamp:: ots:: package:: faults:: renewal:: 2>&1 \
  | tee target/test-postgres-output.txt || failed_layers+=(postgres)

layer "UI unit tests (vitest)"
(cd ui && NO_COLOR=1 npx vitest run 2>&1) | tee target/ui-unit-output.txt || failed_layers+=(vitest)
layer "UI tests (Chromium, IPC mocked)"
(cd ui && npm run build:mock --silent && node tests/ui/run.mjs 2>&1) | tee target/ui-output.txt || failed_layers+=(ui)
layer "app end-to-end (real window under Xvfb, tauri-driver)"
cargo build --quiet -p evidentia-app
timeout 600 xvfb-run -a -s "-screen 0 1280x900x24" node ui/e2e/run.mjs 2>&1 | tee target/e2e-output.txt || failed_layers+=(e2e)
layer "done"

echo
{
  grep -E '^test result:' target/test-output.txt target/test-postgres-output.txt -h
  # vitest: "Tests  12 passed (12)" or "Tests  1 failed | 11 passed (12)"
  sed 's/\x1b\[[0-9;]*m//g' target/ui-unit-output.txt | grep -E '^ +Tests +' | sed 's/|/ /g'
  grep -E '^(ui|e2e): ' target/ui-output.txt target/e2e-output.txt -h | sed 's/,//g'
} | awk '
  { for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
  END { printf "all: %d passed, %d failed\n", p, f; exit (f > 0) }' || failed_layers+=(summary)
if ((${#failed_layers[@]})); then
  echo "failed: ${failed_layers[*]}" >&2
  exit 1
fi
