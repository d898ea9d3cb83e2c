"""Tampering with the books as only someone at the database could: the guarding triggers of some tables turned off
while a test changes rows behind the rules' back (to see verify() catch it), and turned back on after."""

from __future__ import annotations

import contextlib

from shop.database import run


@contextlib.asynccontextmanager
async def triggers_off(db, *tables: str):
    """The tables' triggers off (disabled on PostgreSQL, dropped and made again on SQLite) inside the block."""
    if db.engine_type == "postgres":
        for table in tables:
            await db.run_ddl(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            for table in tables:
                await db.run_ddl(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    saved = []
    for table in tables:
        for row in await run(db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1", table):
            saved.append(row["sql"])
            await db.run_ddl(f'DROP TRIGGER "{row["name"]}"')
    try:
        yield
    finally:
        for sql in saved:
            await db.run_ddl(sql)
