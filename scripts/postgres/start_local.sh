#!/usr/bin/env bash
# Sourced by the test and benchmark scripts: starts a throwaway PostgreSQL cluster on 127.0.0.1 (a
# free port; its superuser `admin` logs in without a password, from this machine only), defines
# stop_local_postgres (the caller traps it on exit), and exports
# EVIDENTIA_TEST_POSTGRES=postgres://admin@127.0.0.1:PORT for the tests' team vaults.
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ ! -x "$pg_bin/initdb" ]; then
  echo "no PostgreSQL server found under /usr/lib/postgresql; run scripts/setup.sh" >&2
  return 1
fi
pg_dir="$(mktemp -d /tmp/evidentia-pg.XXXXXX)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # The server refuses to run as root.
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U admin > /dev/null
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start > /dev/null
stop_local_postgres() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop > /dev/null 2>&1
  rm -rf "$pg_dir"
}
export EVIDENTIA_TEST_POSTGRES="postgres://admin@127.0.0.1:$pg_port"
