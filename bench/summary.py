#!/usr/bin/env python3
"""Lys vs ariadne-litestar-cached, from one results folder of the kit's run.sh (stdlib only).

  summary.py RESULTS_DIR [PEER]     -> markdown on stdout

Reads wrk.jsonl and sql.jsonl (written by run.sh) and lys-memory.jsonl (memory.py).
Numbers are medians over the run's repetitions, like the kit's table.md.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

OPS = {"q1": "Q1 product(id)", "q2": "Q2 allProducts(first:50)", "q3": "Q3 createProduct"}
ERRORS = ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")


def jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def med(rows: list[dict], field: str) -> float | None:
    values = [r[field] for r in rows if r.get(field) is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def main() -> int:
    out = Path(sys.argv[1])
    peer = sys.argv[2] if len(sys.argv) > 2 else "ariadne-litestar-cached"
    wrk = jsonl(out / "wrk.jsonl")
    sql = {}
    for r in jsonl(out / "sql.jsonl"):
        sql.setdefault((r["target"], r["op"]), r)
    memory = {r["target"]: r for r in jsonl(out / "lys-memory.jsonl")}
    if not any(r["target"] == "lys" for r in wrk):
        print(f"Lys was not measured; see {out}/logs/lys.run*.log", file=sys.stderr)
        return 1

    def rows(target: str, op: str) -> list[dict]:
        return [r for r in wrk if r["target"] == target and r["op"] == op]

    runs = max(r["run"] for r in wrk)
    print(f"## Lys vs {peer} (medians of {runs} run{'s' * (runs > 1)}; same run, same data)\n")
    print(f"| operation | Lys req/s | {peer} req/s | Lys/peer req/s | Lys p50 / p99 ms | "
          f"peer p50 / p99 ms | Lys CPU ms/req | peer CPU ms/req | Lys SQL/req | "
          f"peer SQL/req | Lys wrk errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for op, label in OPS.items():
        ours, theirs = rows("lys", op), rows(peer, op)
        if not ours:
            continue
        a, b = med(ours, "rps"), med(theirs, "rps")
        ratio = f"{a / b:.2f}x" if a and b else "n/a"
        errors = sum(r[e] for r in ours for e in ERRORS)
        s_ours, s_theirs = sql.get(("lys", op)), sql.get((peer, op))
        print(f"| {label} | {fmt(a, 0)} | {fmt(b, 0)} | {ratio} | "
              f"{fmt(med(ours, 'p50_ms'))} / {fmt(med(ours, 'p99_ms'))} | "
              f"{fmt(med(theirs, 'p50_ms'))} / {fmt(med(theirs, 'p99_ms'))} | "
              f"{fmt(med(ours, 'cpu_ms_per_req'), 3)} | {fmt(med(theirs, 'cpu_ms_per_req'), 3)} | "
              f"{s_ours['statements'] if s_ours else 'n/a'} | "
              f"{s_theirs['statements'] if s_theirs else 'n/a'} | {errors} |")

    if memory:
        print("\nMemory (separate phase after the run: each server started alone, "
              "wrk on Q1, Q2, Q3 in turn, then /proc/<pid>/status read before stopping it):\n")
        print("| target | RSS after start MiB | peak RSS (VmHWM) MiB | processes | requests |")
        print("|---|---:|---:|---:|---:|")
        for name in ("lys", peer):
            m = memory.get(name)
            if m:
                print(f"| {name} | {m['rss_after_start_kb'] / 1024:.1f} | "
                      f"{m['vmhwm_kb'] / 1024:.1f} | {m['processes']} | "
                      f"{sum(m['requests'].values())} |")
        if "lys" in memory and peer in memory:
            print(f"\nLys/peer peak RSS: "
                  f"{memory['lys']['vmhwm_kb'] / memory[peer]['vmhwm_kb']:.2f}x")

    lys_sql = [(op, sql[("lys", op)]) for op in OPS if ("lys", op) in sql]
    if lys_sql:
        print("\nLys SQL statements for one request (pg_stat_statements, calls x text):\n")
        for op, r in lys_sql:
            print(f"- {op}: {r['statements']} -> " + " ; ".join(r.get("detail") or []))
    print(f"\nraw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
