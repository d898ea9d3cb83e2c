"""The same work as the HTTP benchmarks, with no web stack and no ORM: the floor to compare with.

    --work scan              the till's lookup (inventory/catalogue.py _TILL_LOOKUP), in a loop
                             over the barcodes in --barcodes
    --work checkout          one 5-line cash sale with the statements commit_sale() runs, in
                             one transaction (BEGIN IMMEDIATE on SQLite, like the app): the
                             idempotency check (before and inside the transaction), the till
                             check, the items, the consignments, then the sale, its tender, the
                             ledger transaction and its entries; then, with the stock kept on the
                             item (item.on_hand), as commit_sale does: the items locked (FOR UPDATE
                             on PostgreSQL) with their stock read, 5 stock movements, the stock
                             moved by one UPDATE, and the 5 lines (oversold by the stock read under
                             the lock). Without item.on_hand (an older schema): the items locked
                             first and the stock summed from the movements, lines before movements
                             and, when the schema has the print queue, the receipt's print job:
                             queued in the sale's transaction, then leased and marked printed with
                             the print worker's own statements (printing/queue.py), each on its own
    --work checkout-inserts  only the inserts of that sale, in one transaction (no print job)

SQLite: Python's sqlite3, one kept connection with the app's PRAGMAs (WAL, synchronous=FULL,
foreign keys, busy timeout), one loop (the app serialises writers with one lock too).
PostgreSQL: asyncpg, a pool of --concurrency connections and as many concurrent tasks.

Bounded by --seconds and --max-ops. Prints one line: RAW_JSON {"ops": ..., "ops_per_s": ...}.

    .venv/bin/python bench/raw_sql.py --url sqlite:////tmp/x/aixin.sqlite --work scan \
        --barcodes /tmp/x/barcodes.txt --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime
from itertools import count

from inventory.catalogue import _TILL_LOOKUP
from pos.checkout import cart_digest, CartLine
from printing.queue import _ENQUEUE, _LEASE, _LEASE_OLDEST, _OLDEST, _PRINTED, _PRINTING, _SENDING, LEASE
from pos.numbers import sale_number
from pos.split import SplitRule, rule_in_force, split_value

SOURCE_RULES = {"donated": SplitRule(70, 0), "handicraft": SplitRule(10, 80), "purchased": SplitRule(5, 0)}

SALE_BY_KEY = ('SELECT "id", "shop", "till", "cashier", "idempotency_key", "cart_digest", "created_at", '
               '"total_fen", "fund_fen", "maker_fen", "running_fen" FROM "sale" '
               'WHERE "shop" = $1 AND "idempotency_key" = $2 LIMIT 1')
TILL_EXISTS = 'SELECT EXISTS(SELECT * FROM "till" WHERE "id" = $1 AND "shop" = $2) AS "exists"'
# When the schema has till sessions (pos/sessions.py), a sale reads its till's open session instead
# (FOR SHARE on PostgreSQL) and records it on the sale.
OPEN_SESSION = 'SELECT id FROM till_session WHERE till = $1 AND shop = $2 AND closed_at IS NULL'
ITEMS = ('SELECT i.id, i.barcode, i.name, i.price_fen, i.active, c.id AS category_id, c.code AS category_code, '
         'c.source, c.fund_percent, c.maker_percent FROM item i JOIN category c ON c.id = i.category '
         'WHERE i.shop = $1 AND i.barcode IN ({codes}) ORDER BY i.id')
CONSIGNMENTS = ('SELECT c.item, c.maker, m.fund_percent, m.maker_percent FROM consignment c JOIN maker m ON m.id = c.maker '
                'WHERE c.item IN ({ids})')
ON_HAND = ('SELECT item, SUM(quantity) AS on_hand FROM stock_movement WHERE item IN ({ids}) GROUP BY item')
# When the schema keeps stock on the item (item.on_hand), the items' query reads it and the sale
# moves it with one UPDATE, in the same transaction, instead of summing the movements.
ITEMS_KEPT = ITEMS.replace("SELECT i.id,", "SELECT i.id, i.on_hand,")
MOVE_KEPT = "UPDATE item SET on_hand = on_hand - 1 WHERE id IN ({ids})"
LOCK_KEPT = "SELECT id, on_hand FROM item WHERE id IN ({ids}) ORDER BY id FOR UPDATE"
INSERT_SALE = ('INSERT INTO sale (shop, till, cashier, idempotency_key, cart_digest, created_at, total_fen, '
               'fund_fen, maker_fen, running_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id')
INSERT_SALE_IN_SESSION = INSERT_SALE.replace("running_fen) VALUES", "running_fen, session) VALUES").replace(
    "$10)", "$10, $11)")
INSERT_LINE = ('INSERT INTO sale_line (sale, item, barcode, name, category_code, source, unit_price_fen, quantity, '
               'value_fen, rule_fund, rule_maker, fund_fen, maker_fen, running_fen, maker_id, oversold) '
               'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)')
INSERT_MOVEMENT = ('INSERT INTO stock_movement (shop, item, quantity, kind, reason, ref, staff, created_at) '
                   'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)')
INSERT_TENDER = ('INSERT INTO tender (sale, kind, amount_fen, given_fen, change_fen) '
                 'VALUES ($1, $2, $3, $4, $5)')
INSERT_TXN = ('INSERT INTO ledger_txn (shop, kind, ref, reverses, staff, created_at) '
              'VALUES ($1, $2, $3, $4, $5, $6) RETURNING id')
INSERT_ENTRY = 'INSERT INTO ledger_entry (txn, account, currency, amount) VALUES ($1, $2, $3, $4)'
# The receipt's print job (printing/queue.py), when the schema has the print queue: enqueued after
# the sale's transaction, then the worker's pass: the oldest queued job, its not_before, the claim,
# and "printed" — each statement its own transaction, as Piccolo runs them outside one.
PRINT_JOB_BYTES = bytes(range(256)) * 6  # ~1.5 kB, about one 48-column receipt
# the print queue's own statements (printing/queue.py): the receipt queued in the sale's transaction, then the
# worker's look for run-out leases, the lease, the start of sending and the job printed
def numbered(sql: str) -> str:
    """Piccolo's {} placeholders as $1, $2 …"""
    n = count(1)
    return re.sub(r"\{\}", lambda _: f"${next(n)}", sql)


