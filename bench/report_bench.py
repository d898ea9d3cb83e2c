"""The manager's reports over a year of a busy shop: 1,000,000 sale lines in ~300,000 sales, on SQLite and
PostgreSQL, each report through the app's code (pos.reports.report) beside the same aggregate written by hand
in raw SQL on a bare connection (sqlite3 / asyncpg). Prints a table of medians.

The data is made by bulk SQL in a few seconds (no Python loop over rows): sales spread evenly over 2026 in the
shop's time zone, three tills, five cashiers, twelve categories of the three goods sources, a discount on one
line in twenty, a points tender on one sale in ten (a quarter of its total), and a return of one piece on one
sale in a hundred (a day after the sale). The bench makes and removes its own data: a fresh SQLite file, and on
PostgreSQL a fresh `public` schema in the named test database (never run it beside the tests on that database).

    .venv/bin/python bench/report_bench.py --engine sqlite
    .venv/bin/python bench/report_bench.py --engine postgres --postgres-url postgres://postgres@127.0.0.1:5432/test_h8
    .venv/bin/python bench/report_bench.py --engine sqlite --explain    # the query plans too
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONE = ZoneInfo("Asia/Shanghai")
YEAR_START_EPOCH = 1767196800  # 2026-01-01 00:00 in Shanghai
CATEGORIES = 12  # c0..c7 donated (70% fund), c8..c9 purchased (5%), c10..c11 handicraft (10% fund, 80% maker)


def _timestamp(engine: str, seconds: str) -> str:
    if engine == "sqlite":  # as Piccolo stores a timestamptz on SQLite: str(datetime in UTC)
        return f"strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '+00:00'"
    return f"to_timestamp({seconds})"


def generation(engine: str, sales: int, shops: int = 1) -> list[str]:
    """The statements that make the year's data, in order. With `shops` > 1 (bench/district_figures_bench.py) the
    sales are dealt round the shops (sale i at shop 1 + i % shops), each shop's returns with it."""
    false = "(1 = 0)"
    numbers = (f"CREATE TABLE bench_n AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               f"WHERE i < {sales}) SELECT i FROM n" if engine == "sqlite"
               else f"CREATE TABLE bench_n AS SELECT i FROM generate_series(1, {sales}) AS i")
    sale_time = _timestamp(engine, f"{YEAR_START_EPOCH} + i * {31_449_600 // sales}")
    return [
        numbers,
        "INSERT INTO shop (id, code, name, address) VALUES (1, 'bench', '爱心超市·基准店', '')",
        *(f"INSERT INTO shop (id, code, name, address) VALUES ({n}, 'bench-{n}', '爱心超市{n}号店', '')"
          for n in range(2, shops + 1)),
        *(f"INSERT INTO staff (id, shop, username, display_name, password_hash, role, active, created_at) VALUES "
          f"({n}, 1, 'cashier{n}', '收银员{n}', 'x', 'cashier', {'(1 = 1)'}, {_timestamp(engine, str(YEAR_START_EPOCH))})"
          for n in range(1, 6)),
        *(f"INSERT INTO till (id, shop, code, name) VALUES ({n}, 1, 'T{n}', '{n}号收银台')" for n in range(1, 4)),
        f"""INSERT INTO category (id, shop, code, name, name_en, source, accepts_points, perishable)
            SELECT i, 1, 'c' || CAST(i - 1 AS TEXT), '类别' || CAST(i - 1 AS TEXT), '', CASE WHEN i <= 8 THEN 'donated'
            WHEN i <= 10 THEN 'purchased' ELSE 'handicraft' END, (1 = 1), {false} FROM bench_n WHERE i <= {CATEGORIES}""",
        f"""INSERT INTO item (id, shop, barcode, name, category, price_fen, on_hand, active, created_at)
            VALUES (1, 1, '2000000000015', '基准商品', 1, 100, 0, (1 = 1), {_timestamp(engine, str(YEAR_START_EPOCH))})""",
        # every line of the year, computed once: sale i has 3 lines, and a 4th when i is a multiple of 3
        f"""CREATE TABLE bench_line AS
            SELECT id, sale, c, source, unit, q, d, unit * q - d AS value, rule_fund, rule_maker,
                   (unit * q - d) * rule_fund / 100 AS fund, (unit * q - d) * rule_maker / 100 AS maker
            FROM (SELECT i * 4 + j AS id, i AS sale, (i * 7 + j) % {CATEGORIES} AS c,
                         CASE WHEN (i * 7 + j) % {CATEGORIES} < 8 THEN 'donated'
                              WHEN (i * 7 + j) % {CATEGORIES} < 10 THEN 'purchased' ELSE 'handicraft' END AS source,
                         100 + (i * 31 + j * 17) % 5000 AS unit, 1 + (i + j) % 3 AS q,
                         CASE WHEN (i + j) % 20 = 0 THEN 50 ELSE 0 END AS d,
                         CASE WHEN (i * 7 + j) % {CATEGORIES} < 8 THEN 70
                              WHEN (i * 7 + j) % {CATEGORIES} < 10 THEN 5 ELSE 10 END AS rule_fund,
                         CASE WHEN (i * 7 + j) % {CATEGORIES} >= 10 THEN 80 ELSE 0 END AS rule_maker
                  FROM bench_n CROSS JOIN (SELECT 1 AS j UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) js
                  WHERE j <= 3 OR i % 3 = 0) AS l""",
        f"""INSERT INTO sale (id, shop, till, cashier, idempotency_key, cart_digest, created_at, total_fen, fund_fen,
                              maker_fen, running_fen)
            SELECT l.sale, 1 + l.sale % {shops}, 1 + l.sale % 3, 1 + l.sale % 5, 'bench-' || CAST(l.sale AS TEXT), 'x',
                   {sale_time.replace('i *', 'l.sale *')}, SUM(l.value), SUM(l.fund), SUM(l.maker),
                   SUM(l.value - l.fund - l.maker)
            FROM bench_line l GROUP BY l.sale""",
        f"""INSERT INTO sale_line (id, sale, item, barcode, name, category_code, source, unit_price_fen, quantity,
                                   value_fen, rule_fund, rule_maker, fund_fen, maker_fen, running_fen, oversold,
                                   discount_fen, markdown_percent)
            SELECT id, sale, 1, '2000000000015', '基准商品', 'c' || CAST(c AS TEXT), source, unit, q, value, rule_fund,
                   rule_maker, fund, maker, value - fund - maker, {false}, d, 0 FROM bench_line""",
        # a points tender (a quarter of the total, in whole points of ¥1) on one sale in ten; cash for the rest
        """INSERT INTO tender (sale, kind, amount_fen, given_fen, change_fen, points, household_ref)
            SELECT id, 'points', total_fen / 400 * 100, 0, 0, total_fen / 400, 'H-1'
            FROM sale WHERE id % 10 = 0 AND total_fen >= 400""",
        """INSERT INTO tender (sale, kind, amount_fen, given_fen, change_fen, points)
            SELECT s.id, 'cash', s.total_fen - COALESCE(p.amount_fen, 0), s.total_fen - COALESCE(p.amount_fen, 0), 0, 0
            FROM sale s LEFT JOIN tender p ON p.sale = s.id AND p.kind = 'points'""",
        # one piece of the first line back, a day later, on one sale in a hundred
        f"""INSERT INTO till_session (id, shop, till, opened_by, opened_at, float_fen, ledger_mark)
            VALUES (1, 1, 1, 1, {_timestamp(engine, str(YEAR_START_EPOCH))}, 0, 0)""",
        f"""INSERT INTO sale_return (id, shop, sale, till, session, cashier, created_at, idempotency_key, request_digest,
                                     total_fen, fund_fen, maker_fen, running_fen, reason)
            SELECT s.id / 100, s.shop, s.id, 1, 1, 1, {_timestamp(engine, f"{YEAR_START_EPOCH} + s.id * {31_449_600 // sales} + 86400")},
                   'bench-r' || CAST(s.id AS TEXT), 'x', l.unit, l.unit * l.rule_fund / 100, l.unit * l.rule_maker / 100,
                   l.unit - l.unit * l.rule_fund / 100 - l.unit * l.rule_maker / 100, 'bench'
            FROM sale s JOIN bench_line l ON l.id = s.id * 4 + 1 WHERE s.id % 100 = 0""",
        """INSERT INTO return_line ("return", sale_line, quantity, value_fen, fund_fen, maker_fen, running_fen, restock)
            SELECT r.id, r.sale * 4 + 1, 1, r.total_fen, r.fund_fen, r.maker_fen, r.running_fen, (1 = 1)
            FROM sale_return r""",
        "DROP TABLE bench_line",
        "DROP TABLE bench_n",
    ]


