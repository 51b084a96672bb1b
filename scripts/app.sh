#!/usr/bin/env bash
# Launches the desktop app on the sandbox profile: installs what it needs, builds the front end and
# the app (release), starts the local sandbox TSA and chain, and opens the window. Files named on
# the command line start in the seal queue: `bash scripts/app.sh contract.pdf`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --app
(cd ui && npm run build --silent)
cargo build --quiet --release -p evidentia-app
app="$PWD/target/release/evidentia-app"

# shellcheck source=scripts/sandbox-services.sh
source scripts/sandbox-services.sh
# Sandbox: every record is anchored as soon as it is sealed.
export EVIDENTIA_ANCHOR_AFTER="${EVIDENTIA_ANCHOR_AFTER:-1}"
echo "== the app (profile sandbox; close the window to stop)"
args=()
for f in "$@"; do args+=("$(realpath "$f")"); done
"$app" "${args[@]}"