INSERT_JOB, PRINTING_JOBS, OLDEST_JOB, LEASE_JOB, LEASE_OLDEST_JOB, SENDING_JOB, JOB_PRINTED = (
    numbered(sql) for sql in (_ENQUEUE, _PRINTING, _OLDEST, _LEASE, _LEASE_OLDEST, _SENDING, _PRINTED))

_NUMBERED = re.compile(r"\$(\d+)")


def qmarks(sql: str) -> str:
    return _NUMBERED.sub(r"?\1", sql)


def summary(latencies: list[float], seconds: float, work: str, db: str, concurrency: int) -> dict:
    ops = len(latencies)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0.0

    return {"db": db, "work": work, "ops": ops, "seconds": round(seconds, 3),
            "ops_per_s": round(ops / seconds, 1) if seconds else 0, "concurrency": concurrency,
            "p50_ms": round(pct(50), 4), "p99_ms": round(pct(99), 4),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 4) if latencies else 0}


class Sale:
    """The sale's rows, computed from the items as commit_sale() does (same split rules)."""

    def __init__(self, items: list[dict], makers: dict[int, dict], stock: dict[int, int]):
        self.lines, self.total, self.fund, self.maker, self.running = [], 0, 0, 0, 0
        self.per_maker: dict[int, int] = defaultdict(int)
        for item in items:
            consigned = makers.get(item["id"])
            rule = rule_in_force(source_rule=SOURCE_RULES[item["source"]], category_fund=item["fund_percent"],
                                 category_maker=item["maker_percent"], has_maker=consigned is not None,
                                 maker_fund=consigned["fund_percent"] if consigned else None,
                                 maker_maker=consigned["maker_percent"] if consigned else None)
            value = item["price_fen"]
            parts = split_value(value, rule)
            maker_id = consigned["maker"] if consigned else None
            self.lines.append((item, rule, parts, maker_id, stock.get(item["id"], 0) < 1))
            self.total += value
            self.fund += parts.fund_fen
            self.maker += parts.maker_fen
            self.running += parts.running_fen
            if maker_id is not None:
                self.per_maker[maker_id] += parts.maker_fen

    def line_rows(self, sale_id: int, bool_type=bool, stock: dict[int, int] | None = None) -> list[tuple]:
        """`stock`: as read under the items' lock, when the sale took it after reading them (as commit_sale does)."""
        return [(sale_id, item["id"], item["barcode"], item["name"], item["category_code"], item["source"],
                 item["price_fen"], 1, item["price_fen"], rule.fund, rule.maker, parts.fund_fen, parts.maker_fen,
                 parts.running_fen, maker_id, bool_type(oversold if stock is None else stock[item["id"]] < 1))
                for item, rule, parts, maker_id, oversold in self.lines]

    def entries(self, till_id: int) -> list[tuple[str, str, int]]:
        entries = [(f"asset:till:{till_id}:cash", "CNY", self.total), ("liability:fund:community", "CNY", -self.fund),
                   *((f"liability:maker:{m}", "CNY", -fen) for m, fen in sorted(self.per_maker.items())),
                   ("income:shop:running-costs", "CNY", -self.running)]
        return [e for e in entries if e[2] != 0]


