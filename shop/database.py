"""The database: the engine for the configured URL, binding it to every table, migrations,
and the one fast read path the till's scanner needs.

SQLite (one shop, a file) and PostgreSQL (a district) run the same code. Piccolo's
SQLite engine opens a new connection and thread for every query and cannot keep
per-connection PRAGMAs; `ShopSQLiteEngine` keeps a few open connections with the
PRAGMAs a till needs (foreign keys, a busy timeout, synchronous=FULL so a committed sale
survives a power cut), and serialises this process's write transactions with one lock
so they never meet "database is locked" (see ../shared/STACK-NOTES.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
import contextlib
import errno
import io
import re
from functools import lru_cache
import sqlite3
import sys
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from collections.abc import Awaitable, Callable, Sequence

import aiosqlite
import asyncpg
from piccolo.engine.base import BaseTransaction, Engine
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    TransactionType,
    dict_factory,
)
from piccolo.querystring import QueryString

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000
_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = FULL",
    # what a write frees (an erased name, the row's old bytes) is zeroed where that costs no extra I/O
    "PRAGMA secure_delete = FAST",
    # The write-ahead log is copied into the database every 1000 pages (SQLite's automatic checkpoint) and then cut
    # back to this size: left to grow, it filled a small disk and never gave the space back.
    f"PRAGMA journal_size_limit = {64 * 1024 * 1024}",
)
SQLITE_FULL = 13  # "database or disk is full"


async def _run_to_end(connection: aiosqlite.Connection, statement: str) -> None:
    """Run a statement and finish it: a PRAGMA's cursor left open keeps the file locked for others."""
    async with connection.execute(statement) as cursor:
        await cursor.fetchall()


async def _begin_writing(writer: sqlite3.Connection, begin: str) -> None:
    """BEGIN IMMEDIATE on the writer: at once when no other process holds the file's write lock (nearly always: this
    process's writers queue on the engine's lock first), else in a thread that waits for it up to the busy timeout."""
    writer.execute("PRAGMA busy_timeout = 0")
    try:
        writer.execute(begin)
        return
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
    finally:
        writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await asyncio.to_thread(writer.execute, begin)


class ShopSQLiteTransaction(BaseTransaction):
    """A transaction on a kept connection, with the behaviour of Piccolo's SQLiteTransaction (an inner one joins the
    outer; `commit()` and `rollback()` end it early) built on Piccolo's public BaseTransaction alone, so no private state
    of Piccolo's class is read or relied on. Savepoints are not offered: nothing in the shop uses them.

    A write (IMMEDIATE) transaction takes the engine's lock and runs on the engine's one
    writer, a plain sqlite3 connection used straight from the event loop: its statements
    take microseconds, while a thread hop each (aiosqlite) let other requests' work in
    between and stretched the time the lock is held. BEGIN is tried at once and waits in a
    thread only when another process is writing; COMMIT, which waits for the disk
    (synchronous=FULL), runs in a thread.
    """

    def __init__(self, engine: ShopSQLiteEngine, transaction_type: TransactionType = TransactionType.deferred,
                 allow_nested: bool = True) -> None:
        self.engine = engine
        self.transaction_type = transaction_type
        self.writes = transaction_type != TransactionType.deferred
        self.parent: ShopSQLiteTransaction | None = engine.current_transaction.get()
        if self.parent is not None and not allow_nested:
            raise TransactionError("A transaction is already active - nested transactions aren't allowed.")
        self.connection: sqlite3.Connection | aiosqlite.Connection | None = None
        self.ended = False  # committed or rolled back by commit() / rollback() before the block's end

    async def __aenter__(self) -> ShopSQLiteTransaction:
        if self.parent is not None:
            return self.parent
        if self.writes:
            await self.engine.write_lock.acquire()
            try:
                self.connection = self.engine.writer()
                await _begin_writing(self.connection, f"BEGIN {self.transaction_type.value}")
            except BaseException:
                self.engine.write_lock.release()
                raise
        else:
            self.connection = await self.engine.get_connection()
            try:
                await self.connection.execute(f"BEGIN {self.transaction_type.value}")
            except BaseException:
                # a connection whose BEGIN failed is closed, or its thread outlives the error (Piccolo's leaks it)
                await self.connection.close()
                raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self.parent is not None:
            return exception is None
        try:
            if self.writes:
                await self._end_write(commit=exception is None)
            else:
                await self._end_read(commit=exception is None)
        finally:
            if self.writes:  # first: nothing below may keep the other writers waiting
                self.engine.write_lock.release()
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def commit(self) -> None:
        """Commit now, before the block ends (Piccolo's transaction API)."""
        await self._end_now("COMMIT")

    async def rollback(self) -> None:
        """Roll back now, before the block ends (Piccolo's transaction API)."""
        await self._end_now("ROLLBACK")

    async def _end_now(self, statement: str) -> None:
        if self.parent is not None:
            await self.parent._end_now(statement)
        elif self.writes:
            await asyncio.to_thread(self.connection.execute, statement)
        else:
            await self.connection.execute(statement)
        self.ended = True

    async def _end_write(self, *, commit: bool) -> None:
        connection: sqlite3.Connection = self.connection
        try:
            if commit and not self.ended:
                await asyncio.to_thread(connection.execute, "COMMIT")
        finally:
            if connection.in_transaction:  # not committed, or the COMMIT failed
                connection.execute("ROLLBACK")

    async def _end_read(self, *, commit: bool) -> None:
        connection: aiosqlite.Connection = self.connection
        try:
            if not self.ended:
                await connection.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            await connection.close()
            raise
        self.engine.give_back(connection)


class ShopSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with kept connections, PRAGMAs set once per connection, and a write lock.

    Piccolo's query builder reaches an engine through its public interface alone (Engine's abstract `run_querystring`
    and `run_ddl`, which every query and DDL statement is run with, `get_connection` and `transaction`): this class
    overrides those, and with them every statement Piccolo runs uses our kept connections and, when it writes outside
    a transaction, our write lock. Nothing private of Piccolo's is overridden or read (checked against piccolo 1.38.0;
    tests/shop/test_database_engine.py fails loudly if an upgrade routes a query past these methods).

    Kept connections are kept per event loop: an aiosqlite connection hands its results to the loop that asked, and a
    request made from a loop that has closed kills its worker thread, so a connection only ever serves the loop that
    opened it, and those of a closed loop (a finished test's, an ended `asyncio.run`) are closed once another loop
    opens a connection. Needs SQLite 3.35 or later (RETURNING), as the shop's own SQL does.
    """

    def __init__(self, path: str, keep: int = 4) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
        # Per event loop. A plain dict, not a WeakKeyDictionary: a closed loop's connections are closed by the next
        # loop that opens one (or by close()), their threads ended then, not whenever the loop is garbage-collected.
        self._idle: dict[asyncio.AbstractEventLoop, list[aiosqlite.Connection]] = {}
        self._keep = keep
        self.write_lock = asyncio.Lock()
        self._reader: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None

    async def get_connection(self) -> aiosqlite.Connection:
        """A kept connection of this event loop, or a new one with the PRAGMAs set."""
        idle = self._idle.get(asyncio.get_running_loop())
        if idle:
            return idle.pop()
        await self._close_idle(lambda loop: loop.is_closed())
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        try:
            for pragma in _PRAGMAS:
                await _run_to_end(connection, pragma)
        except BaseException:  # a file that is no database: its connection's thread must not outlive the error
            await connection.close()
            raise
        return connection

    def give_back(self, connection: aiosqlite.Connection) -> None:
        """Keep a connection taken with get_connection (on this same event loop) for the next, or close it."""
        loop = asyncio.get_running_loop()
        idle = self._idle.get(loop)
        if idle is None:
            idle = self._idle[loop] = []
        if len(idle) < self._keep and not connection.in_transaction:
            idle.append(connection)
        else:
            asyncio.ensure_future(connection.close())

    async def _close_idle(self, which: Callable[[asyncio.AbstractEventLoop], bool]) -> None:
        """Close the kept connections of the loops `which` picks. They are at rest (their worker threads wait for
        work), so closing them from the running loop is safe even when their own loop has closed."""
        for loop in [loop for loop in list(self._idle) if which(loop)]:
            idle = self._idle.pop(loop, [])
            while idle:
                await idle.pop().close()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> list:
        """Every query Piccolo's query builder runs (its Engine interface), on our connections."""
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run_logged(query, args, shown=querystring)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list:
        """Every DDL statement Piccolo runs (its Engine interface), on our connections."""
        return await self._run_logged(ddl, [], shown=ddl)

    async def _run_logged(self, query: str, args: list, shown: object) -> list:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=str(shown))
        transaction = self.current_transaction.get()
        if transaction is not None:
            rows = await self.execute_in(transaction.connection, query, args)
        else:
            rows = await self.execute_alone(query, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=rows)
        return rows

    async def execute_alone(self, query: str, args: Sequence[Any] = ()) -> list:
        """A statement outside any transaction, on a kept connection. One that writes waits for the write lock like a
        transaction does: otherwise it meets a writer's lock and SQLite's busy handler sleeps."""
        if query.lstrip()[:7].upper().startswith(("SELECT", "PRAGMA", "EXPLAIN")):
            return await self._execute_kept(query, args)
        async with self.write_lock:
            return await self._execute_kept(query, args)

    async def _execute_kept(self, query: str, args: Sequence[Any]) -> list:
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args) as cursor:
                rows = await cursor.fetchall()
        except BaseException:
            await connection.close()
            raise
        self.give_back(connection)
        return rows

    async def execute_in(self, connection: sqlite3.Connection | aiosqlite.Connection, query: str,
                         args: Sequence[Any] = ()) -> list:
        """A statement in a transaction, on its connection: the writer at once (no thread hop), a reader's in its thread."""
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.execute(query, args)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()
        async with connection.execute(query, args) as cursor:
            return await cursor.fetchall()

    def writer(self) -> sqlite3.Connection:
        """The one connection write transactions use (under write_lock), with Piccolo's type conversions."""
        if self._writer is None:
            writer = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            writer.row_factory = dict_factory
            for pragma in _PRAGMAS:
                writer.execute(pragma).fetchall()
            self._writer = writer
        return self._writer

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> ShopSQLiteTransaction:
        return ShopSQLiteTransaction(engine=self, transaction_type=transaction_type,
                                     allow_nested=allow_nested)

    def reader(self) -> sqlite3.Connection:
        """A kept, read-only sqlite3 connection for the scanner's lookups (microseconds, no thread hop)."""
        if self._reader is None:
            reader = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            reader.execute("PRAGMA query_only = ON")
            self._reader = reader
        return self._reader

    async def close(self) -> None:
        await self._close_idle(lambda loop: True)
        for kept in (self._reader, self._writer):
            if kept is not None:
                kept.close()
        self._reader = self._writer = None


