"""ShopSQLiteEngine on Piccolo's and aiosqlite's public API only: kept connections serve the event loop that opened
them, Piccolo's query builder reaches our connections and write lock, and the Piccolo interface we build on is the
one an upgrade would have to keep."""

from __future__ import annotations

import asyncio
import inspect
import threading

import aiosqlite
import pytest
from piccolo.columns import Integer
from piccolo.engine.base import BaseTransaction, Engine
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from shop.database import (
    ShopSQLiteEngine, ShopSQLiteTransaction, close_database, engine_for, fetch_rows, open_database, run, writing,
)


class Probe(Table, tablename="engine_probe"):
    """A table of this test's own, to drive Piccolo's query builder against a bare engine."""

    n = Integer()


async def _threads_back_to(count: int) -> int:
    for _ in range(100):  # a closed connection's thread ends a moment after close() returns
        if threading.active_count() == count:
            break
        await asyncio.sleep(0.01)
    return threading.active_count()


def test_a_closed_event_loops_connections_are_closed_and_never_handed_to_the_next_loop(tmp_path):
    # given an engine used by one event loop, which kept three connections when it closed (as a finished test's does)
    threads = threading.active_count()
    engine = engine_for(f"sqlite:///{tmp_path}/loops.sqlite")

    async def take_three_and_give_back() -> list[aiosqlite.Connection]:
        connections = [await engine.get_connection() for _ in range(3)]
        for connection in connections:
            engine.give_back(connection)
        return connections

    first = asyncio.run(take_three_and_give_back())
    assert threading.active_count() == threads + 3  # at rest, their worker threads wait for work

    # when another event loop uses the same engine
    async def second_loop() -> tuple[list[aiosqlite.Connection], int]:
        taken = [await engine.get_connection() for _ in range(2)]
        running = await _threads_back_to(threads + 2)
        for connection in taken:
            engine.give_back(connection)
        assert await run(engine, "SELECT 2 AS n") == [{"n": 2}]
        await close_database(engine)
        return taken, running

    second, running = asyncio.run(second_loop())

    # then it gets connections of its own, the first loop's are closed, and no thread is left behind
    assert not {id(connection) for connection in second} & {id(connection) for connection in first}
    for connection in first:
        with pytest.raises(ValueError, match="no active connection"):
            connection.in_transaction  # noqa: B018 (aiosqlite's way to tell a closed connection)
    assert running == threads + 2
    assert asyncio.run(_threads_back_to(threads)) == threads


async def test_piccolos_query_builder_runs_on_kept_connections_and_waits_for_the_write_lock(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/probe.sqlite")
    await open_database(engine)
    Probe._meta.db = engine
    await Probe.create_table()  # DDL: run_ddl

    # a PRAGMA only our kept connections set (Piccolo's own connection would answer 0)
    assert await Probe.raw("PRAGMA secure_delete") == [{"secure_delete": 2}]

    # a Piccolo write outside a transaction waits while a writer holds the lock
    async with engine.write_lock:
        insert = asyncio.ensure_future(Probe.insert(Probe(n=1)).run())
        await asyncio.sleep(0.05)
        assert not insert.done()
    await insert
    assert await Probe.select(Probe.n) == [{"n": 1}]

    # Piccolo's queries inside a write transaction run on its connection, and leave with its rollback
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with writing(engine):
            await Probe.insert(Probe(n=2))
            assert await Probe.count() == 2
            raise RuntimeError("changed my mind")
    assert await Probe.count() == 1

    # and in a read transaction on a kept connection
    async with engine.transaction():
        assert await Probe.select(Probe.n) == [{"n": 1}]
    await close_database(engine)


async def test_an_inner_transaction_joins_the_outer_and_commit_or_rollback_end_one_early(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/nested.sqlite")
    await open_database(engine)
    await run(engine, "CREATE TABLE t (n INTEGER)")

    # an inner transaction is the outer one; a rollback ends the outer one at once, and its end commits nothing
    async with writing(engine) as outer:
        async with writing(engine) as inner:
            assert inner is outer
            with pytest.raises(TransactionError):
                engine.transaction(allow_nested=False)
        await run(engine, "INSERT INTO t VALUES (1)")
        await outer.rollback()
    assert await fetch_rows(engine, "SELECT n FROM t") == []
    assert not engine.write_lock.locked()

    # a commit keeps what was written even if the block then fails
    with pytest.raises(RuntimeError):
        async with writing(engine) as transaction:
            await run(engine, "INSERT INTO t VALUES (2)")
            await transaction.commit()
            raise RuntimeError("after the commit")
    assert await fetch_rows(engine, "SELECT n FROM t") == [{"n": 2}]

    # a read transaction ended early gives its connection back in a usable state
    async with engine.transaction() as reading:
        assert await run(engine, "SELECT n FROM t") == [{"n": 2}]
        await reading.commit()
    async with engine.transaction():
        assert await run(engine, "SELECT count(*) AS c FROM t") == [{"c": 1}]
    await close_database(engine)


async def test_a_write_begins_at_once_and_waits_without_blocking_the_loop_while_another_process_writes(tmp_path):
    import sqlite3

    engine = engine_for(f"sqlite:///{tmp_path}/begin.sqlite")
    await open_database(engine)
    await run(engine, "CREATE TABLE t (n INTEGER)")
    # given another process in the middle of a write
    other = sqlite3.connect(f"{tmp_path}/begin.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")

    async def write() -> None:
        async with writing(engine):
            await run(engine, "INSERT INTO t VALUES (2)")

    # when this process writes, it waits for the other; the event loop goes on meanwhile
    waiting = asyncio.create_task(write())
    ticks = 0
    for _ in range(20):
        await asyncio.sleep(0.01)
        ticks += 1
    assert not waiting.done() and ticks == 20
    other.execute("COMMIT")
    await asyncio.wait_for(waiting, timeout=5)
    # then both writes are there, and the writer waits for others as long as ever afterwards (the busy timeout)
    assert await fetch_rows(engine, "SELECT n FROM t ORDER BY n") == [{"n": 1}, {"n": 2}]
    assert engine.writer().execute("PRAGMA busy_timeout").fetchone()["timeout"] > 0
    other.close()
    await close_database(engine)


def _parameters(function) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_the_piccolo_engine_interface_our_engine_overrides_is_still_piccolos():
    """ShopSQLiteEngine keeps the write lock and the PRAGMAs only as long as Piccolo runs every statement through
    these public methods. An upgrade that renames or reshapes them fails here (and the behaviour test above fails if
    Piccolo starts routing queries some other way)."""
    # run_querystring, run_ddl and transaction are the abstract interface every Piccolo engine implements
    assert {"run_querystring", "run_ddl", "transaction"} <= Engine.__abstractmethods__
    for name in ("run_querystring", "run_ddl", "transaction", "get_connection"):
        assert _parameters(getattr(ShopSQLiteEngine, name)) == _parameters(getattr(SQLiteEngine, name)), name
    # a transaction is Piccolo's public BaseTransaction: an async context manager, nothing more is asked of it
    assert BaseTransaction.__abstractmethods__ == {"__aenter__", "__aexit__"}
    assert issubclass(ShopSQLiteTransaction, BaseTransaction) and not ShopSQLiteTransaction.__abstractmethods__
