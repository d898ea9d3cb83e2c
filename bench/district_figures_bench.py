"""The district's figures over a year of 20 shops on one PostgreSQL (issue 19): several million sale lines, read
through the app's code (pos.district.district_figures, what GET /api/district/figures answers) beside the same
figures written by hand in SQL on a bare asyncpg connection. Prints the medians and their ratio.

The year is made as bench/report_bench.py makes one shop's (bulk SQL, no Python loop over rows), with the sales
dealt round the shops: --sales 1200000 gives ~4,000,000 lines, ~200,000 a shop. The bench empties and fills the
`public` schema of the database it is given (a name with "test" or "bench" in it; never one the tests are using).

    .venv/bin/python bench/district_figures_bench.py --postgres-url postgres://postgres@127.0.0.1:5432/test_h8
    .venv/bin/python bench/district_figures_bench.py --sales 300000 --shops 20     # a quicker run (~1M lines)
    .venv/bin/python bench/district_figures_bench.py --reuse     # measure again on the year the last run made
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, date
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_bench import SUMMARISED, ZONE, _summaries, generation  # noqa: E402

# Every figure of a shop's row, by hand: the year's hourly sales summary grouped by shop, and the donations
# received on the period's days grouped by shop (what each row of the district's figures holds).
RAW_SALES = """
    SELECT shop, SUM(sales) AS sales, SUM(pieces) AS pieces, SUM(gross) AS gross, SUM(value) AS value,
           SUM(fund) AS fund, SUM(maker) AS maker, SUM(running) AS running, SUM(fund_points) AS fund_points,
           SUM(points) AS points, SUM(returns) AS refunds, SUM(refund_value) AS refund_value,
           SUM(refund_fund) AS refund_fund, SUM(refund_maker) AS refund_maker, SUM(refund_running) AS refund_running,
           SUM(refund_fund_points) AS refund_fund_points
    FROM report_sale_hour WHERE utc_hour >= $1 AND utc_hour < $2 GROUP BY shop"""
RAW_DONATIONS = """
    SELECT d.shop, COUNT(DISTINCT d.id) AS donations,
           COALESCE(SUM(CASE WHEN i.item IS NOT NULL THEN i.quantity ELSE 0 END), 0) AS pieces
    FROM donation d LEFT JOIN donated_item i ON i.donation = d.id
    WHERE d.received_on >= $1 AND d.received_on <= $2 GROUP BY d.shop"""


async def make_year(url: str, sales: int, shops: int) -> int:
    import asyncpg

    from shop.database import close_database, engine_for, migrate, open_database

    name = urlsplit(url).path.lstrip("/")
    if "test" not in name and "bench" not in name:
        raise SystemExit(f"refusing to empty {name!r}: give a database whose name has 'test' or 'bench' in it")
    engine = engine_for(url)
    await open_database(engine)
    await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
    await engine.run_ddl("CREATE SCHEMA public")
    await migrate(engine)
    await close_database(engine)
    raw = await asyncpg.connect(url)
    try:
        async with raw.transaction():
            for table in SUMMARISED:  # the summaries are rebuilt in one pass after the bulk insert
                await raw.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_report")
            for statement in generation("postgres", sales, shops) + _summaries("postgres"):
                await raw.execute(statement)
            for table in SUMMARISED:
                await raw.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_report")
        await raw.execute("VACUUM ANALYZE")
        return await raw.fetchval("SELECT COUNT(*) FROM sale_line")
    finally:
        await raw.close()


async def measure(url: str, repeat: int) -> list[tuple[str, int, float, float]]:
    import asyncpg

    from pos.district import district_figures
    from pos.reports import period_of
    from shop.database import bind, close_database, engine_for, open_database

    engine = engine_for(url)
    await open_database(engine)
    bind(engine)
    raw = await asyncpg.connect(url)
    results = []
    try:
        for name, period in (("year", period_of("custom", date(2026, 1, 1), date(2026, 12, 31))),
                             ("month", period_of("month", date(2026, 6, 15)))):
            start, end = (moment.astimezone(UTC).strftime("%Y-%m-%d %H") for moment in period.bounds(ZONE))
            app_times, raw_times = [], []
            for attempt in range(repeat + 1):
                t0 = time.perf_counter()
                got = await district_figures(period=period, zone=ZONE)
                app_time = time.perf_counter() - t0
                t0 = time.perf_counter()
                sold = await raw.fetch(RAW_SALES, start, end)
                given = await raw.fetch(RAW_DONATIONS, period.first, period.last)
                raw_time = time.perf_counter() - t0
                by_shop = {row["shop"]: row for row in sold}
                assert len(given) == 0 or all(row["shop"] in by_shop for row in given)
                assert sum(r["value"] - r["refund_value"] for r in sold) == got.totals.net_fen, "the nets differ"
                assert sum(r["fund"] - r["refund_fund"] for r in sold) == got.totals.fund_fen, "the funds differ"
                assert len(got.rows) == len(by_shop), (len(got.rows), len(by_shop))
                if attempt:  # the first is a warm-up
                    app_times.append(app_time)
                    raw_times.append(raw_time)
            app_ms, raw_ms = statistics.median(app_times) * 1000, statistics.median(raw_times) * 1000
            results.append((name, got.totals.lines, app_ms, raw_ms))
            print(f"  {name:5} lines {got.totals.lines:>10,}  app {app_ms:8.1f} ms  raw {raw_ms:8.1f} ms  "
                  f"ratio {app_ms / raw_ms:4.2f}", flush=True)
    finally:
        await raw.close()
        await close_database(engine)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/test_h8")
    parser.add_argument("--sales", type=int, default=1_200_000)
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="measure the year the last run made (no new data)")
    args = parser.parse_args()
    if not args.reuse:
        began = time.perf_counter()
        lines = asyncio.run(make_year(args.postgres_url, args.sales, args.shops))
        print(f"postgres: {lines:,} sale lines in {args.sales:,} sales at {args.shops} shops, made in "
              f"{time.perf_counter() - began:.0f} s", flush=True)
    results = asyncio.run(measure(args.postgres_url, args.repeat))
    print("\n| period | lines | app (ms) | raw SQL (ms) | app / raw |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, lines, app_ms, raw_ms in results:
        print(f"| {name} | {lines:,} | {app_ms:.0f} | {raw_ms:.0f} | {app_ms / raw_ms:.2f} |")


if __name__ == "__main__":
    main()
