"""The reports' hourly summaries, folded from their outbox after the sales (issue 22).

The triggers of pos's migration 2026-12-07T03:01 append what each sale line, points tender and returned line adds to
the summaries into an outbox (report_line_outbox, report_sale_outbox: the summaries' columns and an id), in the
sale's transaction; nothing two sales write is the same row, so the tills of one shop never wait on each other.
`fold()` moves outbox rows into the summaries (report_line_hour, report_sale_hour), each exactly once: the rows
taken are deleted in the transaction that adds them. On PostgreSQL several folders at once (`aixin serve
--workers N`, each running a Folder) take disjoint rows (FOR UPDATE SKIP LOCKED) and add to the summary rows in
one fixed key order, so two folders queue on a row but never deadlock. A report reads `summed_by(table, …)` (and
verify() `summed(table)`): the summaries and the rows not folded yet together, in one statement, so it counts each
committed sale exactly once whether or not it was folded yet (a fold commits its delete and its additions at once).
"""

from __future__ import annotations


from shop import sql
from shop.background import Periodic
from shop.database import run, writing

from pos.tables import Sale


LINE_SUMS = ("sales_in_category", "sales_in_source", "lines", "pieces", "gross", "value", "fund", "maker", "running",
             "fund_points", "returns_in_category", "returns_in_source", "refund_value", "refund_fund", "refund_maker",
             "refund_running", "refund_fund_points")
SALE_SUMS = ("sales", "lines", "pieces", "gross", "value", "fund", "maker", "running", "fund_points", "points",
             "returns", "refund_value", "refund_fund", "refund_maker", "refund_running", "refund_fund_points")
# summary table: (its outbox, its key, its sums)
SUMMARIES = {
    "report_line_hour": ("report_line_outbox", ("shop", "utc_hour", "category_code", "source"), LINE_SUMS),
    "report_sale_hour": ("report_sale_outbox", ("shop", "utc_hour", "till", "cashier"), SALE_SUMS),
}
FOLD_LIMIT = 5_000  # outbox rows of each table in one fold's transaction


def summed(table: str) -> str:
    """A FROM item for `table`: its rows and its outbox's rows not folded yet (same columns), for SUM()s."""
    outbox, keys, sums = SUMMARIES[table]
    columns = ", ".join(keys + sums)
    return f"(SELECT {columns} FROM {table} UNION ALL SELECT {columns} FROM {outbox})"


def summed_by(table: str, key: str | None, sums: dict[str, str], where: str) -> str:
    """A SELECT of `key` AS key (an expression over a row `h`; None: one row of totals, key '') and SUM(expression)
    AS name for each of `sums`, over `table`'s rows and its outbox's rows not folded yet where `where` holds. Each
    part is summed on its own, as a GROUP BY written by hand reads the summary's (shop, utc_hour) index, then their
    few rows are added up: summing the rows of summed() instead has SQLite copy every summary row of the period
    through a co-routine first (twice the time of the year's report by category, bench/report_bench.py)."""
    outbox = SUMMARIES[table][0]
    inner = ", ".join(f"SUM({expression}) AS {name}" for name, expression in sums.items())
    outer = ", ".join(f"SUM(x.{name}) AS {name}" for name in sums)
    keyed = "''" if key is None else key
    grouped = "" if key is None else " GROUP BY 1"
    parts = " UNION ALL ".join(f"SELECT {keyed} AS key, {inner} FROM {t} h WHERE {where}{grouped}"
                               for t in (table, outbox))
    return f"SELECT x.key AS key, {outer} FROM ({parts}) x GROUP BY x.key"


