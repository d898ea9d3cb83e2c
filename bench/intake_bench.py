"""The intake desk under load: 20-item donations over HTTP, as several desks save at once.

    .venv/bin/python bench/intake_bench.py --db sqlite
    .venv/bin/python bench/intake_bench.py --db postgres     # database aixin_bench_intake_<pid>, made anew

A fresh database with the demo shop; the real server (bench/serve_app.py, one uvicorn worker,
its print worker writing label jobs to a folder, as at a shop); --clients threads each log in as
the demo intake volunteer and save --donations donations of 20 items (15 pieces without a
maker's barcode, so 15 in-store codes and a 15-label print job; 5 with a known maker's barcode),
each with its own idempotency key. Prints donations/s, the latency of one save (p50, p99), the
label jobs written, the server's peak RSS; then checks the books with `aixin verify`.
Not a test: run by hand, numbers reported in the issue's closing note.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from http_bench import (  # noqa: E402
    AIXIN, drop_database, free_port, fresh_database, login, proc_status, request, uvicorn_command, cookie_header,
)

ITEMS = (
    [{"category": "clothes", "description": f"捐赠衣物 {n}", "condition": "like-new", "price_fen": 2000}
     for n in range(10)]
    + [{"category": "books", "description": f"旧书 {n}", "condition": "good", "price_fen": 500} for n in range(5)]
    + [{"category": "food", "description": "红烧牛肉面 5连包", "condition": "new", "price_fen": 1250,
        "barcode": "6901234500011", "expires_on": "2027-06-30"}] * 5
)


def save_donations(port: int, count: int, latencies: list[float], errors: list[str]) -> None:
    cookies = login(port, "intake")
    headers = {"Content-Type": "application/json", "Cookie": cookie_header(cookies), "x-csrftoken": cookies["csrftoken"]}
    for _ in range(count):
        body = json.dumps({"idempotency_key": uuid.uuid4().hex, "items": ITEMS}).encode()
        started = time.perf_counter()
        status, _, data = request(port, "POST", "/api/donations", body=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        if status != 201:
            errors.append(f"{status} {data[:200]!r}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--donations", type=int, default=50, help="per client")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="aixin-intake-bench-"))
    pg_name = f"aixin_bench_intake_{os.getpid()}"
    url = fresh_database(args.db, workdir, pg_name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIXIN_")}
    env.update(AIXIN_DATABASE_URL=url, AIXIN_SERVER_DATA_DIR=str(workdir / "data"), AIXIN_PRINTER_KIND="none",
               AIXIN_LABELS_KIND="file", AIXIN_LABELS_PATH=str(workdir / "labels"),
               AIXIN_CONFIG=str(BENCH.parent / "config.toml"), PYTHONUNBUFFERED="1")
    server = None
    try:
        subprocess.run([AIXIN, "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(uvicorn_command("serve_app:app", port, factory=True), env=env, cwd=BENCH.parent)
        for _ in range(200):
            try:
                request(port, "GET", "/login")
                break
            except OSError:
                time.sleep(0.05)
        latencies: list[float] = []
        errors: list[str] = []
        save_donations(port, 3, [], errors)  # warm-up
        started = time.perf_counter()
        threads = [threading.Thread(target=save_donations, args=(port, args.donations, latencies, errors))
                   for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        time.sleep(2)  # the print worker writes the last label jobs
        peak_kb = proc_status(server.pid).get("VmHWM", 0)
        latencies.sort()
        jobs = list((workdir / "labels").glob("*label-D*"))
        print(f"{args.db}: {len(latencies)} donations of 20 items by {args.clients} desks in {elapsed:.1f} s: "
              f"{len(latencies) / elapsed:.1f} donations/s ({20 * len(latencies) / elapsed:.0f} items/s); "
              f"one save p50 {1000 * latencies[len(latencies) // 2]:.1f} ms, "
              f"p99 {1000 * latencies[int(len(latencies) * 0.99) - 1]:.1f} ms; errors {len(errors)}; "
              f"label jobs written {len(jobs)} ({sum(j.stat().st_size for j in jobs) // max(len(jobs), 1)} bytes each); "
              f"server peak RSS {peak_kb // 1024} MB")
        for error in errors[:5]:
            print("  error:", error)
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        server = None
        verify = subprocess.run([AIXIN, "verify"], env=env, capture_output=True, text=True)
        print("aixin verify:", verify.stdout.strip() or verify.stderr.strip())
        return 1 if errors or verify.returncode else 0
    finally:
        if server is not None:
            server.kill()
        if args.db == "postgres":
            drop_database(pg_name)


if __name__ == "__main__":
    raise SystemExit(main())
