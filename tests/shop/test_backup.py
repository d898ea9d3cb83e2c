"""`aixin backup` and `aixin restore` through the command line, on both engines: a copy taken while the shop is
open holds the same books (the copy itself passes verify()), and it restores only into an empty database. A copy cut
short is never taken for a backup; old backups are deleted after [backup] keep_days."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from shop.backup import BackupError, backup, backups_in, prune
from shop.database import bind, run
from shop.settings import SettingsError, load_settings
from tests.small_disk import fill, small_disk
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
                          idempotency_key=f"backup-sale-{n:04d}", rules=till_rules(settings))
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


async def test_a_backup_that_does_not_fit_on_its_disk_leaves_nothing_that_looks_like_a_backup(db, settings, sold):
    with small_disk(256) as disk:
        filler = fill(disk)
        # when the shop's database is copied onto a full disk, then it says so
        full = "database or disk is full" if db.engine_type == "sqlite" else "No space left on device"
        with pytest.raises(BackupError, match=full):
            await asyncio.to_thread(backup, settings.database.url, disk)
        # and the folder holds no copy, whole or partial
        assert list(disk.iterdir()) == [filler]


def test_backups_past_keep_days_are_deleted_but_never_the_newest(tmp_path):
    now = datetime(2026, 12, 6, 3, 0)

    def made(days: float, suffix: str = ".sqlite") -> Path:
        path = tmp_path / f"aixin-{now - timedelta(days=days):%Y%m%d-%H%M%S}{suffix}"
        path.write_bytes(b"copy")
        return path

    # given backups of 1, 13 and 15 days ago, a copy cut short two days ago, and a file that is not a backup
    kept, edge, old = made(1), made(13), made(15, ".dump")
    cut_short = made(2, ".sqlite.partial")
    os.utime(cut_short, (now.timestamp() - 2 * 86400,) * 2)
    (tmp_path / "notes.txt").write_text("mine")
    # when the folder is pruned to 14 days, then only the old one and the copy cut short are gone
    assert sorted(prune(tmp_path, keep_days=14, now=now)) == sorted([old, cut_short])
    assert [path for _, path in backups_in(tmp_path)] == [kept, edge] and (tmp_path / "notes.txt").exists()
    # and a lone backup is never deleted, however old
    assert prune(tmp_path, keep_days=1, now=now + timedelta(days=100)) == [edge]
    assert [path for _, path in backups_in(tmp_path)] == [kept]


@pytest.mark.parametrize("environ, sentence", [
    ({"AIXIN_BACKUP_KEEP_DAYS": "0"}, "setting backup.keep_days is wrong"),
    ({"AIXIN_BACKUP_AUTOMATIC": "sometimes"}, "setting backup.automatic is wrong"),
    ({"AIXIN_BACKUP_FOLDER": "{file}"}, "setting backup.folder is wrong: '{file}' is a file, not a folder"),
])
def test_bad_backup_settings_stop_start_up_saying_which(environ, sentence, tmp_path):
    file = tmp_path / "usb"
    file.write_text("a file")
    environ = {name: value.format(file=file) for name, value in environ.items()}
    with pytest.raises(SettingsError, match=sentence.format(file=file).replace(".", r"\.").replace("(", r"\(")):
        load_settings(Path(__file__).resolve().parents[2] / "config.toml", environ=environ)
