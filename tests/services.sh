#!/usr/bin/env bash
# The system services the test suite uses, from Debian packages: headless Chromium (the report test), a PostgreSQL
# server on loopback (the journey-store tests run against it as well as SQLite) and Java (the Spark scoring test). Idempotent; prints the PostgreSQL URL.
set -euo pipefail
SUDO=""
AS_PG="runuser -u postgres --"
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; AS_PG="sudo -n -u postgres"; fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)  # Spark (claimtriage score --engine spark)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  $SUDO pg_createcluster "$version" main >&2
fi
cluster=$(pg_lsclusters -h | head -1)
read -r ver name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  # loopback only
  $SUDO pg_ctlcluster "$ver" "$name" start -o "-c listen_addresses=127.0.0.1" >&2
fi
$AS_PG psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='claimtriage'" | grep -q 1 \
  || $AS_PG psql -p "$port" -qc "CREATE ROLE claimtriage LOGIN PASSWORD 'claimtriage'" >&2
# the tests create a database of their own per PostgreSQL test and drop it (tests/conftest.py `pg_url`)
$AS_PG psql -p "$port" -qtAc "SELECT rolcreatedb FROM pg_roles WHERE rolname='claimtriage'" | grep -q t \
  || $AS_PG psql -p "$port" -qc "ALTER ROLE claimtriage CREATEDB" >&2
$AS_PG psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='claimtriage_test'" | grep -q 1 \
  || $AS_PG psql -p "$port" -qc "CREATE DATABASE claimtriage_test OWNER claimtriage" >&2
echo "postgresql+psycopg://claimtriage:claimtriage@127.0.0.1:${port}/claimtriage_test"
