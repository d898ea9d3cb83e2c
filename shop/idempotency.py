"""Idempotent writes: a sale, a return or a donation is submitted with a key, so a retried submit (a double tap,
a lost reply) never writes twice.

The same key with the same request gives back the first write and writes nothing; the same key with another
request is refused (409). once() is the one place this is done; each writer keeps its own words for "this key
was used for another …" (its error code) and its own record.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

import asyncpg
from piccolo.columns import Column
from piccolo.table import Table

from shop.database import one_writer_per_shop, retrying_deadlocks, run, writing
from shop.errors import DomainError, ShopError

T = TypeVar("T")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def check_key(key: str) -> str:
    """A key as the till and the intake desk make them: 8 to 64 letters, digits, "-" and "_"."""
    if not _KEY.match(key or ""):
        raise DomainError(ShopError.BAD_IDEMPOTENCY_KEY)
    return key


async def once(write: Callable[[], Awaitable[T]], *, table: type[Table], digest_column: Column, shop_id: int,
               key: str, digest: str, first: Callable[[int], Awaitable[T]], reused: StrEnum,
               number: Callable[[int], str], one_writer: str = "") -> T:
    """`write()` in one write transaction, unless the shop already has a row of `table` with this key.

    Then: its `digest_column` is `digest` → `first(id)` (the first write, loaded again) marked replayed;
    another digest → DomainError(`reused`, 409, number=`number(id)`). A row with the same key committed by
    another connection in the meantime (the unique index on shop and key says so) is answered the same way.
    `one_writer` names the queue this shop's writers wait in on PostgreSQL (shop/database.py), "" for none.
    The caller has checked the key (check_key) before anything else of the request.
    """
    db = table._meta.db
    find = (f"SELECT id, {digest_column._meta.db_column_name} AS digest FROM {table._meta.tablename} "
            "WHERE shop = $1 AND idempotency_key = $2")

    async def earlier() -> dict[str, Any] | None:
        rows = await run(db, find, shop_id, key)
        return rows[0] if rows else None

    async def again(row: dict[str, Any]) -> T:
        if row["digest"] != digest:
            raise DomainError(reused, number=number(row["id"]))
        return dataclasses.replace(await first(row["id"]), replayed=True)  # type: ignore[type-var]

    async def write_once() -> T:
        async with writing(db):
            if one_writer:
                await one_writer_per_shop(db, shop_id, one_writer)
            if (row := await earlier()) is not None:
                return await again(row)
            return await write()

    try:
        return await retrying_deadlocks(db, write_once)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # Another connection committed the same key first (PostgreSQL, or a second process).
        row = await earlier()
        if row is None:
            raise
        return await again(row)