READERS_NAME = "aixin hot reads"  # their application_name, as pg_stat_activity shows them


class ShopPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, with a few connections of its own kept for the hot reads (fetch_rows: the
    scanner's lookup, a session's state). One is taken from a list and put back: none of the pool's bookkeeping (a
    proxy, a task shielding each release, a timeout), which cost as much again as the read itself (bench/README.md).
    At most READERS are opened, when first needed; a read that finds them all busy takes the pool's way."""

    READERS = 4
    TOGETHER = 1  # reads of one kind on their way before the next ones wait, to go together (read_by_key)

    def __init__(self, dsn: str) -> None:
        super().__init__(config={"dsn": dsn})
        self._idle: list[asyncpg.Connection] = []
        self._readers = 0  # opened and not closed: idle or reading
        self._kinds: dict[str, _ReadsOfAKind] = {}  # read_by_key's, by their statement for many keys
        self._loop: asyncio.AbstractEventLoop | None = None  # the event loop they belong to

    def _in_this_loop(self) -> asyncio.AbstractEventLoop:
        if (loop := asyncio.get_running_loop()) is not self._loop:  # a command's or a test's loop after another's:
            self._idle, self._readers, self._kinds, self._loop = [], 0, {}, loop  # the last one's ended with it
        return loop

    async def read_by_key(self, one: str, many: str, key: tuple[Any, ...]) -> list[dict[str, Any]]:
        """`one` read for `key`, like read(); or, when TOGETHER reads of its kind are already on their way, a
        place in the next `many`, which asks for the keys of every read that waited for it in one statement: a
        shop's tills scanning at once wait for one round trip at most, and the server's CPU per read falls to a
        third at four together (asyncpg's own work per statement, 60-100 us, was a third of a scan's; see
        bench/README.md). Nothing waits when nothing is on its way.

        `many` takes one array per part of the key ($1 the first parts, $2 the second …) and answers each row
        with its key's parts first, named as it likes; read_by_key takes them off. The rows of one key may be
        handed to several reads of it: read them, never change them."""
        loop = self._in_this_loop()
        kind = self._kinds.get(many)
        if kind is None:
            kind = self._kinds[many] = _ReadsOfAKind()
        if kind.on_way < self.TOGETHER and not kind.waiting:
            kind.on_way += 1
            try:
                return await self.read(one, key)
            finally:
                kind.on_way -= 1
                self._send_waiting(many, kind)
        waiter = loop.create_future()
        kind.waiting.append((key, waiter))
        return await waiter  # cancelled: the read goes on for the others, and its answer is dropped

    def _send_waiting(self, many: str, kind: _ReadsOfAKind) -> None:
        if kind.waiting and kind.on_way < self.TOGETHER:
            waiting, kind.waiting = kind.waiting, []
            kind.on_way += 1
            task = asyncio.get_running_loop().create_task(self._read_together(many, kind, waiting))
            kind.tasks.add(task)
            task.add_done_callback(kind.tasks.discard)

    async def _read_together(self, many: str, kind: _ReadsOfAKind,
                             waiting: list[tuple[tuple[Any, ...], asyncio.Future]]) -> None:
        try:
            keys = list(dict.fromkeys(key for key, _ in waiting))
            size = len(keys[0])
            rows = await self.read(many, [[key[part] for key in keys] for part in range(size)])
            found: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
            for row in rows:
                values = list(row.items())
                found.setdefault(tuple(value for _, value in values[:size]), []).append(dict(values[size:]))
        except BaseException as error:
            for _, waiter in waiting:
                if not waiter.done():
                    if isinstance(error, asyncio.CancelledError):
                        waiter.cancel()
                    else:
                        waiter.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            for key, waiter in waiting:
                if not waiter.done():
                    waiter.set_result(list(found.get(key, ())))
        finally:
            kind.on_way -= 1
            self._send_waiting(many, kind)

    async def read(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        self._in_this_loop()
        while self._idle and self._idle[-1].is_closed():  # the server ended it, and asyncpg has seen so
            self._drop(self._idle.pop())
        if self._idle:
            connection = self._idle.pop()
        elif self._readers < self.READERS and self.pool is not None:
            self._readers += 1
            try:
                connection = await asyncpg.connect(**self.config, server_settings={"application_name": READERS_NAME})
            except BaseException:
                self._readers -= 1
                raise
        else:
            return await _fetch_outside(self, sql, args)
        try:
            rows = await connection.fetch(sql, *args)
        except Exception as error:
            if isinstance(error, asyncpg.PostgresError) and not connection.is_closed():
                self._idle.append(connection)  # a statement refused: the connection is as good as before
                raise
            self._drop(connection)  # the server ended it, or the network: the pool's connection instead
            return await _fetch_outside(self, sql, args)
        except BaseException:
            self._drop(connection)  # cancelled half-way: what it would read next is not known
            raise
        self._idle.append(connection)
        return [dict(row) for row in rows]

    def _drop(self, connection: asyncpg.Connection) -> None:
        self._readers -= 1
        connection.terminate()

    async def close_readers(self) -> None:
        while self._idle:
            connection = self._idle.pop()
            self._readers -= 1
            try:
                await asyncio.wait_for(connection.close(), timeout=1)
            except (TimeoutError, OSError, asyncpg.InterfaceError):
                connection.terminate()


class _ReadsOfAKind:
    """read_by_key's reads of one statement in one event loop: how many are on their way, and those waiting."""

    __slots__ = ("on_way", "waiting", "tasks")

    def __init__(self) -> None:
        self.on_way = 0
        self.waiting: list[tuple[tuple[Any, ...], asyncio.Future]] = []
        self.tasks: set[asyncio.Task] = set()  # those reading for others, kept until done


class DatabaseUnavailable(Exception):
    """The database cannot be opened: the sentence names it and says why (a start-up that must not go on)."""


def is_disk_full(error: BaseException) -> bool:
    """Whether a write failed because the disk (or the database's room on it) is full: SQLite's SQLITE_FULL,
    PostgreSQL's disk_full (53100, "could not extend file … No space left on device"), or ENOSPC from a file. The
    transaction was rolled back whole, and the next one works once there is room again."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlite3.Error) and (getattr(seen, "sqlite_errorcode", 0) & 0xFF) == SQLITE_FULL:
            return True
        if isinstance(seen, asyncpg.DiskFullError) or (isinstance(seen, OSError) and seen.errno == errno.ENOSPC):
            return True
        if isinstance(seen, asyncpg.PostgresError) and "No space left on device" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL (sqlite:///rel/path or sqlite:////abs/path); None for another database."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def engine_for(url: str) -> Engine:
    """The engine for a database URL: sqlite:///path or postgres://…"""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///"):]
        if not path:
            raise ValueError("sqlite URL needs a file path: sqlite:///var/aixin.sqlite")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f"cannot make the folder of the database file {path}: {error}") from error
        return ShopSQLiteEngine(path=path)
    if parts.scheme in ("postgres", "postgresql"):
        return ShopPostgresEngine(url)
    raise ValueError(f"unsupported database URL: {url}")


