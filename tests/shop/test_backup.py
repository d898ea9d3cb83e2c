"""`aixin backup` and `aixin restore` through the command line, on both engines: a copy taken while the shop is
open holds the same books (the copy itself passes verify()), and it restores only into an empty database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from pos.checkout import CartLine, commit_sale, source_rules
from shop.database import bind, run
from web.cli import main

BOOKS = ("sale", "sale_line", "tender", "ledger_txn", "ledger_entry", "stock_movement", "item")


async def counts(db) -> dict[str, int]:
    return {table: (await run(db, f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"] for table in BOOKS}


async def aixin(db, capsys, monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    """The command as a volunteer types it (its own event loop and engine), then the test's engine bound back."""
    monkeypatch.setenv("AIXIN_DATABASE_URL", url)
    capsys.readouterr()
    status = await asyncio.to_thread(main, list(argv))
    bind(db)
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture
async def sold(goods, settings, monkeypatch):
    monkeypatch.setenv("AIXIN_SERVER_DATA_DIR", str(settings.server.data_dir))
    for n in range(3):
        await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                          lines=[CartLine(goods.noodles, 1 + n), CartLine(goods.coasters, 1)], cash_given_fen=10_000,
                          idempotency_key=f"backup-sale-{n:04d}", rules=source_rules(settings.split))
    return goods


async def test_a_backup_holds_the_same_books_passes_verify_and_restores_into_an_empty_database(
        db, settings, sold, capsys, monkeypatch, tmp_path):
    url = settings.database.url
    before = await counts(db)
    # when the shop is backed up while open
    status, out, err = await aixin(db, capsys, monkeypatch, url, "backup", "--to", str(tmp_path / "copies"))
    # then the command prints the copy's path and the books in it check out
    assert status == 0, err
    copy = Path(out.splitlines()[0])
    assert copy.parent == tmp_path / "copies" and copy.exists() and "the books are in order" in out
    # when it is restored into a new, empty database
    if db.engine_type == "sqlite":
        target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    else:
        name = urlsplit(url).path.lstrip("/") + "_restored"
        admin = await asyncpg.connect(url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        target = urlsplit(url)._replace(path=f"/{name}").geturl()
    status, out, err = await aixin(db, capsys, monkeypatch, target, "restore", str(copy))
    assert status == 0, err
    assert "the books are in order" in out
    # then it holds what the shop held
    from shop.database import close_database, engine_for, open_database

    restored = engine_for(target)
    await open_database(restored)
    try:
        assert await counts(restored) == before
    finally:
        await close_database(restored)
        if db.engine_type != "sqlite":
            admin = await asyncpg.connect(url)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.close()


async def test_a_backup_never_restores_over_a_shop(db, settings, sold, capsys, monkeypatch, tmp_path):
    status, out, _ = await aixin(db, capsys, monkeypatch, settings.database.url, "backup", "--to", str(tmp_path))
    copy = out.splitlines()[0]
    before = await counts(db)
    status, _, err = await aixin(db, capsys, monkeypatch, settings.database.url, "restore", copy)
    assert status == 1 and "nothing restored" in err and "already holds" in err
    assert await counts(db) == before
    status, _, err = await aixin(db, capsys, monkeypatch, settings.database.url, "restore", str(tmp_path / "none"))
    assert status == 1 and "there is no backup" in err