# The same figures, written by hand: one GROUP BY over the period's lines with the points tender of each
# sale joined, one over the period's returned lines. {key} is the breakdown's column.
RAW_SALES = """
    SELECT {key} AS key, COUNT(DISTINCT s.id) AS sales, COUNT(*) AS lines, SUM(l.quantity) AS pieces,
           SUM(CAST(l.unit_price_fen AS {big}) * l.quantity) AS gross, SUM(l.value_fen) AS value,
           SUM(l.fund_fen) AS fund, SUM(l.maker_fen) AS maker, SUM(l.running_fen) AS running,
           SUM(CASE WHEN p.amount_fen IS NULL THEN 0 ELSE
               (CAST(l.fund_fen AS {big}) * p.amount_fen) / s.total_fen
               + CASE WHEN l.fund_fen - (CAST(l.fund_fen AS {big}) * (s.total_fen - p.amount_fen)) / s.total_fen
                           - (CAST(l.fund_fen AS {big}) * p.amount_fen) / s.total_fen > 0
                       AND (CAST(l.fund_fen AS {big}) * p.amount_fen) % s.total_fen
                           > (CAST(l.fund_fen AS {big}) * (s.total_fen - p.amount_fen)) % s.total_fen
                      THEN 1 ELSE 0 END END) AS fund_points
    FROM sale s JOIN sale_line l ON l.sale = s.id
    LEFT JOIN tender p ON p.sale = s.id AND p.kind = 'points'
    WHERE s.shop = {shop} AND s.created_at >= {start} AND s.created_at < {end}
    GROUP BY {key}"""