# --------------------------------------------------------------------------- SQLite

def sqlite_connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000",
                   "PRAGMA synchronous = FULL"):
        connection.execute(pragma)
    return connection


def sqlite_context(connection: sqlite3.Connection) -> tuple[int, int, int]:
    shop = connection.execute("SELECT id FROM shop WHERE code = 'demo'").fetchone()[0]
    till = connection.execute("SELECT id FROM till WHERE shop = ? AND code = 'T1'", (shop,)).fetchone()[0]
    cashier = connection.execute("SELECT id FROM staff WHERE username = 'cashier'").fetchone()[0]
    return shop, till, cashier


def sqlite_rows(connection: sqlite3.Connection, sql: str, args) -> list[dict]:
    cursor = connection.execute(qmarks(sql), args)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def sqlite_scan(path: str, codes: list[str], seconds: float, max_ops: int) -> dict:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA query_only = ON")
    shop = connection.execute("SELECT id FROM shop WHERE code = 'demo'").fetchone()[0]
    sql = qmarks(_TILL_LOOKUP)
    latencies: list[float] = []
    start = time.perf_counter()
    deadline = start + seconds
    i = 0
    while i < max_ops:
        t0 = time.perf_counter()
        rows = connection.execute(sql, (shop, codes[i % len(codes)])).fetchall()
        t1 = time.perf_counter()
        assert rows, codes[i % len(codes)]
        latencies.append(t1 - t0)
        i += 1
        if t1 > deadline:
            break
    return summary(latencies, time.perf_counter() - start, "scan", "sqlite", 1)


