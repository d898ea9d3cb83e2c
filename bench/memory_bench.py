"""What the server process holds in memory, step by step: idle after start, then a day's first work.

    .venv/bin/python bench/memory_bench.py                  # ~30 s, SQLite
    .venv/bin/python bench/memory_bench.py --db postgres    # database aixin_bench_mem_<pid>, dropped at the end

Starts the real server as bench/http_bench.py does (uvicorn, one worker, on a fresh database with the demo
shop, printer kind none) and, one step after the other, reads the server's VmRSS (what it holds now) and VmHWM
(its peak since it started) from /proc:

  idle        after start-up, nothing asked yet
  logins      --logins cashier logins at once (argon2: each hash takes its memory cost while it runs)
  scans       --scans scans of the demo's items
  checkouts   --checkouts 5-line cash sales (each renders its receipt for the print queue)
  till page   GET /till
  reports     the manager's month report page (two charts drawn by pygal) and the CSV
  rename      the manager renames an item (its pinyin search keys are made: pypinyin's readings, from a cache file)

Also python -X importtime's heaviest imports of `import web.app` with --imports. Nothing is timed: only memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from http_bench import (AIXIN, ROOT, Server, app_env, cookie_header, drop_database, free_port, fresh_database,
                        log, login, proc_status, request, uvicorn_command)
from web.demo import CRAFTS, DONATIONS, FOOD, food_code
from inventory.barcodes import in_store_code


def memory(pid: int) -> dict[str, float]:
    status = proc_status(pid)
    return {"rss_mb": round(status.get("VmRSS", 0) / 1024, 1), "hwm_mb": round(status.get("VmHWM", 0) / 1024, 1)}


def heaviest_imports(top: int = 15) -> list[tuple[int, str]]:
    """(cumulative µs, module) of `import web.app`, the heaviest first."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import web.app"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-name", default=f"aixin_bench_mem_{os.getpid()}")
    parser.add_argument("--logins", type=int, default=4, help="cashier logins at once")
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--checkouts", type=int, default=30)
    parser.add_argument("--imports", action="store_true", help="also list the heaviest imports of web.app")
    parser.add_argument("--json", help="write the steps here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="aixin-memory-"))
    server = None
    steps: dict[str, dict[str, float]] = {}
    try:
        url = fresh_database(args.db, workdir, args.pg_name)
        env = app_env(url, workdir)
        subprocess.run([AIXIN, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = Server("aixin", uvicorn_command("serve_app:app", port, factory=True), env, port, "/login",
                        workdir / "aixin-server.log")
        server.wait_ready()
        time.sleep(0.5)
        steps["idle"] = memory(server.pid)

        sessions: list[dict[str, str]] = []
        threads = [threading.Thread(target=lambda: sessions.append(login(port))) for _ in range(args.logins)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(sessions) == args.logins, "a login failed"
        steps[f"{args.logins} logins at once"] = memory(server.pid)
        cookies = sessions[0]
        headers = {"Cookie": cookie_header(cookies)}

        donated = sum(len(items) for _, _, items in DONATIONS)
        crafts = [in_store_code(donated + i + 1) for i in range(len(CRAFTS))]
        cart = [food_code(FOOD[0][0]), food_code(FOOD[1][0]), food_code(FOOD[2][0]), crafts[0], crafts[2]]
        scannable = cart + [food_code(code) for code, *_ in FOOD] + [in_store_code(i) for i in range(1, donated + 1)]
        prices = {}
        for i in range(args.scans):
            code = scannable[i % len(scannable)]
            status, _, body = request(port, "GET", f"/api/till/items/{code}", headers=headers)
            assert status in (200, 404, 409), (code, status, body[:300])  # a sold one-off piece may answer 409
            if status == 200:
                prices[code] = json.loads(body)["price_fen"]
        steps[f"{args.scans} scans"] = memory(server.pid)

        total = sum(prices[code] for code in cart)
        for i in range(args.checkouts):
            status, _, body = request(port, "POST", "/api/sales", headers={
                **headers, "x-csrftoken": cookies["csrftoken"], "Content-Type": "application/json"},
                body=json.dumps({"till": "T1", "idempotency_key": f"memory-{os.getpid()}-{i}",
                                 "cash_given_fen": total,
                                 "lines": [{"barcode": c, "quantity": 1} for c in cart]}).encode())
            assert status == 201, (status, body[:500])
        steps[f"{args.checkouts} checkouts"] = memory(server.pid)

        status, _, body = request(port, "GET", "/till", headers=headers)
        assert status == 200, (status, body[:300])
        steps["till page"] = memory(server.pid)

        manager = login(port, "manager")
        manager_headers = {"Cookie": cookie_header(manager)}
        status, _, body = request(port, "GET", "/manager/reports?period=month", headers=manager_headers)
        assert status == 200 and b"<svg" in body, (status, body[:300])
        status, _, body = request(port, "GET", "/manager/reports?period=month&by=source", headers=manager_headers)
        assert status == 200, (status, body[:300])
        steps["reports (charts)"] = memory(server.pid)

        code = cart[0]
        status, _, body = request(port, "GET", f"/api/catalogue/items/{code}", headers=manager_headers)
        assert status == 200, (status, body[:300])
        item = json.loads(body)["item"]
        status, _, body = request(port, "PUT", f"/api/catalogue/items/{code}", headers={
            **manager_headers, "x-csrftoken": manager["csrftoken"], "Content-Type": "application/json"},
            body=json.dumps({"name": item["name"] + " 重庆", "category": item["category_code"]}).encode())
        assert status == 200, (status, body[:300])
        steps["rename an item (pinyin)"] = memory(server.pid)

        print()
        print(f"== server memory, {args.db} (MB)")
        print(f"{'step':32} {'VmRSS':>8} {'VmHWM':>8}")
        for name, values in steps.items():
            print(f"{name:32} {values['rss_mb']:8.1f} {values['hwm_mb']:8.1f}")
        result = {"db": args.db, "steps": steps}
        if args.imports:
            result["imports"] = heaviest_imports()
            print("\nheaviest imports of web.app (cumulative ms):")
            for micros, name in result["imports"]:
                print(f"  {micros / 1000:8.1f}  {name}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    finally:
        if server is not None:
            server.stop()
            server.output.close()
        if args.db == "postgres":
            drop_database(args.pg_name)
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
    log("done")


if __name__ == "__main__":
    main()