RAW_REFUNDS = """
    SELECT {key} AS key, COUNT(DISTINCT r.id) AS refunds, SUM(rl.value_fen) AS value, SUM(rl.fund_fen) AS fund,
           SUM(rl.maker_fen) AS maker, SUM(rl.running_fen) AS running
    FROM sale_return r JOIN return_line rl ON rl."return" = r.id JOIN sale_line l ON l.id = rl.sale_line
    JOIN sale s ON s.id = r.sale
    WHERE r.shop = {shop} AND r.created_at >= {start} AND r.created_at < {end}
    GROUP BY {key}"""
RAW_KEYS = {"category": ("l.category_code", "l.category_code"), "source": ("l.source", "l.source"),
            "till": ("s.till", "r.till"), "cashier": ("s.cashier", "r.cashier")}


SUMMARISED = ("sale_line", "tender", "return_line")


LINE_KEYS = ("shop", "utc_hour", "category_code", "source")
SALE_KEYS = ("shop", "utc_hour", "till", "cashier")
LINE_SUMS = ("sales_in_category", "sales_in_source", "lines", "pieces", "gross", "value", "fund", "maker", "running",
             "fund_points", "returns_in_category", "returns_in_source", "refund_value", "refund_fund", "refund_maker",
             "refund_running", "refund_fund_points")
SALE_SUMS = ("sales", "lines", "pieces", "gross", "value", "fund", "maker", "running", "fund_points", "points",
             "returns", "refund_value", "refund_fund", "refund_maker", "refund_running", "refund_fund_points")


