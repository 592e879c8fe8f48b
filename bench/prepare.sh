#!/usr/bin/env bash
# Prepare PostgreSQL for `make bench`:
#  1. the peers' kit (../shared/bench/setup.sh) when its database, role, venvs or
#     pg_stat_statements are missing (RESEED=0 when its data is already there);
#  2. a fresh `lys_bench` database owned by role `lys_bench`, migrated by our own
#     `manage.py migrate`, seeded with the kit's dataset (seed.sql), vacuumed;
#  3. a check that both databases hold the same rows (fingerprint.sql).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

missing=()
command -v wrk >/dev/null || missing+=("wrk")
command -v psql >/dev/null || missing+=("psql")
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  missing+=("a running PostgreSQL on 127.0.0.1:5432")
else
  [[ "$(psql_admin -c "SHOW shared_preload_libraries")" == *pg_stat_statements* ]] \
    || missing+=("pg_stat_statements preloaded")
  [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'bench'")" == 1 ]] || missing+=("role bench")
  [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'bench'")" == 1 ]] || missing+=("database bench")
fi
for v in litestar strawberry graphene; do
  [[ -x "$VENVS/$v/bin/python" && -f "$VENVS/$v/.req.sha" ]] || missing+=("venv $VENVS/$v")
done
reseed=0
if ((${#missing[@]} == 0)); then
  n="$(psql_peers -c "SELECT count(*) FROM product_category" 2>/dev/null || echo 0)"
  m="$(psql_peers -c "SELECT count(*) FROM product WHERE client_id <> '$Q3_CLIENT'" 2>/dev/null || echo 0)"
  [[ "$n" == 20 && "$m" == 10000 ]] || { missing+=("seeded bench data"); reseed=1; }
fi
if ((${#missing[@]})); then
  say "peers' kit not ready (missing: $(IFS=,; echo "${missing[*]}")); running $KIT/setup.sh"
  ((EUID == 0)) || die "setup.sh needs root (apt, postgres cluster config); run: sudo RESEED=$reseed $KIT/setup.sh"
  RESEED=$reseed "$KIT/setup.sh" 2>&1 | grep -v "^WARNING: Location" || die "setup.sh failed"
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL still not ready after setup.sh"
else
  say "peers' kit ready (database bench, pg_stat_statements, venvs in $VENVS)"
fi

say "recreating database $LYS_DB (role $LYS_DB)"
psql_admin -d postgres <<SQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$LYS_DB') THEN
    CREATE ROLE $LYS_DB LOGIN PASSWORD '$LYS_DB_PASSWORD';
  END IF;
END\$\$;
DROP DATABASE IF EXISTS $LYS_DB WITH (FORCE);
CREATE DATABASE $LYS_DB OWNER $LYS_DB;
-- as for the peers' database: Q3 measures the framework, not the VM's fsync latency
ALTER DATABASE $LYS_DB SET synchronous_commit = off;
SQL

say "migrating $LYS_DB (manage.py migrate)"
(cd "$REPO" && LYS_DATABASE_URL="$LYS_DATABASE_URL" .venv/bin/python manage.py migrate) \
  || die "manage.py migrate failed on $LYS_DB"

say "seeding $LYS_DB with the kit's dataset (bench/seed.sql)"
PGOPTIONS="-c client_min_messages=warning" psql_lys -f "$BENCH_DIR/seed.sql" >/dev/null

ours="$(psql_lys -f "$BENCH_DIR/fingerprint.sql")"
theirs="$(psql_peers -f "$BENCH_DIR/fingerprint.sql")"
if [[ "$ours" != "$theirs" ]]; then
  printf 'ours (%s):\n%s\npeers (bench):\n%s\n' "$LYS_DB" "$ours" "$theirs" >&2
  die "$LYS_DB does not hold the same rows as the peers' database bench"
fi
say "same rows as database bench: $(echo "$ours" | awk -F'|' '{printf "%s %s  ", $1, $2}')"
