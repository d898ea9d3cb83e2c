"""The SQL dialect (shop/sql.py): each difference between SQLite and PostgreSQL, said once and run on both."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from pos.verify import APPEND_ONLY
from shop import sql
from shop.database import run, writing
from shop.tables import AccessThrottle


def test_placeholders_number_from_start():
    assert sql.placeholders(1, 3) == "$1, $2, $3"
    assert sql.placeholders(4, 1) == "$4"
    assert sql.placeholders(2, 0) == ""


async def test_row_locks_are_postgresql_only(db):
    # given / when
    on_postgres = db.engine_type == "postgres"
    # then
    assert sql.locks_rows(db) is on_postgres
    assert sql.dialect(db) == ("postgres" if on_postgres else "sqlite")
    assert sql.for_update(db) == (" FOR UPDATE" if on_postgres else "")
    assert sql.for_update(db, of="i") == (" FOR UPDATE OF i" if on_postgres else "")
    assert sql.for_share(db) == (" FOR SHARE" if on_postgres else "")
    assert sql.for_no_key_update(db) == (" FOR NO KEY UPDATE" if on_postgres else "")


async def test_a_locking_select_runs_in_a_write_transaction(db):
    # given
    await sql.insert_rows(AccessThrottle, [dict(key="k", failures=2, last_failure_at=datetime.now(UTC))])
    # when
    async with writing(db):
        rows = await run(db, "SELECT t.failures FROM access_throttle t WHERE t.key = $1" + sql.for_update(db, of="t"),
                         "k")
        shared = await run(db, "SELECT failures FROM access_throttle WHERE key = $1" + sql.for_share(db), "k")
        no_key = await run(db, "SELECT failures FROM access_throttle WHERE key = $1" + sql.for_no_key_update(db), "k")
    # then
    assert rows == shared == no_key == [{"failures": 2}]


async def test_ilike_ignores_the_case_of_latin_letters_and_takes_the_escape(db):
    async def matches(text: str, pattern: str) -> bool:
        return bool(await run(db, f"SELECT 1 AS hit WHERE {sql.ilike(db, 'CAST($1 AS TEXT)', '$2')}", text, pattern))

    assert await matches("Rice Cooker", "%rice%")
    assert await matches("电饭煲 Rice", "%电饭%")
    assert await matches("100% cotton", "%100\\%%")
    assert not await matches("100 cotton", "%100\\%%")


async def test_typed_gives_a_parameter_its_type_where_nothing_else_does(db):
    rows = await run(db, f"WITH v(n, d) AS (VALUES ({sql.typed(db, '$1', 'INTEGER')}, "
                         f"{sql.typed(db, '$2', 'TEXT')})) SELECT n + 1 AS m, d FROM v", 41, "2026-12-06")
    assert [dict(row) for row in rows] == [{"m": 42, "d": "2026-12-06"}]


async def test_big_integer_holds_a_product_of_fen_past_32_bits(db):
    big = sql.big_integer(db)
    rows = await run(db, f"SELECT CAST($1 AS {big}) * CAST($2 AS {big}) AS product", 3_000_000, 5_000)
    assert int(rows[0]["product"]) == 15_000_000_000


async def test_insert_rows_inserts_in_one_statement_and_returns_the_columns_asked(db):
    # given
    now = datetime.now(UTC)
    # when
    back = await sql.insert_rows(AccessThrottle, [dict(key=f"k{n}", failures=n, last_failure_at=now) for n in range(3)],
                                 returning="id, key")
    # then
    assert sorted(row["key"] for row in back) == ["k0", "k1", "k2"]
    assert {row["id"] for row in back} == {row["id"] for row in await AccessThrottle.select(AccessThrottle.id)}
    assert await sql.insert_rows(AccessThrottle, []) == []


async def test_a_transaction_holding_an_advisory_lock_may_take_it_again(db):
    async with writing(db):
        await sql.advisory_lock(db, "aixin:test:shop:1")
        assert await sql.try_advisory_lock(db, "aixin:test:shop:1")


@pytest.mark.postgres_only  # on SQLite the lock is nothing: one writer holds the whole database
async def test_an_advisory_lock_lets_one_transaction_in_at_a_time(db):
    # given: a transaction holding the key
    held, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with writing(db):
            await sql.advisory_lock(db, "aixin:test:shop:1")
            held.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await held.wait()
    # when / then: another transaction cannot have it until the holder ends
    async with writing(db):
        assert not await sql.try_advisory_lock(db, "aixin:test:shop:1")
        assert await sql.try_advisory_lock(db, "aixin:test:shop:2")
    release.set()
    await task
    async with writing(db):
        assert await sql.try_advisory_lock(db, "aixin:test:shop:1")


async def test_triggers_show_the_books_refusing_changes(db):
    found = {(row["tbl"], row["name"]): row for row in await sql.triggers(db)}
    sale = [row for (table, _), row in found.items() if table == "sale"]
    assert sale and all(row["enabled"] in ("O", "A") and sql.refuses(db, row["body"]) for row in sale)
    assert {table for table, _ in found} >= set(APPEND_ONLY)
    assert not sql.refuses(db, "SELECT 1")


@pytest.mark.parametrize("tables", [("item",), ("item", "stock_movement")])
async def test_refresh_statistics_analyses_on_postgresql_and_leaves_sqlite_alone(db, tables):
    await sql.refresh_statistics(db, *tables)
    if db.engine_type == "postgres":
        rows = await run(db, "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY($1)",
                         list(tables))
        assert {row["relname"] for row in rows if row["last_analyze"] is not None} == set(tables)
    else:  # SQLite plans without statistics: ANALYZE would have made sqlite_stat1
        assert not await run(db, "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
