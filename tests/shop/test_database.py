"""What the engine promises a till: PRAGMAs on every kept SQLite connection, WAL, and one writer at a time."""

import asyncio

from shop.database import ShopSQLiteEngine, close_database, engine_for, fetch_rows, open_database, writing


async def test_every_sqlite_connection_has_the_pragmas_a_till_needs(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/pragmas.sqlite")
    assert isinstance(engine, ShopSQLiteEngine)
    await open_database(engine)
    connections = [await engine.get_connection() for _ in range(3)]  # three different kept connections
    try:
        for connection in connections:
            values = {}
            for pragma in ("foreign_keys", "busy_timeout", "synchronous", "journal_mode"):
                async with connection.execute(f"PRAGMA {pragma}") as cursor:
                    values[pragma] = list((await cursor.fetchone()).values())[0]
            assert values == {"foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2, "journal_mode": "wal"}
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
            await engine._run_in_existing_connection(engine.current_transaction.get().connection,
                                                     "UPDATE counter SET n = ?", [row["n"] + 1])

    await asyncio.gather(*[read_then_write() for _ in range(50)])
    assert await fetch_rows(engine, "SELECT n FROM counter") == [{"n": 50}]
    await close_database(engine)


async def _select(engine):
    return await engine._run_in_existing_connection(engine.current_transaction.get().connection,
                                                    "SELECT n FROM counter")
