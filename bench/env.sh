# Shared settings of the bench scripts (sourced, not run).
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
KIT="$(cd "$REPO/../shared/bench" 2>/dev/null && pwd)" || {
  echo "bench: the peers' kit ../shared/bench (next to the repo) is missing" >&2; exit 1; }
TMPROOT="${TMPDIR:-$(dirname "$(mktemp -u)")}"
VENVS="${VENVS:-$TMPROOT/bench-venvs}"          # where setup.sh puts the peers' venvs
LYS_PORT="${LYS_PORT:-8110}"
LYS_DB=lys_bench                                # database and role (not postgres: run.sh
LYS_DB_PASSWORD=lys_bench                       # counts SQL of roles other than postgres)
LYS_DATABASE_URL="postgresql://$LYS_DB:$LYS_DB_PASSWORD@127.0.0.1:5432/$LYS_DB"
Q3_CLIENT=ffffffff-ffff-ffff-ffff-ffffffffffff  # rows created by Q3 belong to this client

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres "$@"; }
psql_lys() { PGPASSWORD="$LYS_DB_PASSWORD" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U "$LYS_DB" -d "$LYS_DB" "$@"; }
psql_peers() { PGPASSWORD=bench psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U bench -d bench "$@"; }
say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
