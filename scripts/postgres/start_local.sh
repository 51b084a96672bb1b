#!/usr/bin/env bash
# Sourced by the test and benchmark scripts: starts a throwaway PostgreSQL cluster on 127.0.0.1 (a
# free port; its superuser `admin` logs in without a password, from 127.0.0.1 only; the roles
# `evidentia_scram`, `evidentia_clear` and `evidentia_md5` log in with the password
# `test pässword` by SCRAM-SHA-256, in clear and by MD5), defines
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
# Roles that must log in with a password, one per method.
{
  echo "host all evidentia_scram 127.0.0.1/32 scram-sha-256"
  echo "host all evidentia_clear 127.0.0.1/32 password"
  echo "host all evidentia_md5 127.0.0.1/32 md5"
  cat "$pg_dir/data/pg_hba.conf"
} > "$pg_dir/hba" && cat "$pg_dir/hba" > "$pg_dir/data/pg_hba.conf" && rm "$pg_dir/hba"
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start > /dev/null
# The password roles (superusers, so that they read any test database), each password stored as
# its method needs it.
psql -X -q -v ON_ERROR_STOP=1 "postgres://admin@127.0.0.1:$pg_port/postgres" > /dev/null <<'SQL'
SET client_encoding = 'UTF8';
CREATE ROLE evidentia_scram LOGIN SUPERUSER PASSWORD 'test pässword';
CREATE ROLE evidentia_clear LOGIN SUPERUSER PASSWORD 'test pässword';
SET password_encryption = 'md5';
CREATE ROLE evidentia_md5 LOGIN SUPERUSER PASSWORD 'test pässword';
SQL
stop_local_postgres() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop > /dev/null 2>&1
  rm -rf "$pg_dir"
}
export EVIDENTIA_TEST_POSTGRES="postgres://admin@127.0.0.1:$pg_port"