def writing(engine: Engine):
    """The transaction every writing operation opens: IMMEDIATE on SQLite (no "database is
    locked" half-way through), plain on PostgreSQL. Inside another transaction it joins
    that one, so the outermost operation decides."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def one_writer_per_shop(engine: Engine, shop_id: int, what: str) -> None:
    """Inside a write transaction on PostgreSQL: wait until no other transaction of this shop is
    writing `what` (a catalogue import, a reprint, an offline sale arriving), as SQLite's single writer
    does anyway. Sales and returns do not queue here (issue 22): what they lock is locked in one order
    (items by id, then points accounts sorted), and the reports' summaries are folded after them
    (pos/summaries.py), so the tills of one shop sell at once."""
    from shop.sql import advisory_lock  # here, as shop.sql runs its statements with run() below

    await advisory_lock(engine, f"aixin:{what}:shop:{shop_id}")


DEADLOCK_TRIES = 4
GIL_SWITCH_SECONDS = 0.001


async def retrying_deadlocks(engine: Engine, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` (a whole write transaction) and, on PostgreSQL, run it again when the server rolled
    it back as a deadlock's victim: should two tills' writes ever lock the same rows in opposite
    orders, the one chosen must not fail its cashier for that.
    Work joined into a caller's transaction is not retried here: the outermost caller decides."""
    if not isinstance(engine, PostgresEngine) or engine.transaction_exists():
        return await work()
    for attempt in range(1, DEADLOCK_TRIES + 1):
        try:
            return await work()
        except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
            if attempt == DEADLOCK_TRIES:
                raise
            await asyncio.sleep(0.005 * attempt)
    raise AssertionError("unreachable")


