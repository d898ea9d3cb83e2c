"""Benchmark of the till's catalogue feed (GET /api/till/catalogue) on a shop of 300,000 items.

    .venv/bin/python bench/catalogue_feed_bench.py --db sqlite
    .venv/bin/python bench/catalogue_feed_bench.py --db postgres        # database aixin_bench_feed_<pid>, dropped after
    .venv/bin/python bench/catalogue_feed_bench.py --db sqlite --items 30000 --limit 5000

What it does:
  1. a fresh database and `aixin demo`, then --items items (default 300,000) over five donated and packaged
     categories, intake dates spread over 120 days (so markdowns of 0, 30 and 50% all occur), one intake movement
     each, inserted in bulk (executemany / COPY) with the catalogue triggers firing as for any writer; the time
     this takes is reported (the triggers' share is what the catalogue version costs a bulk load);
  2. the real app (bench/serve_app.py) in `uvicorn --workers 1` on 127.0.0.1, logged in as the demo cashier;
  3. the whole catalogue walked page by page over one kept HTTP connection (since=0, after=next_after), as the
     till does on its first start: the time, the pages' slowest, the JSON bytes, and what gzip makes of them
     (levels 1 and 6, with the CPU time gzip needs per page: the cost of compressing on the server);
  4. an increment: --changes prices changed (through the app's own operation, inventory.catalogue.change_price)
     and since=<the walk's version> fetched; and a till whose prices are a week old (day=), which also gets the
     items whose markdown moved a step in that week;
  5. prints a table and writes JSON (--json, default bench/results/catalogue_feed_<db>.json).

The browser's side (IndexedDB load, the till ready offline) is measured by the browser's own bench.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from http_bench import (  # noqa: E402
    AIXIN, PG_NAME, Server, app_env, code_fingerprint, cookie_header, drop_database, extra_codes, free_port,
    fresh_database, log, login, uvicorn_command,
)

CATEGORIES = ("clothes", "books", "household", "toys", "food")  # the demo's: four donated, one packaged (perishable)
NAMES = ("儿童羽绒服", "男士羊毛衫", "唐诗三百首", "电热水壶 1.7L", "积木玩具一箱", "挂面 1kg", "不锈钢保温饭盒",
         "小学数学练习册", "针织围巾", "陶瓷茶具一套")
MAX_AGE_DAYS = 120


def rows_of(n: int, codes: list[str], categories: dict[str, int], now: datetime) -> list[tuple]:
    """(barcode, name, category id, price, created_at, expires_on) of each extra item, the same on both engines."""
    chosen = random.Random(18)
    rows = []
    for i, code in enumerate(codes):
        category = CATEGORIES[i % len(CATEGORIES)]
        came_in = now - timedelta(seconds=chosen.uniform(0, MAX_AGE_DAYS * 86400))
        expires = (now + timedelta(days=chosen.randint(10, 300))).date() if category == "food" else None
        rows.append((code, f"{NAMES[i % len(NAMES)]} #{i + 1}", categories[category], chosen.randint(100, 20000),
                     came_in, expires))
    return rows


def add_items_sqlite(path: str, codes: list[str]) -> float:
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        shop, intake = connection.execute(
            "SELECT s.id, t.id FROM shop s JOIN staff t ON t.shop = s.id WHERE s.code = 'demo' AND t.username = 'intake'"
        ).fetchone()
        categories = dict(connection.execute("SELECT code, id FROM category WHERE shop = ?", (shop,)).fetchall())
        rows = rows_of(len(codes), codes, categories, datetime.now(UTC))
        first = connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM item").fetchone()[0]
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO item (id, shop, barcode, name, category, price_fen, one_off, active, created_at, on_hand, "
            "expires_on) VALUES (?, ?, ?, ?, ?, ?, 0, 1, ?, 1, ?)",
            ((first + i, shop, code, name, category, price, str(came_in), expires and expires.isoformat())
             for i, (code, name, category, price, came_in, expires) in enumerate(rows)))
        connection.executemany(
            "INSERT INTO stock_movement (shop, item, quantity, kind, reason, ref, staff, created_at) "
            "VALUES (?, ?, 1, 'intake', 'bench', '', ?, ?)",
            ((shop, first + i, intake, str(row[4])) for i, row in enumerate(rows)))
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.execute("ANALYZE")
        return seconds
    finally:
        connection.close()


async def add_items_postgres(url: str, codes: list[str]) -> float:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        shop = await connection.fetchval("SELECT id FROM shop WHERE code = 'demo'")
        intake = await connection.fetchval("SELECT id FROM staff WHERE username = 'intake'")
        categories = {r["code"]: r["id"] for r in await connection.fetch("SELECT code, id FROM category WHERE shop = $1",
                                                                         shop)}
        rows = rows_of(len(codes), codes, categories, datetime.now(UTC))
        started = time.perf_counter()
        async with connection.transaction():
            await connection.copy_records_to_table(
                "item", columns=["shop", "barcode", "name", "category", "price_fen", "one_off", "active", "created_at",
                                 "on_hand", "expires_on"],
                records=[(shop, code, name, category, price, False, True, came_in, 1, expires)
                         for code, name, category, price, came_in, expires in rows])
            ids = await connection.fetch("SELECT id, created_at FROM item WHERE shop = $1 AND barcode = ANY($2::varchar[])",
                                         shop, codes)
            await connection.copy_records_to_table(
                "stock_movement", columns=["shop", "item", "quantity", "kind", "reason", "ref", "staff", "created_at"],
                records=[(shop, row["id"], 1, "intake", "bench", "", intake, row["created_at"]) for row in ids])
        seconds = time.perf_counter() - started
        await connection.execute("VACUUM ANALYZE")
        await connection.execute("CHECKPOINT")
        return seconds
    finally:
        await connection.close()


def change_prices(url: str, workdir: Path, count: int) -> None:
    """`count` items repriced through the shop's own operation (as a manager would), in a child process."""
    script = f"""
import asyncio, random
from shop.settings import load_settings
from shop.database import engine_for, open_database, close_database, bind, run
from inventory.catalogue import change_price
async def main():
    engine = engine_for(load_settings().database.url)
    await open_database(engine); bind(engine)
    manager = (await run(engine, "SELECT id FROM staff WHERE username = 'manager'"))[0]["id"]
    shop = (await run(engine, "SELECT id FROM shop WHERE code = 'demo'"))[0]["id"]
    rows = await run(engine, "SELECT barcode, price_fen FROM item WHERE active ORDER BY id")
    for row in random.Random(7).sample(rows, {count}):
        await change_price(shop_id=shop, barcode=row["barcode"], price_fen=row["price_fen"] + 1, staff_id=manager)
    await close_database(engine)
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", script], env=app_env(url, workdir), cwd=ROOT, check=True)


class Walker:
    """One kept HTTP connection, as a till's browser keeps one."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Cookie": cookie_header(cookies)}

    def get(self, query: dict, accept_gzip: bool = False) -> tuple[dict, bytes, float, str]:
        headers = {**self.headers, **({"Accept-Encoding": "gzip"} if accept_gzip else {})}
        started = time.perf_counter()
        try:
            self.connection.request("GET", "/api/till/catalogue?" + urllib.parse.urlencode(query), headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):  # uvicorn closes a connection idle for 5 s
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.perf_counter()
            self.connection.request("GET", "/api/till/catalogue?" + urllib.parse.urlencode(query), headers=headers)
            response = self.connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")
        encoding = response.headers.get("content-encoding", "")
        raw = gzip.decompress(body) if encoding == "gzip" else body
        return json.loads(raw), body, seconds, encoding

    def walk(self, limit: int, accept_gzip: bool = False, **query) -> dict:
        """A whole walk, timed as the till sees it (requests and JSON parsing); gzip measured after, on the bodies."""
        bodies, pages, sent, items, removed, slowest, first, after, encoding = [], 0, 0, 0, 0, 0.0, None, 0, ""
        started = time.perf_counter()
        while True:
            page, body, seconds, encoding = self.get({**query, "limit": limit, "after": after}, accept_gzip)
            first = first or page
            pages += 1
            sent += len(body)
            bodies.append(body)
            items += len(page["items"])
            removed += len(page["removed"])
            slowest = max(slowest, seconds)
            if page["next_after"] is None:
                break
            after = page["next_after"]
        total = time.perf_counter() - started
        result = {"seconds": round(total, 3), "pages": pages, "items": items, "removed": removed,
                  "slowest_page_ms": round(slowest * 1000, 1), "bytes_sent": sent, "version": first["version"],
                  "content_encoding": encoding}
        if encoding == "gzip":
            result["json_bytes"] = sum(len(gzip.decompress(body)) for body in bodies)
        else:
            result["json_bytes"] = sent
            for level in (1, 6):
                cpu = time.process_time()
                result[f"gzip{level}_bytes"] = sum(len(gzip.compress(body, compresslevel=level)) for body in bodies)
                result[f"gzip{level}_cpu_s"] = round(time.process_time() - cpu, 3)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description="the till's catalogue feed on a large shop (see the docstring)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--pg-name", default=f"aixin_bench_feed_{os.getpid()}")
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--limit", type=int, default=2000, help="items a page (the feed's default: 2000)")
    parser.add_argument("--changes", type=int, default=100, help="prices changed before the increment")
    parser.add_argument("--json", help="default bench/results/catalogue_feed_<db>.json")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.db == "postgres" and not PG_NAME.match(args.pg_name):
        raise SystemExit("the PostgreSQL database's name must start with aixin_bench")

    workdir = Path(tempfile.mkdtemp(prefix=f"aixin-feed-bench-{args.db}-"))
    results: dict = {"db": args.db, "when": datetime.now(UTC).isoformat(timespec="seconds"), "items": args.items,
                     "limit": args.limit, "code": code_fingerprint()}
    server = None
    try:
        url = fresh_database(args.db, workdir, args.pg_name)
        env = app_env(url, workdir)
        subprocess.run([AIXIN, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        codes = extra_codes(args.items)
        if args.db == "sqlite":
            seconds = add_items_sqlite(url[len("sqlite:///"):], codes)
        else:
            seconds = asyncio.run(add_items_postgres(url, codes))
        results["bulk_insert_s"] = round(seconds, 2)
        log(f"{args.items} items inserted in {seconds:.1f} s (catalogue triggers firing)")
        if args.db == "sqlite":
            results["database_file_mb"] = round(Path(url[len("sqlite:///"):]).stat().st_size / 2**20, 1)

        port = free_port()
        server = Server("app", uvicorn_command("serve_app:app", port, factory=True), env, port, "/login",
                        workdir / "app.log")
        server.wait_ready()
        walker = Walker(port, login(port))

        results["first_walk_cold_s"] = walker.walk(args.limit)["seconds"]  # the database read from disk
        results["walk"] = walk = walker.walk(args.limit)
        log(f"walk: {walk['items']} items in {walk['pages']} pages, {walk['seconds']:.2f} s, "
            f"{walk['json_bytes'] / 2**20:.1f} MB JSON (gzip -1: {walk['gzip1_bytes'] / 2**20:.1f} MB, "
            f"-6: {walk['gzip6_bytes'] / 2**20:.1f} MB), slowest page {walk['slowest_page_ms']} ms")
        results["walk_gzip"] = zipped = walker.walk(args.limit, accept_gzip=True)
        log(f"walk asking for gzip: {zipped['seconds']:.2f} s, {zipped['bytes_sent'] / 2**20:.1f} MB sent "
            f"(content-encoding {zipped['content_encoding'] or 'none'})")

        change_prices(url, workdir, args.changes)
        page, _, seconds, _ = walker.get({"since": walk["version"], "limit": args.limit})
        results["increment"] = {"changed": args.changes, "items": len(page["items"]), "ms": round(seconds * 1000, 1),
                                "bytes": len(json.dumps(page, ensure_ascii=False).encode())}
        log(f"increment after {args.changes} price changes: {len(page['items'])} items in {seconds * 1000:.1f} ms")
        week_ago = (date.fromisoformat(page["day"]) - timedelta(days=7)).isoformat()
        day_walk = walker.walk(args.limit, since=page["version"], day=week_ago)
        results["week_old_prices"] = {k: day_walk[k] for k in ("items", "pages", "seconds", "json_bytes")}
        log(f"prices a week old: {day_walk['items']} items whose markdown moved, {day_walk['seconds']:.2f} s")
        return 0
    finally:
        if server is not None:
            server.stop()
        if args.db == "postgres" and not args.keep:
            drop_database(args.pg_name)
        out = Path(args.json or BENCH / "results" / f"catalogue_feed_{args.db}.json")
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
