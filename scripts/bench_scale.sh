#!/usr/bin/env bash
# Scale: fills a vault with 1,000,000 records on SQLite, then on PostgreSQL (a throwaway cluster
# started here), and measures lookup by digest (p50/p99 of 10,000), a listing page, a search by
# name and a full `vault verify` (events/s). Takes about 15 minutes and 3 GB of disk in /var/tmp.
# Usage: scripts/bench_scale.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres/start_local.sh
trap stop_local_postgres EXIT
EVIDENTIA_SCALE_RECORDS="${1:-1000000}" cargo bench -p evidentia --bench scale 2>&1 | grep -v '^ *\(Compiling\|Finished\|Running\)'