def _upsert(table: str, keys: tuple[str, ...], columns: tuple[str, ...], select: str) -> str:
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (f"INSERT INTO {table} ({', '.join(keys + columns)}) {select} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}")


def _summaries(engine_name: str) -> list[str]:
    """The reports' hourly summaries made again from all the sales and returns, in one pass each (the sums pos's
    triggers add row by row, counted as they count), run after the bulk inserts. pos's migration only makes an
    empty schema, so this rebuild is the bench's own. The rows are written in the order of their hours, as the
    folder writes them in a shop (pos/summaries.py): written in a hash's order, a month's rows lay over every page
    of the table."""
    from pos.sold import points_part_sql

    big = "BIGINT" if engine_name == "postgres" else "INTEGER"

    def hour(t: str) -> str:
        if engine_name == "postgres":
            return f"to_char({t}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
        return f"substr({t}.created_at, 1, 13)"

    points_by_sale = ("(SELECT t.sale, SUM(t.amount_fen) AS fen, SUM(t.points) AS points FROM tender t "
                      "WHERE t.kind = 'points' GROUP BY t.sale) p ON p.sale = s.id")
    sold = (f"SUM(l.quantity), SUM(CAST(l.unit_price_fen AS {big}) * l.quantity), SUM(l.value_fen), "
            f"SUM(l.fund_fen), SUM(l.maker_fen), SUM(l.running_fen), "
            f"SUM({points_part_sql('l.fund_fen', 's.total_fen', 'p.fen', big)})")
    # each line numbered within its sale, its category and its goods source (1: the first), as the triggers count
    numbered = ("(SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.sale ORDER BY x.id) AS nth, "
                "ROW_NUMBER() OVER (PARTITION BY x.sale, x.category_code ORDER BY x.id) AS nth_in_category, "
                "ROW_NUMBER() OVER (PARTITION BY x.sale, x.source ORDER BY x.id) AS nth_in_source FROM sale_line x) l")
    refunded = (f"SUM(rl.value_fen), SUM(rl.fund_fen), SUM(rl.maker_fen), SUM(rl.running_fen), "
                f"SUM({points_part_sql('rl.fund_fen', 's.total_fen', 'p.fen', big)})")
    returned = ("FROM sale_return r JOIN (SELECT x.*, y.category_code, y.source, "
                "ROW_NUMBER() OVER (PARTITION BY x.\"return\", y.category_code ORDER BY x.id) AS nth_in_category, "
                "ROW_NUMBER() OVER (PARTITION BY x.\"return\", y.source ORDER BY x.id) AS nth_in_source "
                "FROM return_line x JOIN sale_line y ON y.id = x.sale_line) rl ON rl.\"return\" = r.id "
                f"JOIN sale s ON s.id = r.sale LEFT JOIN {points_by_sale} WHERE 1 = 1")
    return [
        "DELETE FROM report_line_hour",
        "DELETE FROM report_sale_hour",
        f"INSERT INTO report_line_hour ({', '.join(LINE_KEYS + LINE_SUMS[:10])}) "
        f"SELECT s.shop, {hour('s')}, l.category_code, l.source, "
        f"SUM(CASE WHEN l.nth_in_category = 1 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN l.nth_in_source = 1 THEN 1 ELSE 0 END), "
        f"COUNT(*), {sold} FROM sale s JOIN {numbered} ON l.sale = s.id LEFT JOIN {points_by_sale} "
        f"GROUP BY s.shop, {hour('s')}, l.category_code, l.source ORDER BY 1, 2",
        f"INSERT INTO report_sale_hour ({', '.join(SALE_KEYS + SALE_SUMS[:10])}) "
        f"SELECT s.shop, {hour('s')}, s.till, s.cashier, SUM(CASE WHEN l.nth = 1 THEN 1 ELSE 0 END), "
        f"COUNT(*), {sold}, COALESCE(SUM(CASE WHEN l.nth = 1 THEN p.points ELSE 0 END), 0) "
        f"FROM sale s JOIN {numbered} ON l.sale = s.id LEFT JOIN {points_by_sale} "
        f"GROUP BY s.shop, {hour('s')}, s.till, s.cashier ORDER BY 1, 2",
        _upsert("report_line_hour", LINE_KEYS, LINE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, rl.category_code, rl.source, "
                f"SUM(CASE WHEN rl.nth_in_category = 1 THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN rl.nth_in_source = 1 THEN 1 ELSE 0 END), {refunded} "
                f"{returned} GROUP BY r.shop, {hour('r')}, rl.category_code, rl.source"),
        _upsert("report_sale_hour", SALE_KEYS, SALE_SUMS[10:],
                f"SELECT r.shop, {hour('r')}, r.till, r.cashier, COUNT(DISTINCT r.id), {refunded} "
                f"{returned} GROUP BY r.shop, {hour('r')}, r.till, r.cashier"),
    ]