def _fold_postgres(table: str, shop_filter: bool) -> str:
    outbox, keys, sums = SUMMARIES[table]
    key = ", ".join(keys)
    where = "WHERE shop = $2 " if shop_filter else ""
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return f"""WITH taken AS (
            DELETE FROM {outbox} WHERE id = ANY(ARRAY(
                SELECT id FROM {outbox} {where}ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED))
            RETURNING *),
        added AS (
            INSERT INTO {table} ({key}, {', '.join(sums)})
            SELECT {key}, {', '.join(f'SUM({c})' for c in sums)} FROM taken GROUP BY {key} ORDER BY {key}
            ON CONFLICT ({key}) DO UPDATE SET {adds} RETURNING 1)
        SELECT (SELECT COUNT(*) FROM taken) AS taken, (SELECT COUNT(*) FROM added) AS added"""


async def _fold_sqlite(db, table: str, shop_id: int | None, limit: int) -> int:
    """SQLite has one writer at a time: the rows up to an id are added, then deleted, in one IMMEDIATE transaction."""
    outbox, keys, sums = SUMMARIES[table]
    key = ", ".join(keys)
    shop = "shop = $2 AND " if shop_id is not None else ""
    args = (limit,) if shop_id is None else (limit, shop_id)
    last = (await run(db, f"SELECT MAX(id) AS last, COUNT(*) AS n FROM (SELECT id FROM {outbox} "
                          f"{'WHERE shop = $2 ' if shop_id is not None else ''}ORDER BY id LIMIT $1) x", *args))[0]
    if not last["n"]:
        return 0
    bound = (last["last"],) if shop_id is None else (last["last"], shop_id)
    adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    await run(db, f"""INSERT INTO {table} ({key}, {', '.join(sums)})
        SELECT {key}, {', '.join(f'SUM({c})' for c in sums)} FROM {outbox} WHERE {shop}id <= $1
        GROUP BY {key} ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {adds}""", *bound)
    await run(db, f"DELETE FROM {outbox} WHERE {shop}id <= $1", *bound)
    return int(last["n"])


async def fold(shop_id: int | None = None, limit: int = FOLD_LIMIT) -> int:
    """Fold up to `limit` outbox rows of each summary (of one shop, or of all) into the summaries, in one
    transaction; how many outbox rows were folded. Safe to run in several processes at once."""
    db = Sale._meta.db
    folded = 0
    async with writing(db):
        for table in SUMMARIES:  # always in this order: two folders queue on the same summary rows, never cross
            if not sql.locks_rows(db):
                folded += await _fold_sqlite(db, table, shop_id, limit)
            else:
                args = (limit,) if shop_id is None else (limit, shop_id)
                folded += int((await run(db, _fold_postgres(table, shop_id is not None), *args))[0]["taken"])
    return folded


async def fold_all(shop_id: int | None = None, limit: int = FOLD_LIMIT) -> int:
    """Fold until the outbox is empty (of what was there when it started, and more that came meanwhile). An empty
    outbox is seen by a read, without a write transaction (on SQLite, taking the writer's lock every second)."""
    db = Sale._meta.db
    shop = "" if shop_id is None else " WHERE shop = $1"
    args = () if shop_id is None else (shop_id,)
    if not any([await run(db, f"SELECT 1 AS x FROM {outbox}{shop} LIMIT 1", *args)
                for outbox, _, _ in SUMMARIES.values()]):
        return 0
    total = 0
    while (folded := await fold(shop_id, limit)) > 0:
        total += folded
        if folded < limit:
            break
    return total


async def pending(shop_id: int | None = None) -> int:
    """Outbox rows not folded yet."""
    db = Sale._meta.db
    where = "" if shop_id is None else " WHERE shop = $1"
    args = () if shop_id is None else (shop_id,)
    counted = 0
    for outbox, _, _ in SUMMARIES.values():
        counted += int((await run(db, f"SELECT COUNT(*) AS n FROM {outbox}{where}", *args))[0]["n"])
    return counted


class Folder(Periodic):
    """Folds the reports' outbox while the server runs: every `every` seconds, and once more at stop
    (shop/background.py). Each worker process runs one; they take disjoint rows."""

    name = "aixin-folder"
    failed = "folding the reports' summaries failed"
    pass_at_stop = True

    def __init__(self, *, every: float = 1.0) -> None:
        super().__init__(every=every)

    async def one_pass(self) -> None:
        await fold_all()
