"""What the engine promises a till: PRAGMAs on every kept SQLite connection, WAL kept small, and one writer at a
time."""

import asyncio

import asyncpg
import pytest
from pathlib import Path

from shop.database import (
    READERS_NAME, ShopPostgresEngine, ShopSQLiteEngine, checkpoint, close_database, engine_for, fetch_rows,
    open_database, run, writing,
)


async def test_every_sqlite_connection_has_the_pragmas_a_till_needs(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/pragmas.sqlite")
    assert isinstance(engine, ShopSQLiteEngine)
    await open_database(engine)
    connections = [await engine.get_connection() for _ in range(3)]  # three different kept connections
    try:
        for connection in connections:
            values = {}
            for pragma in ("foreign_keys", "busy_timeout", "synchronous", "journal_mode", "journal_size_limit"):
                async with connection.execute(f"PRAGMA {pragma}") as cursor:
                    values[pragma] = list((await cursor.fetchone()).values())[0]
            assert values == {"foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2, "journal_mode": "wal",
                              "journal_size_limit": 64 * 1024 * 1024}
        assert engine.writer().execute("PRAGMA journal_size_limit").fetchone() == {"journal_size_limit": 64 << 20}
    finally:
        for connection in connections:
            await connection.close()
        await close_database(engine)


async def test_concurrent_write_transactions_queue_instead_of_failing_with_database_is_locked(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/writers.sqlite")
    await open_database(engine)
    await engine.run_ddl("CREATE TABLE counter (n INTEGER)")
    await engine.run_ddl("INSERT INTO counter VALUES (0)")

    async def read_then_write() -> None:
        async with writing(engine):
            (row,) = await _select(engine)
            await asyncio.sleep(0)  # let the others try to get in between
            await engine.execute_in(engine.current_transaction.get().connection, "UPDATE counter SET n = ?",
                                    [row["n"] + 1])

    await asyncio.gather(*[read_then_write() for _ in range(50)])
    assert await fetch_rows(engine, "SELECT n FROM counter") == [{"n": 50}]
    await close_database(engine)


async def _select(engine):
    return await engine.execute_in(engine.current_transaction.get().connection, "SELECT n FROM counter")


async def test_the_write_ahead_log_gives_its_disk_space_back(tmp_path):
    # given a write-ahead log grown by a large write
    engine = engine_for(f"sqlite:///{tmp_path}/wal.sqlite")
    await open_database(engine)
    await engine.run_ddl("CREATE TABLE photo (data BLOB)")
    async with writing(engine):
        await run(engine, "INSERT INTO photo VALUES (zeroblob(3000000))")
    wal = Path(f"{tmp_path}/wal.sqlite-wal")
    assert wal.stat().st_size > 3_000_000
    # when it is checkpointed (after each automatic backup), then it is emptied into the database
    await checkpoint(engine)
    assert wal.stat().st_size == 0 and Path(f"{tmp_path}/wal.sqlite").stat().st_size > 3_000_000
    await close_database(engine)


async def last_query(engine, pid: int) -> tuple[str, str]:
    """What a PostgreSQL backend last ran, and its state, seen from a connection of its own."""
    observer = await engine.get_new_connection()
    try:
        row = await observer.fetchrow("SELECT query, state FROM pg_stat_activity WHERE pid = $1", pid)
        return row["query"], row["state"]
    finally:
        await observer.close()


@pytest.mark.postgres_only
async def test_the_pool_takes_a_connection_back_without_a_query_of_its_own_but_never_in_a_transaction(db):
    # when a statement runs outside a transaction, on a connection of the pool, then it was the last query there:
    # no RESET ALL after it
    pid = (await fetch_rows(db, "SELECT pg_backend_pid() AS pid"))[0]["pid"]
    assert await last_query(db, pid) == ("SELECT pg_backend_pid() AS pid", "idle")
    # when a connection is given back in the middle of a transaction, then that is rolled back
    async with db.pool.acquire() as connection:
        await connection.execute("BEGIN")
        pid = await connection.fetchval("SELECT pg_backend_pid()")
    assert await last_query(db, pid) == ("ROLLBACK", "idle")


async def readers(observer) -> set[int]:
    return {row["pid"] for row in await observer.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", READERS_NAME)}


@pytest.mark.postgres_only
async def test_hot_reads_keep_a_few_connections_of_their_own_and_survive_one_that_died(db):
    assert isinstance(db, ShopPostgresEngine)
    observer = await db.get_new_connection()
    try:
        # one read after the other: always the same connection of its own
        pids = {(await fetch_rows(db, "SELECT pg_backend_pid() AS pid"))[0]["pid"] for _ in range(5)}
        assert len(pids) == 1 and pids == await readers(observer)
        # many at once: READERS connections of their own, the rest on the pool's, every read answered
        at_once = await asyncio.gather(*[fetch_rows(db, "SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")
                                         for _ in range(10)])
        kept = await readers(observer)
        assert len(kept) == ShopPostgresEngine.READERS and {rows[0]["pid"] for rows in at_once} > kept
        # a statement PostgreSQL refuses is refused, and the connection stays
        with pytest.raises(asyncpg.PostgresError, match="division by zero"):
            await fetch_rows(db, "SELECT 1 / 0 AS nothing")
        assert await readers(observer) == kept
        # the server ends them all: the next reads still answer, on new ones
        for pid in kept:
            await observer.execute("SELECT pg_terminate_backend($1)", pid)
        assert [await fetch_rows(db, f"SELECT {n} AS answer") for n in range(6)] == [[{"answer": n}] for n in range(6)]
        new = await readers(observer)
        assert new and not new & kept
        # closing the database closes them
        await close_database(db)
        await asyncio.sleep(0.2)
        assert await readers(observer) == set()
    finally:
        await observer.close()
        await open_database(db)  # for the fixture's own checks and close


@pytest.mark.postgres_only
def test_hot_reads_in_a_new_event_loop_do_not_reuse_the_last_loops_connections(settings):
    # given a read in one event loop that ends without closing the database (a command run in-process, say)
    engine = engine_for(settings.database.url)

    async def first() -> list:
        await open_database(engine)
        return await fetch_rows(engine, "SELECT 1 AS answer")

    assert asyncio.run(first()) == [{"answer": 1}]
    engine.pool = None  # gone with its loop
    # when the same engine reads in another, then it opens its own connections there

    async def second() -> list:
        await open_database(engine)
        try:
            return await fetch_rows(engine, "SELECT 2 AS answer")
        finally:
            await close_database(engine)

    assert asyncio.run(second()) == [{"answer": 2}]