RAW_SUMMARY = {
    "category": "SELECT category_code, SUM(sales_in_category), SUM(lines), SUM(pieces), SUM(gross), SUM(value), "
                "SUM(fund), SUM(maker), SUM(running), SUM(fund_points), SUM(returns_in_category), SUM(refund_value), "
                "SUM(refund_fund), SUM(refund_maker), SUM(refund_running), SUM(refund_fund_points) "
                "FROM report_line_hour WHERE shop = 1 AND utc_hour >= {start} AND utc_hour < {end} GROUP BY 1",
    "source": "SELECT source, SUM(sales_in_source), SUM(lines), SUM(pieces), SUM(gross), SUM(value), "
              "SUM(fund), SUM(maker), SUM(running), SUM(fund_points), SUM(returns_in_source), SUM(refund_value), "
              "SUM(refund_fund), SUM(refund_maker), SUM(refund_running), SUM(refund_fund_points) "
              "FROM report_line_hour WHERE shop = 1 AND utc_hour >= {start} AND utc_hour < {end} GROUP BY 1",
    "till": "SELECT till, SUM(sales), SUM(lines), SUM(pieces), SUM(gross), SUM(value), SUM(fund), SUM(maker), "
            "SUM(running), SUM(fund_points), SUM(points), SUM(returns), SUM(refund_value), SUM(refund_fund), "
            "SUM(refund_maker), SUM(refund_running), SUM(refund_fund_points) "
            "FROM report_sale_hour WHERE shop = 1 AND utc_hour >= {start} AND utc_hour < {end} GROUP BY 1",
    # the shop is in Shanghai (UTC+8, no daylight saving): a hand-written query may simply shift the hour
    "day": "SELECT {day}, SUM(sales), SUM(lines), SUM(pieces), SUM(gross), SUM(value), SUM(fund), SUM(maker), "
           "SUM(running), SUM(fund_points), SUM(points), SUM(returns), SUM(refund_value), SUM(refund_fund), "
           "SUM(refund_maker), SUM(refund_running), SUM(refund_fund_points) "
           "FROM report_sale_hour WHERE shop = 1 AND utc_hour >= {start} AND utc_hour < {end} GROUP BY 1",
}
RAW_SUMMARY["cashier"] = RAW_SUMMARY["till"].replace("SELECT till,", "SELECT cashier,")
SHIFTED_DAY = {"sqlite": "date(utc_hour || ':00:00', '+8 hours')",
               "postgres": "(to_timestamp(utc_hour, 'YYYY-MM-DD HH24') AT TIME ZONE 'UTC' + interval '8 hours')::date"}


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


