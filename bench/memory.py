#!/usr/bin/env python3
"""Memory phase of `make bench` (stdlib only).

run.sh (the kit's) stops each server without a hook to read its memory first, so this
script starts each target itself, in its own session, loads it with wrk for a few seconds
per operation (same wrk script and connections as run.sh), then reads VmRSS and VmHWM
(peak RSS) from /proc/<pid>/status of every process in the server's process group, and
stops the group (TERM, then KILL).

  memory.py OUT_JSONL SECONDS 'NAME|PORT|PATH|BODIES_DIR|START_CMD' ...
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

KIT = Path(os.environ.get("KIT") or Path(__file__).resolve().parents[2] / "shared" / "bench")
OPS = ("q1", "q2", "q3")
CONNS = os.environ.get("CONNS", "4")


def log(msg: str) -> None:
    print(f"memory: {msg}", file=sys.stderr, flush=True)


def group_pids(pgid: int) -> list[int]:
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
            pids.append(int(d))
    return sorted(pids)


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} missing in /proc/{pid}/status")


def post(url: str, body: Path) -> tuple[int, bytes]:
    req = urllib.request.Request(
        url, data=body.read_bytes(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def check(op: str, answer: bytes, logdir: Path, name: str) -> None:
    """The kit's own answer check (lib/helper.py check), as run.sh does before measuring."""
    path = logdir.parent / "responses" / f"{name}.memory.{op}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(answer)
    done = subprocess.run(
        [sys.executable, str(KIT / "lib" / "helper.py"), "check", op, str(path)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"memory: {name} {op}: {done.stdout.strip()}: {answer[:300]!r}")


def port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(proc: subprocess.Popen) -> None:
    pgid = proc.pid
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_pids(pgid):
            proc.poll()
            time.sleep(0.1)
        if not group_pids(pgid):
            break
    proc.wait(timeout=5)


def measure(spec: str, seconds: int, logdir: Path) -> dict:
    name, port, path, bodies, cmd = spec.split("|", 4)
    url = f"http://127.0.0.1:{port}{path}"
    bodies_dir = Path(bodies)
    if port_busy(int(port)):
        raise SystemExit(f"memory: port {port} is in use; cannot start {name}")
    log(f"{name}: starting ({url})")
    logfile = open(logdir / f"{name}.memory.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["bash", "-c", cmd], cwd=KIT, stdout=logfile, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while post(url, bodies_dir / "q1.json")[0] != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"memory: {name} did not start; see {logfile.name}")
            time.sleep(0.2)
        for op in OPS:
            code, answer = post(url, bodies_dir / f"{op}.json")
            if code != 200:
                raise SystemExit(f"memory: {name} {op} answered HTTP {code}: {answer[:300]!r}")
            check(op, answer, logdir, name)
        pids = group_pids(proc.pid)
        rss_start = sum(status_kb(p, "VmRSS") for p in pids)
        requests = {}
        for op in OPS:
            out = subprocess.run(
                ["wrk", "-t1", f"-c{CONNS}", f"-d{seconds}s", "--timeout", "5s",
                 "-s", str(KIT / "wrk" / "bench.lua"), url],
                env={**os.environ, "BODY_FILE": str(bodies_dir / f"{op}.json")},
                capture_output=True, text=True, check=True,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("RESULT "))
            requests[op] = json.loads(line[len("RESULT ") :])["requests"]
        pids = group_pids(proc.pid)
        result = {
            "target": name,
            "pid": proc.pid,
            "processes": len(pids),
            "rss_after_start_kb": rss_start,
            "vmhwm_kb": sum(status_kb(p, "VmHWM") for p in pids),
            "rss_end_kb": sum(status_kb(p, "VmRSS") for p in pids),
            "seconds_per_op": seconds,
            "requests": requests,
        }
        log(f"{name}: VmHWM {result['vmhwm_kb'] / 1024:.1f} MiB "
            f"(RSS after start {rss_start / 1024:.1f} MiB, {sum(requests.values())} requests)")
        return result
    finally:
        stop(proc)
        logfile.close()


def main() -> None:
    out, seconds, specs = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: stop servers
    with out.open("a") as f:
        for spec in specs:
            logdir = out.parent / "logs"
            logdir.mkdir(parents=True, exist_ok=True)
            f.write(json.dumps(measure(spec, seconds, logdir)) + "\n")


if __name__ == "__main__":
    main()
