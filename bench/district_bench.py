"""A district on one PostgreSQL: 20 shops × 3 tills selling at once through `aixin serve --workers N`.

    .venv/bin/python bench/district_bench.py                      # 20 shops, 3 tills each, 2 workers, 60 s
    .venv/bin/python bench/district_bench.py --workers 4 --duration 120

What it does (see bench/README.md):
  1. a fresh PostgreSQL database `aixin_bench_district_<pid>` (dropped at the end), migrated; in it --shops shops,
     each with --tills tills, a cashier per till whose session is open, and 40 packaged items with stock enough;
  2. `aixin serve --workers N` on a free port of 127.0.0.1 (printing to nowhere, no automatic backup);
  3. each till logs its cashier in, then sells: a sale of 1 to 5 lines every --every seconds on average
     (exponential gaps), and now and then (--burst-chance) a queue at the till: 3 to 6 sales back to back; for
     --duration seconds, all tills at once, from one asyncio client;
  4. prints the checkout latency (POST /api/sales, 201) p50/p95/p99/max, the sales made, the errors by status,
     and checks that every shop's sales are in the database; writes the results as JSON (--json).

Only 127.0.0.1 is ever targeted; the run is bounded in time; the server is stopped on exit, also on error.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from http_bench import PYTHON, ROOT, Server, app_env, drop_database, free_port, fresh_database  # noqa: E402

ITEMS = 40  # per shop
PASSWORD = "bench-password"


async def make_district(url: str, *, shops: int, tills: int) -> dict[str, dict]:
    """The shops, their tills (open, each its cashier) and items; {shop code: {tills: [(till, user)], items}}."""
    from inventory.barcodes import check_digit
    from inventory.catalogue import add_category, add_item
    from pos.sessions import open_session
    from pos.tills import add_till
    from shop.database import bind, close_database, engine_for, migrate, open_database
    from shop.shops import add_shop
    from shop.staff import Role, create_staff

    engine = engine_for(url)
    await open_database(engine)
    await migrate(engine)
    bind(engine)
    district: dict[str, dict] = {}
    try:
        for s in range(shops):
            code = f"B{s:02d}"
            shop = await add_shop(code=code, name=f"爱心超市 {s:02d} 店")
            keeper = await create_staff(shop_id=shop.id, username=f"m{s:02d}", password=PASSWORD,
                                        role=Role.MANAGER)
            food = await add_category(shop_id=shop.id, code="food", name="食品", source="purchased")
            items = []
            for i in range(ITEMS):
                body = f"69{s:02d}{i:08d}"
                barcode = body + str(check_digit(body))
                price = random.Random(s * 1000 + i).randrange(150, 3000, 50)
                await add_item(shop_id=shop.id, barcode=barcode, name=f"商品 {i}", category_id=food, price_fen=price,
                               quantity=9_999, staff_id=keeper.id, reason="bench")
                items.append((barcode, price))
            till_list = []
            for t in range(tills):
                till_code = f"T{t + 1}"
                till_id = await add_till(shop_id=shop.id, code=till_code, name=f"{t + 1} 号收银台")
                cashier = await create_staff(shop_id=shop.id, username=f"c{s:02d}t{t + 1}", password=PASSWORD,
                                             role=Role.CASHIER)
                await open_session(shop_id=shop.id, till_id=till_id, staff_id=cashier.id, float_fen=50_000)
                till_list.append((till_code, f"c{s:02d}t{t + 1}"))
            district[code] = {"id": shop.id, "tills": till_list, "items": items}
    finally:
        await close_database(engine)
    return district


async def till(client: httpx.AsyncClient, *, till_code: str, username: str, items: list[tuple[str, int]],
               every: float, burst_chance: float, until: float, rng: random.Random,
               latencies: list[float], errors: collections.Counter, flat_out: bool = False) -> int:
    """One till, its cashier logged in: sells until `until`; how many sales it made (flat out: back to back,
    no pause, so that the tills of one shop find what the database, not the client, allows)."""
    if not flat_out:
        await asyncio.sleep(rng.uniform(0, every))  # the tills do not all start on the same second
    sold = 0
    while time.monotonic() < until:
        for _ in range(rng.randint(3, 6) if rng.random() < burst_chance else 1):
            lines = rng.sample(items, rng.randint(1, 5))
            total = sum(price for _, price in lines)
            body = {"till": till_code, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": total,
                    "lines": [{"barcode": barcode, "quantity": 1} for barcode, _ in lines]}
            started = time.perf_counter()
            try:
                answer = await client.post("/api/sales", json=body,
                                           headers={"x-csrftoken": client.cookies["csrftoken"]})
                status = answer.status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            if status == 201:
                latencies.append(time.perf_counter() - started)
                sold += 1
            else:
                errors[str(status)] += 1
            if not flat_out:
                await asyncio.sleep(rng.uniform(0.3, 1.0))  # the next customer's goods on the counter
        if flat_out:
            continue
        await asyncio.sleep(min(rng.expovariate(1 / every), max(0.0, until - time.monotonic())))
    return sold


async def log_in(client: httpx.AsyncClient, username: str) -> None:
    """One at a time: logins from one address at once count as wrong tries until checked (shop/throttle.py)."""
    await client.get("/login")
    login = await client.post("/login", data={"username": username, "password": PASSWORD,
                                              "_csrf_token": client.cookies["csrftoken"]})
    if login.status_code not in (302, 303):
        raise RuntimeError(f"{username} could not log in: {login.status_code}")


async def drive(port: int, district: dict[str, dict], *, every: float, burst_chance: float,
                duration: float, flat_out: bool = False) -> dict:
    latencies: list[float] = []
    errors: collections.Counter = collections.Counter()
    rng = random.Random(19)
    clients = []
    for shop in district.values():
        for till_code, username in shop["tills"]:
            clients.append(client := httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30))
            await log_in(client, username)
    until = time.monotonic() + duration
    work = []
    tills_of = iter(clients)
    for shop in district.values():
        for till_code, username in shop["tills"]:
            client = next(tills_of)
            work.append(till(client, till_code=till_code, username=username, items=shop["items"], every=every,
                             burst_chance=burst_chance, until=until, rng=random.Random(rng.random()),
                             latencies=latencies, errors=errors, flat_out=flat_out))
    started = time.monotonic()
    try:
        sold = await asyncio.gather(*work)
    finally:
        for client in clients:
            await client.aclose()
    elapsed = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 1) if ms else 0.0

    return {"sales": sum(sold), "seconds": round(elapsed, 1), "sales_per_second": round(sum(sold) / elapsed, 1),
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": round(ms[-1], 1) if ms else 0.0,
            "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0, "errors": dict(errors)}


async def sales_by_shop(url: str) -> dict[int, int]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return {row["shop"]: row["n"] for row in await connection.fetch(
            "SELECT shop, count(*) AS n FROM sale GROUP BY shop")}
    finally:
        await connection.close()


async def summaries_after(url: str) -> dict:
    """Once the server has stopped (its folders fold what is left at stop, pos/summaries.py): the outbox rows left
    unfolded, and whether the reports' summaries hold every sale line."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        outbox = await connection.fetchval("SELECT to_regclass('report_sale_outbox') IS NOT NULL")
        left = await connection.fetchval("SELECT COUNT(*) FROM report_sale_outbox") if outbox else 0
        summed = await connection.fetchval("SELECT COALESCE(SUM(lines), 0) FROM report_sale_hour")
        lines = await connection.fetchval("SELECT COUNT(*) FROM sale_line")
        return {"outbox_left_at_stop": left, "summaries_hold_every_line": summed == lines}
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="A district's tills on one PostgreSQL (see bench/README.md)")
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--tills", type=int, default=3, help="tills per shop")
    parser.add_argument("--workers", type=int, default=2, help="`aixin serve --workers N`")
    parser.add_argument("--every", type=float, default=4.0, help="mean seconds between a till's customers")
    parser.add_argument("--burst-chance", type=float, default=0.1,
                        help="the chance that a customer brings a queue: 3 to 6 sales back to back")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the tills sell (at most 600)")
    parser.add_argument("--flat-out", action="store_true",
                        help="each till sells back to back without pause (--every ignored): with --shops 1 --tills 8, "
                             "whether one shop's sales wait on each other")
    parser.add_argument("--pg-name", default=f"aixin_bench_district_{os.getpid()}")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    args.duration = min(args.duration, 600.0)
    workdir = Path(tempfile.mkdtemp(prefix="aixin-district-"))
    url = fresh_database("postgres", workdir, args.pg_name)
    server = None
    results: dict | None = None
    try:
        print(f"making {args.shops} shops × {args.tills} tills in {args.pg_name} …", flush=True)
        district = asyncio.run(make_district(url, shops=args.shops, tills=args.tills))
        port = free_port()
        env = {**app_env(url, workdir), "AIXIN_BACKUP_AUTOMATIC": "false", "AIXIN_SERVER_PORT": str(port),
               "AIXIN_SERVER_HOST": "127.0.0.1"}
        server = Server("aixin", [PYTHON, "-m", "web.cli", "serve", "--workers", str(args.workers)], env, port,
                        "/login", workdir / "server.log")
        server.wait_ready(timeout=60)
        time.sleep(2)  # every worker up
        print(f"serving with --workers {args.workers}; {args.shops * args.tills} tills sell for {args.duration:.0f} s",
              flush=True)
        results = asyncio.run(drive(port, district, every=args.every, burst_chance=args.burst_chance,
                                    duration=args.duration, flat_out=args.flat_out))
        in_database = asyncio.run(sales_by_shop(url))
        results.update(shops=args.shops, tills=args.tills, workers=args.workers, every=args.every,
                       flat_out=args.flat_out,
                       burst_chance=args.burst_chance, at=datetime.now(UTC).isoformat(timespec="seconds"),
                       sales_in_database=sum(in_database.values()),
                       shops_with_sales=len(in_database), cpus=os.cpu_count())
    finally:
        if server is not None:
            server.stop()
            if results is not None:
                results.update(asyncio.run(summaries_after(url)))
        drop_database(args.pg_name)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    ok = (not results["errors"] and results["sales_in_database"] == results["sales"]
          and results["summaries_hold_every_line"])
    print("ok: every sale answered 201 and is in the database and the reports' summaries" if ok
          else "NOT OK: see errors above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