async def open_database(engine: Engine) -> None:
    """Start-up: WAL on SQLite (stored in the file), a connection pool on PostgreSQL. A database that cannot be
    opened (not a database, a folder that cannot be written, a server that does not answer) raises
    DatabaseUnavailable within seconds, leaving nothing running behind it."""
    # A thread that has done its work (SQLite's BEGIN and COMMIT, a connection's statement, a password's hash) waits
    # for the event loop to let go of the GIL before it can hand its answer back: by default up to 5 ms, with the
    # shop's write lock held all that while when it is a COMMIT. 1 ms keeps the tills' sales from queueing on it.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    if isinstance(engine, ShopSQLiteEngine):
        path = engine.path
        try:
            connection = await asyncio.wait_for(engine.get_connection(), timeout=5)
        except (sqlite3.Error, OSError, TimeoutError) as error:
            raise DatabaseUnavailable(f"cannot open the database file {path}: {error}") from error
        try:
            await _run_to_end(connection, "PRAGMA journal_mode = WAL")
        except sqlite3.Error as error:
            await connection.close()
            raise DatabaseUnavailable(f"cannot use the database file {path}: {error}") from error
        engine.give_back(connection)
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        try:
            await asyncio.wait_for(engine.start_connection_pool(min_size=2, max_size=16, reset=_keeps_nothing),
                                   timeout=10)
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            where = urlsplit(engine.config.get("dsn", "")).hostname or "the server"
            raise DatabaseUnavailable(f"cannot reach the PostgreSQL database on {where}: {error}") from error