def sqlite_checkout(path: str, carts: list[list[str]], seconds: float, max_ops: int, inserts_only: bool,
                    nonce: str) -> dict:
    connection = sqlite_connect(path)
    shop, till, cashier = sqlite_context(connection)
    print_queue = connection.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'print_job'").fetchone()[0] > 0
    kept = any(row[1] == "on_hand" for row in connection.execute("PRAGMA table_info(item)"))
    items_sql = ITEMS_KEPT if kept else ITEMS
    sessions = connection.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'till_session'").fetchone()[0] > 0
    session = sqlite_rows(connection, OPEN_SESSION, (till, shop))[0]["id"] if sessions else None
    known: dict[tuple, tuple] = {}  # inserts-only: the cart's rows, read once beforehand
    latencies: list[float] = []
    start = time.perf_counter()
    deadline = start + seconds
    n = 0
    while n < max_ops:
        cart = carts[n % len(carts)]
        key = f"raw{nonce}-{n}"
        digest = cart_digest(till_id=till, lines=[CartLine(c, 1) for c in cart], cash_given_fen=0)
        t0 = time.perf_counter()
        if inserts_only:
            if tuple(cart) not in known:
                items = sqlite_rows(connection, items_sql.format(codes=", ".join("?" for _ in cart)).replace("$1", "?"),
                                    (shop, *cart))
                ids = [item["id"] for item in items]
                marks = ", ".join("?" for _ in ids)
                makers = {r["item"]: r for r in sqlite_rows(connection, CONSIGNMENTS.format(ids=marks), ids)}
                known[tuple(cart)] = (items, makers)
                t0 = time.perf_counter()
            items, makers = known[tuple(cart)]
            connection.execute("BEGIN IMMEDIATE")
            sale = Sale(items, makers, {})
        else:
            sqlite_rows(connection, SALE_BY_KEY, (shop, key))
            connection.execute("BEGIN IMMEDIATE")
            assert not sqlite_rows(connection, SALE_BY_KEY, (shop, key))
            if sessions:
                session = sqlite_rows(connection, OPEN_SESSION, (till, shop))[0]["id"]
            else:
                assert sqlite_rows(connection, TILL_EXISTS, (till, shop))[0]["exists"]
            items = sqlite_rows(connection, items_sql.format(codes=", ".join("?" for _ in cart)).replace("$1", "?"),
                                (shop, *cart))
            ids = [item["id"] for item in items]
            marks = ", ".join("?" for _ in ids)
            makers = {r["item"]: r for r in sqlite_rows(connection, CONSIGNMENTS.format(ids=marks), ids)}
            if kept:
                stock = {item["id"]: item["on_hand"] for item in items}
            else:
                stock = {r["item"]: r["on_hand"] for r in sqlite_rows(connection, ON_HAND.format(ids=marks), ids)}
            sale = Sale(items, makers, stock)
        now = str(datetime.now(UTC))
        sale_id = connection.execute(qmarks(INSERT_SALE_IN_SESSION if sessions else INSERT_SALE), (
            shop, till, cashier, key, digest, now, sale.total, sale.fund, sale.maker, sale.running,
            *((session,) if sessions else ()))).fetchone()[0]
        number = sale_number(sale_id)
        connection.executemany(qmarks(INSERT_LINE), sale.line_rows(sale_id))
        connection.executemany(qmarks(INSERT_MOVEMENT), [(shop, item["id"], -1, "sale", "", number, cashier, now)
                                                         for item in items])
        if kept:
            connection.execute(MOVE_KEPT.format(ids=", ".join("?" for _ in items)), [item["id"] for item in items])
        connection.execute(qmarks(INSERT_TENDER), (sale_id, "cash", sale.total, sale.total, 0))
        txn_id = connection.execute(qmarks(INSERT_TXN), (shop, "sale", number, None, cashier, now)).fetchone()[0]
        connection.executemany(qmarks(INSERT_ENTRY), [(txn_id, *e) for e in sale.entries(till)])
        if print_queue and not inserts_only:
            connection.execute(qmarks(INSERT_JOB), (shop, "receipt", "receipt", number, "T1", PRINT_JOB_BYTES,
                                                    now, now)).fetchone()
        connection.execute("COMMIT")
        if print_queue and not inserts_only:
            token, printing = f"raw{n}", str(datetime.now(UTC))
            connection.execute(qmarks(PRINTING_JOBS)).fetchall()
            job = connection.execute(qmarks(OLDEST_JOB), ("receipt",)).fetchone()
            connection.execute(qmarks(LEASE_JOB), (token, printing, job[0])).fetchone()
            connection.execute(qmarks(SENDING_JOB), (printing, job[0], token)).fetchone()
            connection.execute(qmarks(JOB_PRINTED), (printing, job[0], token)).fetchone()
        t1 = time.perf_counter()
        latencies.append(t1 - t0)
        n += 1
        if t1 > deadline:
            break
    result = summary(latencies, time.perf_counter() - start, "checkout-inserts" if inserts_only else "checkout",
                     "sqlite", 1)
    result["print_queue"] = print_queue and not inserts_only
    result["on_hand_kept"] = kept
    return result


# --------------------------------------------------------------------------- PostgreSQL

