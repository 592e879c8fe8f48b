#!/usr/bin/env bash
# `make bench`: Lys next to the peers of ../shared/bench, in the same run.
#   1. prepare.sh: the kit's setup when missing, our lys_bench database (same rows);
#   2. the kit's run.sh with Lys as an extra target (our bodies in bench/bodies);
#   3. memory.py: peak RSS of Lys and ariadne-litestar-cached (own short phase);
#   4. summary.py: Lys vs ariadne-litestar-cached, saved next to run.sh's table.md.
# Arguments go to the kit's run.sh (make bench BENCH_ARGS="--runs 1 --duration 5").
# Env: LYS_PORT (8110), MEMORY_SECONDS (5 per operation; 0 skips the memory phase),
#      BODIES (Lys request bodies; default bench/bodies).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
MEMORY_SECONDS="${MEMORY_SECONDS:-5}"
PEER=ariadne-litestar-cached PEER_PORT=8105
BODIES="${BODIES:-$BENCH_DIR/bodies}"   # Lys request bodies (q1.json q2.json q3.json)

"$BENCH_DIR/prepare.sh"

secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(36))')"   # 48 chars
lys_cmd="cd $(printf %q "$REPO") && bench/reset_q3.sh && LYS_SETTINGS_MODULE=bench.settings LYS_SECRET_KEY=$secret"
lys_cmd+=" LYS_DATABASE_URL=$LYS_DATABASE_URL exec .venv/bin/python manage.py runserver --port $LYS_PORT"

say "running $KIT/run.sh with target lys on port $LYS_PORT $*"
runlog="$(mktemp)"
trap 'rm -f "$runlog"' EXIT
set +e
"$KIT/run.sh" --target "lys|$LYS_PORT|/graphql|$lys_cmd" --bodies "lys|$BODIES" "$@" \
  | tee "$runlog"
status=${PIPESTATUS[0]}
set -e
OUT="$(sed -n 's/^results -> //p' "$runlog" | head -1)"
[[ -n "$OUT" ]] || exit "$status"      # e.g. --help, or a failure before any measurement
((status == 0)) || die "the kit's run.sh failed (exit $status); partial results in $OUT"
grep -q '"target": "lys"' "$OUT/wrk.jsonl" 2>/dev/null \
  || die "Lys was not measured (see the '!!' lines above and $OUT/logs/lys.run1.log)"
"$BENCH_DIR/reset_q3.sh"

if ((MEMORY_SECONDS > 0)); then
  say "memory phase: $MEMORY_SECONDS s of wrk per operation and target"
  uvi="--host 127.0.0.1 --workers 1 --loop uvloop --http httptools --no-access-log --log-level warning"
  peer_cmd="cd peers/ariadne_litestar && PARSE_CACHE=1 exec $VENVS/litestar/bin/uvicorn app:app $uvi --port $PEER_PORT"
  mem_status=0
  KIT="$KIT" python3 "$BENCH_DIR/memory.py" "$OUT/lys-memory.jsonl" "$MEMORY_SECONDS" \
    "lys|$LYS_PORT|/graphql|$BODIES|$lys_cmd" \
    "$PEER|$PEER_PORT|/graphql|$KIT/bodies|$peer_cmd" || mem_status=$?
  "$BENCH_DIR/reset_q3.sh"
  psql_peers -c "DELETE FROM product WHERE client_id = '$Q3_CLIENT'" -c "VACUUM (ANALYZE) product" >/dev/null
  ((mem_status == 0)) || say "memory phase failed (exit $mem_status); table without memory"
fi

echo
python3 "$BENCH_DIR/summary.py" "$OUT" "$PEER" | tee "$OUT/lys-summary.md"
