#!/usr/bin/env bash
# Delete the products created by Q3 in lys_bench and vacuum, as run.sh does for the peers'
# database after each Q3. Called before each start of the Lys server (run.sh's --target
# command) and after the memory phase.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
psql_lys -c "DELETE FROM product WHERE client_id = '$Q3_CLIENT'" >/dev/null
psql_lys -c "VACUUM (ANALYZE) product" >/dev/null
