#!/usr/bin/env bash
# Scale: fills a vault with 1,000,000 records on SQLite, then on PostgreSQL (a throwaway cluster
# started here), and measures lookup by digest (p50/p99 of 10,000), listing pages, a search by
# name, the Vault screen's filters and a full `vault verify` (events/s). Then the references beside
# ours in the same run, five times in turn: SQLite's own read of the three tables the check reads
# (`sqlite3`, output thrown away), `evidentia vault verify` (the release build users get) of the
# SQLite vault, and of the PostgreSQL one, with the ratios (and their medians).
# Takes about 20 minutes and 3 GB of disk in /var/tmp (EVIDENTIA_SCALE_KEEP=DIR keeps the SQLite
# vault there and reuses it).
# Usage: scripts/bench_scale.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 > /dev/null || { echo "bench_scale.sh needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }
records="${1:-1000000}"
work="$(mktemp -d /var/tmp/evidentia-scale.XXXXXX)"
kept="${EVIDENTIA_SCALE_KEEP:-$work/vault}"
source scripts/postgres/start_local.sh
trap 'stop_local_postgres; rm -rf "$work"' EXIT
log="$work/bench.log"
cargo bench -p evidentia --bench scale --no-run 2>&1 | grep -v '^ *\(Compiling\|Finished\|Running\|Executable\)' || true
# The PostgreSQL vault stays in its database for the rounds below.
export EVIDENTIA_SCALE_PG_DB=evidentia_scale
EVIDENTIA_SCALE_KEEP="$kept" EVIDENTIA_SCALE_RECORDS="$records" cargo bench -p evidentia --bench scale 2>&1 \
  | grep -v '^ *\(Compiling\|Finished\|Running\)' | tee "$log"

seconds() { sed -n "s/^$1: vault verify of .* events: \([0-9.]*\) s.*/\1/p" "$2" | tail -1; }
sqlite_s="$(seconds sqlite "$log")"
pg_s="$(seconds postgres "$log")"
if [ -n "$sqlite_s" ] && [ -n "$pg_s" ]; then
  echo "vault verify just after filling, PostgreSQL / SQLite: $(python3 -c "print(f'{$pg_s / $sqlite_s:.2f}')")× ($pg_s s / $sqlite_s s)"
fi

echo "-- the references: SQLite reading custody_events, records and record_digests; vault verify on SQLite; on PostgreSQL"
# The rounds run the shipped command (release profile) on the vaults the bench filled and kept.
cargo build --release -q -p evidentia-cli
evidentia=target/release/evidentia
team="$EVIDENTIA_TEST_POSTGRES/$EVIDENTIA_SCALE_PG_DB?folder=$work/team"
# The rounds measure a settled database, as autovacuum leaves one in use: vacuumed (hint bits
# set) and analysed now, not by autovacuum during the rounds.
psql -X -q "$EVIDENTIA_TEST_POSTGRES/$EVIDENTIA_SCALE_PG_DB" -c 'VACUUM (ANALYZE)'
mkdir -p "$work/team"
events="$(sqlite3 "$kept/vault.db" 'SELECT COUNT(*) FROM custody_events')"
: > "$work/rounds"
timed() { # runs "$@" (which must succeed); prints its wall time in seconds and its peak resident memory in MiB
  python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.perf_counter() - start
print(f"{wall:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")
EOF
}
for round in 1 2 3 4 5; do
  plain=$(timed sqlite3 "$kept/vault.db" 'SELECT * FROM custody_events; SELECT * FROM records; SELECT * FROM record_digests;')
  ours=$(timed "$evidentia" vault verify -q --vault "$kept")
  pg=$(timed "$evidentia" vault verify -q --vault "$team")
  # shellcheck disable=SC2086 # each of the three is "seconds MiB"
  python3 - "$events" $plain $ours $pg "$round" <<'EOF' | tee -a "$work/rounds"
import sys
events = int(sys.argv[1])
plain, _, ours, ours_mib, pg, pg_mib = (float(x) for x in sys.argv[2:8])
print(f"round {sys.argv[8]}: plain read {plain:.2f} s ({events / plain:,.0f} events/s), vault verify {ours:.2f} s "
      f"({events / ours:,.0f} events/s, peak {ours_mib:.0f} MiB): verify runs at {plain / ours:.0%} of the plain read; "
      f"on PostgreSQL {pg:.2f} s (peak {pg_mib:.0f} MiB): {pg / ours:.2f}x of SQLite")
EOF
done
python3 - "$work/rounds" <<'EOF'
import re, statistics, sys
rounds = open(sys.argv[1]).read()
share = [int(x) for x in re.findall(r"at (\d+)% of the plain read", rounds)]
pg = [float(x) for x in re.findall(r": ([0-9.]+)x of SQLite", rounds)]
peak = [int(x) for x in re.findall(r"peak (\d+) MiB", rounds)]
print(f"median of {len(pg)} rounds: verify at {statistics.median(share)}% of the plain read; "
      f"PostgreSQL {statistics.median(pg):.2f}x of SQLite; peak memory of any verify {max(peak)} MiB")
EOF
