"""A full disk, for real (a small tmpfs: tests/small_disk.py): the till is told so in a sentence, nothing of the sale
is written, and the shop sells again as soon as there is room, with no restart. SQLite: the database file and its
write-ahead log on the small disk; PostgreSQL: the sale table in a tablespace on it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pos.tables import Sale
from shop.database import run
from shop.tables import LedgerTxn
from tests.small_disk import fill, small_disk
from tests.web.test_sales_api import sale_body


@pytest.fixture(params=["sqlite", "postgres"])
def engine_kind(request) -> str:
    return request.param


@pytest.fixture
def disk(engine_kind):
    with small_disk(2048, owner="" if engine_kind == "sqlite" else "postgres") as where:
        yield where


@pytest.fixture
def database_url(engine_kind, disk, request) -> str:
    """This module's shop keeps its sales on the small disk."""
    if engine_kind == "postgres":
        return request.getfixturevalue("postgres_schema")
    shutil.copy(request.getfixturevalue("sqlite_template"), disk / "shop.sqlite")
    return f"sqlite:///{disk / 'shop.sqlite'}"


@pytest.fixture
async def sales_on_the_disk(db, disk):
    """On PostgreSQL, the sale table moves into a tablespace on the small disk (and back at the end)."""
    if db.engine_type == "sqlite":
        yield
        return
    tablespace = f"aixin_small_disk_{os.getpid()}"
    await run(db, "VACUUM sale")  # no empty pages left by earlier tests' rows (tests/conftest.py empties by DELETE)
    await run(db, f"CREATE TABLESPACE {tablespace} LOCATION '{disk}'")
    await run(db, f"ALTER TABLE sale SET TABLESPACE {tablespace}")
    try:
        yield
    finally:
        await run(db, "ALTER TABLE sale SET TABLESPACE pg_default")
        await run(db, f"DROP TABLESPACE {tablespace}")


async def test_a_full_disk_gives_the_till_a_sentence_and_the_shop_sells_again_when_space_returns(
        cashier, goods, db, disk, sales_on_the_disk):
    # given a disk with not one byte free
    filler: Path = fill(disk)
    body = sale_body([(goods.noodles, 2)], cash=5000, expected_total_fen=2500)
    # when the till completes a sale
    refused = await cashier.post("/api/sales", json=body)
    # then it is told, in Chinese, that the disk is full and nothing was saved; nothing of the sale is written
    assert refused.status_code == 507, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "disk-full" and "磁盘已满" in refused.json()["detail"]
    assert await Sale.count() == 0 and await LedgerTxn.count().where(LedgerTxn.kind == "sale") == 0
    # and in English for a cashier who chose English
    await cashier.get("/lang/en")
    again = await cashier.post("/api/sales", json=body)
    assert again.status_code == 507 and again.json()["detail"].startswith("The server's disk is full")
    # when space is freed, then the same submit (the till's Enter again) sells, with no restart, and so does the next
    filler.unlink()
    sold = await cashier.post("/api/sales", json=body)
    assert sold.status_code == 201, sold.text
    following = await cashier.post("/api/sales", json=sale_body([(goods.coasters, 1)], cash=500))
    assert following.status_code == 201, following.text
    assert await Sale.count() == 2
    response = await cashier.get(f"/api/till/items/{goods.noodles}")
    assert response.json()["on_hand"] == 38
    # and both receipts print: the print queue outlived the full disk too
    for number in (sold.json()["number"], following.json()["number"]):
        assert await cashier.printed(f"*receipt-{number}*"), number