async def run_bench(engine_name: str, url: str, sales: int, repeat: int, explain: bool,
                    lines_too: bool) -> list[tuple]:
    from pos.reports import Dimension, period_of, report
    from shop.database import bind, close_database, engine_for, migrate, open_database

    if engine_name == "sqlite":
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    else:
        name = urlsplit(url).path.lstrip("/")
        if "test" not in name and "bench" not in name:
            raise SystemExit(f"refusing to empty {name!r}: give a database whose name has 'test' or 'bench' in it")
    engine = engine_for(url)
    await open_database(engine)
    if engine_name == "postgres":
        await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    bind(engine)
    await migrate(engine)
    began = time.perf_counter()
    raw = None
    summaries = _summaries(engine_name)
    if engine_name == "sqlite":
        raw = sqlite3.connect(path, isolation_level=None)
        raw.execute("BEGIN")
        # a million trigger runs would take minutes: the triggers are dropped, the summaries rebuilt after, and the
        # triggers made again as they were
        made = [row[0] for row in raw.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ("
                                              + ", ".join(f"'{table}_report'" for table in SUMMARISED) + ")")]
        assert len(made) == len(SUMMARISED), made
        for table in SUMMARISED:
            raw.execute(f"DROP TRIGGER {table}_report")
        for statement in generation("sqlite", sales) + summaries + made:
            raw.execute(statement)
        raw.execute("COMMIT")
        raw.execute("ANALYZE")
        lines = raw.execute("SELECT COUNT(*) FROM sale_line").fetchone()[0]
    else:
        import asyncpg
        raw = await asyncpg.connect(url)
        async with raw.transaction():
            for table in SUMMARISED:
                await raw.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_report")
            for statement in generation("postgres", sales) + summaries:
                await raw.execute(statement)
            for table in SUMMARISED:
                await raw.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_report")
            for table in ("shop", "staff", "till", "category", "item", "sale", "sale_line", "till_session",
                          "sale_return"):
                await raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table}))")
        await raw.execute("VACUUM ANALYZE")
        lines = await raw.fetchval("SELECT COUNT(*) FROM sale_line")
    print(f"{engine_name}: {lines:,} sale lines in {sales:,} sales made in {time.perf_counter() - began:.1f} s",
          flush=True)
    from pos.summaries import pending
    assert await pending() == 0  # loaded with the triggers off: the app and the SQL by hand read the same rows

    year = period_of("custom", date(2026, 1, 1), date(2026, 12, 31))
    month = period_of("month", date(2026, 6, 15))
    results = []
    for period_name, period in (("year", year), ("month", month)):
        start, end = period.bounds(ZONE)
        for dimension in (Dimension.CATEGORY, Dimension.SOURCE, Dimension.TILL, Dimension.CASHIER, Dimension.DAY):
            app_times, raw_times = [], []
            for attempt in range(repeat + 1):
                t0 = time.perf_counter()
                got = await report(shop_id=1, period=period, dimension=dimension, zone=ZONE)
                app_time = time.perf_counter() - t0
                raw_time, raw_net = await _raw_summary(engine_name, raw, dimension.value, start, end)
                assert raw_net == got.totals.net_fen, (raw_net, got.totals.net_fen)
                if attempt:  # the first is a warm-up
                    app_times.append(app_time)
                    raw_times.append(raw_time)
            lines_ms = None
            if lines_too and dimension is not Dimension.DAY:  # once: what it costs without the summaries
                lines_time, lines_net = await _raw(engine_name, raw, dimension.value, start, end)
                assert lines_net == got.totals.net_fen, (lines_net, got.totals.net_fen)
                lines_ms = lines_time * 1000
            app_ms, raw_ms = _median_ms(app_times), _median_ms(raw_times)
            results.append((engine_name, period_name, dimension.value, got.totals.lines, app_ms, raw_ms, lines_ms))
            print(f"  {period_name:5} {dimension.value:8} lines {got.totals.lines:>9,}  app {app_ms:8.1f} ms  "
                  f"raw {raw_ms:8.1f} ms  ratio {app_ms / raw_ms:4.2f}"
                  + (f"  raw over the lines {lines_ms:8.1f} ms" if lines_ms else ""), flush=True)
    if explain:
        await _explain(engine_name, raw, year.bounds(ZONE))
    if engine_name == "sqlite":
        raw.close()
    else:
        await raw.close()
    await close_database(engine)
    return results


