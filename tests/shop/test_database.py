"""What the engine promises a till: PRAGMAs on every kept SQLite connection, WAL kept small, and one writer at a
time."""

import asyncio

import asyncpg
import pytest
from pathlib import Path

from shop.database import (
    READERS_NAME, ShopPostgresEngine, ShopSQLiteEngine, checkpoint, close_database, engine_for, fetch_by_key,
    fetch_rows, open_database, run, writing,
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


ONE = "SELECT 'alone' AS how, n, n * 10 AS tens FROM generate_series(1, $1::integer) AS n WHERE $2::text <> 'refuse'"
MANY = """SELECT k.size AS key_size, k.word AS key_word, 'together' AS how, n, n * 10 AS tens
          FROM unnest($1::integer[], $2::text[]) AS k(size, word), generate_series(1, k.size) AS n
          WHERE 1 / (CASE WHEN k.word = 'refuse' THEN 0 ELSE 1 END) = 1"""


def rows_for(size: int, how: str) -> list[dict]:
    return [{"how": how, "n": n, "tens": n * 10} for n in range(1, size + 1)]


@pytest.mark.postgres_only
async def test_hot_reads_asked_for_at_the_same_moment_go_together_in_one_statement(db):
    assert isinstance(db, ShopPostgresEngine) and db.TOGETHER == 1
    # one read with nothing on its way: it goes at once, alone
    assert await fetch_by_key(db, ONE, MANY, 2, "a") == rows_for(2, "alone")
    # when nine are asked for at once, then the first goes alone and the eight after it wait and go together,
    # each answered with its own key's rows (a key asked for twice twice; a key with no rows with none)
    keys = [(3, "a"), (1, "b"), (2, "c"), (1, "b"), (0, "d"), (4, "e"), (2, "c"), (1, "f"), (2, "g")]
    answers = await asyncio.gather(*[fetch_by_key(db, ONE, MANY, *key) for key in keys])
    assert answers == [rows_for(3, "alone")] + [rows_for(size, "together") for size, _ in keys[1:]]
    # when a waiting read is cancelled, then the others that waited with it are still answered
    slow = asyncio.ensure_future(fetch_by_key(db, ONE + " AND pg_sleep(0.2) IS NOT NULL", MANY, 1, "a"))
    await asyncio.sleep(0.05)  # on its way
    waiting = [asyncio.ensure_future(fetch_by_key(db, ONE, MANY, *key)) for key in [(2, "x"), (1, "y"), (3, "z")]]
    await asyncio.sleep(0)
    waiting[1].cancel()
    assert await slow == rows_for(1, "alone")
    assert [await waiting[0], await waiting[2]] == [rows_for(2, "together"), rows_for(3, "together")]
    assert waiting[1].cancelled()
    # when PostgreSQL refuses the statement for many, then every read that waited for it is refused
    refused = [(1, "a"), (2, "b"), (1, "refuse")]
    answers = await asyncio.gather(*[fetch_by_key(db, ONE, MANY, *key) for key in refused], return_exceptions=True)
    assert answers[0] == rows_for(1, "alone")
    assert [type(answer) for answer in answers[1:]] == [asyncpg.DivisionByZeroError] * 2
    # and nothing is left waiting or on its way: the next read goes alone
    assert await fetch_by_key(db, ONE, MANY, 2, "a") == rows_for(2, "alone")


async def test_on_sqlite_a_read_by_key_is_the_read_for_one(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/by-key.sqlite")
    await open_database(engine)
    try:
        answers = await asyncio.gather(*[fetch_by_key(engine, "SELECT $1 + 1 AS n, $2 AS word", "not read", n, "w")
                                         for n in range(5)])
        assert answers == [[{"n": n + 1, "word": "w"}] for n in range(5)]
    finally:
        await close_database(engine)