async def pg_run(url: str, work: str, codes: list[str], carts: list[list[str]], seconds: float, max_ops: int,
                 concurrency: int, nonce: str) -> dict:
    import asyncpg

    pool = await asyncpg.create_pool(dsn=url, min_size=concurrency, max_size=concurrency)
    try:
        shop = await pool.fetchval("SELECT id FROM shop WHERE code = 'demo'")
        till = await pool.fetchval("SELECT id FROM till WHERE shop = $1 AND code = 'T1'", shop)
        cashier = await pool.fetchval("SELECT id FROM staff WHERE username = 'cashier'")
        print_queue = bool(await pool.fetchval("SELECT to_regclass('print_job') IS NOT NULL"))
        print_lock = asyncio.Lock()  # the app has one print worker: one pass at a time
        kept = bool(await pool.fetchval(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'on_hand'"))
        items_sql = ITEMS_KEPT if kept else ITEMS
        sessions = bool(await pool.fetchval("SELECT to_regclass('till_session') IS NOT NULL"))
        open_session = await pool.fetchval(OPEN_SESSION, till, shop) if sessions else None
        done = count()
        latencies: list[float] = []
        known: dict[tuple, tuple] = {}
        start = time.perf_counter()
        deadline = start + seconds

        async def scan_worker(w: int) -> None:
            i = w * 7919
            while next(done) < max_ops:
                t0 = time.perf_counter()
                rows = await pool.fetch(_TILL_LOOKUP, shop, codes[i % len(codes)])
                t1 = time.perf_counter()
                assert rows
                latencies.append(t1 - t0)
                i += 1
                if t1 > deadline:
                    return

        async def sale_items(connection, cart: list[str], lock: bool) -> tuple[list[dict], dict]:
            marks = ", ".join(f"${i + 2}" for i in range(len(cart)))
            sql = items_sql.format(codes=marks) + (" FOR UPDATE OF i" if lock else "")
            items = [dict(r) for r in await connection.fetch(sql, shop, *cart)]
            ids = [item["id"] for item in items]
            id_marks = ", ".join(f"${i + 1}" for i in range(len(ids)))
            makers = {r["item"]: dict(r) for r in await connection.fetch(CONSIGNMENTS.format(ids=id_marks), *ids)}
            return items, makers

        async def checkout_worker(w: int) -> None:
            n = 0
            while next(done) < max_ops:
                cart = carts[(n + w * 7919) % len(carts)]
                key = f"raw{nonce}-{w}-{n}"
                digest = cart_digest(till_id=till, lines=[CartLine(c, 1) for c in cart], cash_given_fen=0)
                n += 1
                if work == "checkout-inserts" and tuple(cart) not in known:
                    async with pool.acquire() as connection:
                        known[tuple(cart)] = await sale_items(connection, cart, lock=False)
                t0 = time.perf_counter()
                async with pool.acquire() as connection:
                    if work == "checkout":
                        await connection.fetch(SALE_BY_KEY, shop, key)
                    async with connection.transaction():
                        if work == "checkout-inserts":
                            items, makers = known[tuple(cart)]
                            sale = Sale(items, makers, {})
                        else:
                            assert not await connection.fetch(SALE_BY_KEY, shop, key)
                            if sessions:
                                assert await connection.fetchval(OPEN_SESSION + " FOR SHARE", till, shop)
                            else:
                                assert await connection.fetchval(TILL_EXISTS, till, shop)
                            # with the stock kept on the item, the items are locked last, as commit_sale does
                            items, makers = await sale_items(connection, cart, lock=not kept)
                            ids = [item["id"] for item in items]
                            id_marks = ", ".join(f"${i + 1}" for i in range(len(ids)))
                            if kept:
                                stock = {}
                            else:
                                stock = {r["item"]: r["on_hand"]
                                         for r in await connection.fetch(ON_HAND.format(ids=id_marks), *ids)}
                            sale = Sale(items, makers, stock)
                        now = datetime.now(UTC)
                        sale_id = await connection.fetchval(
                            INSERT_SALE_IN_SESSION if sessions else INSERT_SALE, shop, till, cashier, key, digest,
                            now, sale.total, sale.fund, sale.maker, sale.running,
                            *((open_session,) if sessions else ()))
                        number = sale_number(sale_id)
                        await connection.execute(INSERT_TENDER, sale_id, "cash", sale.total, sale.total, 0)
                        txn_id = await connection.fetchval(INSERT_TXN, shop, "sale", number, None, cashier, now)
                        await connection.executemany(INSERT_ENTRY, [(txn_id, *e) for e in sale.entries(till)])
                        locked = None
                        if kept and work == "checkout":
                            locked = {r["id"]: r["on_hand"] for r in await connection.fetch(
                                LOCK_KEPT.format(ids=", ".join(f"${i + 1}" for i in range(len(items)))),
                                *[item["id"] for item in items])}
                        await connection.executemany(INSERT_MOVEMENT, [
                            (shop, item["id"], -1, "sale", "", number, cashier, now) for item in items])
                        if kept:
                            await connection.execute(
                                MOVE_KEPT.format(ids=", ".join(f"${i + 1}" for i in range(len(items)))),
                                *[item["id"] for item in items])
                        await connection.executemany(INSERT_LINE, sale.line_rows(sale_id, stock=locked))
                        if print_queue and work == "checkout":
                            await connection.fetchval(INSERT_JOB, shop, "receipt", "receipt", number, "T1",
                                                      PRINT_JOB_BYTES, now, now)
                if print_queue and work == "checkout":
                    async with print_lock, pool.acquire() as connection:
                        token, printing = f"raw{w}-{n}", datetime.now(UTC)
                        await connection.fetch(PRINTING_JOBS)
                        job = await connection.fetchrow(LEASE_OLDEST_JOB, token, printing + LEASE, "receipt", printing)
                        if job is not None:
                            await connection.fetch(SENDING_JOB, printing, job["id"], token)
                            await connection.fetch(JOB_PRINTED, printing, job["id"], token)
                t1 = time.perf_counter()
                latencies.append(t1 - t0)
                if t1 > deadline:
                    return

        worker = scan_worker if work == "scan" else checkout_worker
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        result = summary(latencies, time.perf_counter() - start, work, "postgres", concurrency)
        result["print_queue"] = print_queue and work == "checkout"
        result["on_hand_kept"] = kept
        return result
    finally:
        await pool.close()


def analyze(url: str) -> None:
    """Statistics as a shop that has been selling has them (autovacuum takes them every minute or so), taken after
    each checkout's warm-up, the app's and the raw SQL's, so that both are planned on the same terms. Without them,
    PostgreSQL plans the reports' triggers on what VACUUM ANALYZE saw after the bulk load, before any sale, and reads
    the sale tables whole for every line sold (a seq scan of sale, sale_line and tender: 3 ms a sale under load)."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///"):])
        try:
            connection.execute("ANALYZE")
        finally:
            connection.close()
        return

    async def on_postgres() -> None:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()

    asyncio.run(on_postgres())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="sqlite:////abs/path.sqlite or postgres://...")
    parser.add_argument("--work", required=True, choices=["scan", "checkout", "checkout-inserts"])
    parser.add_argument("--barcodes", help="scan: a file of codes, one a line")
    parser.add_argument("--cart", help="checkout: the cart's codes, comma-separated (one fixed cart)")
    parser.add_argument("--carts", help="checkout: a file of carts, one a line, codes comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-ops", type=int, default=2_000_000)
    parser.add_argument("--warmup-ops", type=int, default=0,
                        help="run this many first, untimed (to match the HTTP run's warm-up, e.g. its stock history)")
    parser.add_argument("--concurrency", type=int, default=8, help="PostgreSQL: connections and tasks")
    parser.add_argument("--nonce", default=f"{time.time_ns() % 10**10:x}")
    args = parser.parse_args()

    codes: list[str] = []
    carts: list[list[str]] = []
    if args.work == "scan":
        codes = [line.strip() for line in open(args.barcodes) if line.strip()]
    elif args.carts:
        carts = [line.strip().split(",") for line in open(args.carts) if line.strip()]
    else:
        carts = [args.cart.split(",")]
    def run(max_ops: int, nonce: str) -> dict:
        if args.url.startswith("sqlite:///"):
            path = args.url[len("sqlite:///"):]
            if args.work == "scan":
                return sqlite_scan(path, codes, args.seconds, max_ops)
            return sqlite_checkout(path, carts, args.seconds, max_ops, args.work == "checkout-inserts", nonce)
        return asyncio.run(pg_run(args.url, args.work, codes, carts, args.seconds, max_ops, args.concurrency, nonce))

    if args.warmup_ops > 0:
        warmup = run(args.warmup_ops, "w" + args.nonce)
        if args.work == "checkout":
            analyze(args.url)
    result = run(args.max_ops, args.nonce)
    if args.warmup_ops > 0:
        result["warmup_ops"] = warmup["ops"]
    print("RAW_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