async def _raw_summary(engine_name: str, raw, dimension: str, start, end) -> tuple[float, int]:
    from datetime import UTC
    hours = [moment.astimezone(UTC).strftime("%Y-%m-%d %H") for moment in (start, end)]
    sql = RAW_SUMMARY[dimension].replace("{day}", SHIFTED_DAY[engine_name])
    if engine_name == "sqlite":
        t0 = time.perf_counter()
        rows = raw.execute(sql.format(start="?", end="?"), hours).fetchall()
        return time.perf_counter() - t0, sum(r[5] - r[-5] for r in rows)
    t0 = time.perf_counter()
    rows = await raw.fetch(sql.format(start="$1", end="$2"), *hours)
    return time.perf_counter() - t0, sum(r[5] - r[-5] for r in rows)


async def _raw(engine_name: str, raw, dimension: str, start, end) -> tuple[float, int]:
    sale_key, return_key = RAW_KEYS[dimension]
    if engine_name == "sqlite":
        bounds = (str(start), str(end))
        t0 = time.perf_counter()
        sold = raw.execute(RAW_SALES.format(key=sale_key, big="INTEGER", shop=1, start="?", end="?"), bounds).fetchall()
        refunded = raw.execute(RAW_REFUNDS.format(key=return_key, shop=1, start="?", end="?"), bounds).fetchall()
        elapsed = time.perf_counter() - t0
        return elapsed, sum(r[5] for r in sold) - sum(r[2] for r in refunded)
    t0 = time.perf_counter()
    sold = await raw.fetch(RAW_SALES.format(key=sale_key, big="BIGINT", shop=1, start="$1", end="$2"), start, end)
    refunded = await raw.fetch(RAW_REFUNDS.format(key=return_key, shop=1, start="$1", end="$2"), start, end)
    elapsed = time.perf_counter() - t0
    return elapsed, sum(r["value"] for r in sold) - sum(r["value"] for r in refunded)


async def _explain(engine_name: str, raw, bounds) -> None:
    start, end = bounds
    sql = RAW_SALES.format(key="l.category_code", big="INTEGER" if engine_name == "sqlite" else "BIGINT", shop=1,
                           start="?" if engine_name == "sqlite" else "$1", end="?" if engine_name == "sqlite" else "$2")
    print(f"\n{engine_name}: the plan of the year by category")
    if engine_name == "sqlite":
        for row in raw.execute("EXPLAIN QUERY PLAN " + sql, (str(start), str(end))):
            print("   ", row[-1])
    else:
        for row in await raw.fetch("EXPLAIN ANALYZE " + sql, start, end):
            print("   ", row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sqlite-path", default="/tmp/aixin-report-bench.sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("AIXIN_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/test_h8"))
    parser.add_argument("--sales", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-lines", action="store_true", help="skip the raw SQL over the lines (seconds each)")
    args = parser.parse_args()
    os.environ.setdefault("AIXIN_DATABASE_URL", f"sqlite:///{args.sqlite_path}")
    results = []
    if args.engine in ("sqlite", "both"):
        results += asyncio.run(run_bench("sqlite", f"sqlite:///{args.sqlite_path}", args.sales, args.repeat,
                                         args.explain, not args.no_lines))
    if args.engine in ("postgres", "both"):
        results += asyncio.run(run_bench("postgres", args.postgres_url, args.sales, args.repeat, args.explain,
                                         not args.no_lines))
    print("\n| engine | period | by | lines | app (ms) | raw SQL, summaries (ms) | app / raw | raw SQL, lines (ms) |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for engine_name, period, dimension, lines, app_ms, raw_ms, lines_ms in results:
        print(f"| {engine_name} | {period} | {dimension} | {lines:,} | {app_ms:.0f} | {raw_ms:.0f} | "
              f"{app_ms / raw_ms:.2f} | " + (f"{lines_ms:.0f} |" if lines_ms else "– |"))

if __name__ == "__main__":
    main()
