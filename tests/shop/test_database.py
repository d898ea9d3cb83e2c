"""What the engine promises a till: PRAGMAs on every kept SQLite connection, WAL kept small, and one writer at a
time."""

import asyncio
from pathlib import Path

from shop.database import (
    ShopSQLiteEngine, checkpoint, close_database, engine_for, fetch_rows, open_database, run, writing,
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