async def _keeps_nothing(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection it takes back, beyond asyncpg's own rolling back of an unfinished
    transaction: nothing. Its default, a query of its own (RESET ALL, UNLISTEN *, CLOSE ALL, advisory unlock), was a
    second round trip after every statement outside a transaction (a third of PostgreSQL's CPU in a scan). The shop
    keeps no state in a session: its locks, settings and cursors are its transactions' (pg_advisory_xact_lock,
    set_config(…, true), SET LOCAL), and it listens to nothing."""


async def forget_erased(engine: Engine) -> None:
    """After a person's data is erased (and committed): on SQLite, copy the WAL into the database file and empty
    it, so the pages from before the erasure leave the -wal file too. PostgreSQL recycles its own WAL."""
    await checkpoint(engine)


async def checkpoint(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it (its disk space given back)."""
    if isinstance(engine, ShopSQLiteEngine):
        async with engine.write_lock:
            connection = await engine.get_connection()
            try:
                await _run_to_end(connection, "PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                engine.give_back(connection)


async def close_database(engine: Engine) -> None:
    if isinstance(engine, ShopSQLiteEngine):
        await engine.close()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        if isinstance(engine, ShopPostgresEngine):
            await engine.close_readers()
        try:  # close waits for every connection to come back; one that never does must not hang shutdown
            await asyncio.wait_for(engine.pool.close(), timeout=2)
        except TimeoutError:
            engine.pool.terminate()
        engine.pool = None


def bind(engine: Engine) -> None:
    """Point every table of every app (and Piccolo's migration table) at `engine`."""
    import piccolo_conf
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    piccolo_conf.DB = engine
    for table in [*Finder().get_table_classes(), Migration]:
        table._meta.db = engine


async def migrate(engine: Engine) -> list[str]:
    """Apply every pending migration of every app, in dependency order; "app:id" of those applied."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    bind(engine)
    await Migration.create_table(if_not_exists=True)
    ran = Migration.select(Migration.app_name, Migration.name)
    before = {(row["app_name"], row["name"]) for row in await ran}
    chatter = io.StringIO()  # Piccolo prints a banner per app; keep the console for what matters
    with contextlib.redirect_stdout(chatter):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{chatter.getvalue()}")
    return sorted(f"{app}:{name}" for app, name in {(row["app_name"], row["name"]) for row in await ran} - before)


_NUMBERED = re.compile(r"\$(\d+)")


@lru_cache(maxsize=512)
def _sqlite_placeholders(sql: str) -> str:
    """$1, $2 … (PostgreSQL) as ?1, ?2 … (SQLite); cached, as the hot statements repeat."""
    return _NUMBERED.sub(r"?\1", sql)


async def run(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """One statement, in the current transaction if there is one, past Piccolo's query builder.

    The operations' statements (building queries cost half the time of a checkout, bench/README.md).
    SQL uses $1, $2 … placeholders on both engines; what else differs is asked of shop/sql.py.
    """
    transaction = engine.current_transaction.get()
    if isinstance(engine, ShopSQLiteEngine):
        sql = _sqlite_placeholders(sql)
        if transaction is not None:
            return await engine.execute_in(transaction.connection, sql, args)
        return await engine.execute_alone(sql, args)
    if isinstance(engine, PostgresEngine):
        if transaction is not None:
            return [dict(row) for row in await transaction.connection.fetch(sql, *args)]
        return await _fetch_outside(engine, sql, args)
    raise TypeError(f"the shop runs on ShopSQLiteEngine or PostgresEngine, not {type(engine).__name__}")


async def fetch_rows(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """A read outside any transaction on the fastest path each engine has.

    SQL uses $1, $2 … placeholders (SQLite reads them as ?1, ?2 …). For hot reads only (the scanner's lookups):
    other statements run with run(), in the current transaction.
    """
    if isinstance(engine, ShopSQLiteEngine):
        cursor = engine.reader().execute(_sqlite_placeholders(sql), args)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    if isinstance(engine, ShopPostgresEngine):
        return await engine.read(sql, args)
    return await run(engine, sql, *args)  # pragma: no cover


async def fetch_by_key(engine: Engine, one: str, many: str, *key: Any) -> list[dict[str, Any]]:
    """fetch_rows(engine, one, *key), for a hot read that PostgreSQL may answer together with others of its kind
    asked for at the same moment (ShopPostgresEngine.read_by_key says how `many` reads). SQLite reads `one` in
    this thread: no round trip to save."""
    if isinstance(engine, ShopPostgresEngine):
        return await engine.read_by_key(one, many, key)
    return await fetch_rows(engine, one, *key)


async def _fetch_outside(engine: PostgresEngine, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    """A statement outside any transaction on PostgreSQL: on a connection of the pool open_database started, as
    Piccolo's own queries do; without a pool, on a connection of its own, closed after."""
    if engine.pool is not None:
        return [dict(row) for row in await engine.pool.fetch(sql, *args)]
    connection = await engine.get_new_connection()
    try:
        return [dict(row) for row in await connection.fetch(sql, *args)]
    finally:
        await connection.close()


def as_date(value: date | str | None) -> date | None:
    """A DATE column from a raw row: SQLite hands it back as text, PostgreSQL as a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_time(value: datetime | str) -> datetime:
    """A TIMESTAMPTZ column from a raw row: SQLite hands it back as text (UTC), PostgreSQL as a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
