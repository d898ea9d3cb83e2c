"""The daily automatic backup while the shop runs, and what the manager's page (and GET /api/health) warns about: no
backup, an old one, a failed automatic one and why, pg_dump missing, a disk nearly full."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from shop.backup import backups_in
from shop.settings import BackupSettings, DatabaseSettings
from tests.small_disk import small_disk
from tests.web.conftest import client_of, running, Till
from web.app import create_app
from web.health import DailyBackups, health


def with_backups(settings, folder: Path, *, automatic: bool, keep_days: int = 14):
    return msgspec.structs.replace(settings, backup=BackupSettings(automatic=automatic, folder=str(folder),
                                                                   keep_days=keep_days))


def named(folder: Path, at: datetime, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"aixin-{at:%Y%m%d-%H%M%S}{suffix}"
    path.write_bytes(b"an older backup")
    return path


async def manager_of(app) -> Till:
    till = Till(app, client_of(app), None)
    response = await till.login("manager", "manager-pw")
    assert response.status_code in (302, 303), response.text
    return till


async def test_the_shop_backs_itself_up_when_it_starts_and_deletes_backups_past_keep_days(
        db, settings, goods, tmp_path):
    # given automatic backups kept 14 days, a backup 20 days old and one 3 days old
    folder = tmp_path / "backups"
    suffix = ".sqlite" if db.engine_type == "sqlite" else ".dump"
    now = datetime.now()
    too_old, recent = named(folder, now - timedelta(days=20), suffix), named(folder, now - timedelta(days=3), suffix)
    settings = with_backups(settings, folder, automatic=True)
    # when the shop starts
    async with running(create_app(settings, engine=db)) as app:
        backups: DailyBackups = app.state["backups"]
        for _ in range(600):  # the first backup is made at once, by `aixin backup` in a child process
            if not too_old.exists() or backups.failure is not None:
                break
            await asyncio.sleep(0.1)
        # then a new backup, checked, is in the folder; the one past keep_days is gone, the recent one is kept
        assert backups.failure is None
        (newest, copy), *rest = backups_in(folder)
        assert now - timedelta(minutes=1) < newest and [path for _, path in rest] == [recent] and not too_old.exists()
        if db.engine_type == "sqlite":
            with sqlite3.connect(copy) as check:
                assert check.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 4
        # and the next is due a day after it
        assert backups.due() == newest + timedelta(days=1)
        # and the manager's page names it, with no warning about backups
        till = await manager_of(app)
        page = (await till.get("/manager/")).text
        assert str(copy) in page and "warning-no-backup" not in page and "warning-backup-" not in page
        await till.client.aclose()


async def test_the_manager_is_warned_of_no_backup_then_of_an_old_one(db, settings, goods, tmp_path):
    folder = tmp_path / "backups"
    settings = with_backups(settings, folder, automatic=False)
    async with running(create_app(settings, engine=db)) as app:
        till = await manager_of(app)
        # given no backup at all: the page says so, and how to make one (automatic backups being off)
        page = (await till.get("/manager/")).text
        assert "warning-no-backup-manual" in page and "aixin backup" in page and str(folder) in page
        # given a backup three days old: the page says when and where it is
        old = named(folder, datetime.now() - timedelta(days=3, minutes=5), ".sqlite")
        page = (await till.get("/manager/")).text
        assert "warning-backup-old" in page and str(old) in page and "已经 3 天了" in page
        # and the API says the same, in English for a manager who chose English
        await till.get("/lang/en")
        found = (await till.get("/api/health")).json()
        assert found["backups"]["newest"]["path"] == str(old) and found["backups"]["keep_days"] == 14
        assert [w["code"] for w in found["warnings"]] == ["backup-old"]
        assert found["warnings"][0]["detail"].startswith("The newest backup is from ")
        await till.client.aclose()


async def test_a_failed_automatic_backup_is_shown_with_why_and_tried_again(db, settings, goods, tmp_path):
    # given a backup folder that cannot be made (a file is in the way)
    (tmp_path / "usb").write_text("not a folder")
    settings = with_backups(settings, tmp_path / "usb" / "backups", automatic=False)
    async with running(create_app(settings, engine=db)) as app:
        backups: DailyBackups = app.state["backups"]
        # when the automatic backup runs
        assert await backups.make() is None
        # then the manager sees when it failed and why; it is tried again within the hour
        assert "cannot make the folder" in backups.failure.reason
        assert backups.due() == backups.failure.at + timedelta(hours=1)
        till = await manager_of(app)
        page = (await till.get("/manager/")).text
        assert "warning-backup-failed" in page and "自动备份失败了" in page and "cannot make the folder" in page
        # when the file in the way is gone, then the next try makes the backup and the warning goes
        (tmp_path / "usb").unlink()
        assert (await backups.make()).parent == tmp_path / "usb" / "backups" and backups.failure is None
        page = (await till.get("/manager/")).text
        assert "warning-backup-failed" not in page and "warning-no-backup" not in page
        await till.client.aclose()


async def test_without_pg_dump_the_manager_is_told_automatic_backups_cannot_be_made(settings, tmp_path, monkeypatch):
    # given a shop on PostgreSQL on a server where pg_dump is not installed
    settings = msgspec.structs.replace(with_backups(settings, tmp_path / "backups", automatic=True),
                                       database=DatabaseSettings(url="postgres://postgres@127.0.0.1:5432/test"))
    monkeypatch.setenv("PATH", str(tmp_path))
    backups = DailyBackups(settings, engine=None)
    # when the automatic backup runs, then it fails saying so, and the manager's warning says how to install it
    assert await backups.make() is None
    warnings = {w.code: w.detail for w in health(settings, backups, "zh_CN").warnings}
    assert "没有安装 pg_dump" in warnings["no-pg-dump"] and "postgresql-client" in warnings["no-pg-dump"]


def test_a_disk_nearly_full_is_named_with_its_free_space(settings, tmp_path):
    with small_disk(4096) as disk:
        # given the backups on a disk with less than 5 % free
        settings = with_backups(settings, disk / "backups", automatic=False)
        (disk / "photos").write_bytes(b"\0" * (3950 * 1024))
        # then the manager is warned, naming the folder and what is left
        warnings = {w.code: w.detail for w in health(settings, None, "en").warnings}
        assert warnings["disk-nearly-full"].startswith(f"The disk of {disk / 'backups'} is nearly full: ")
        assert "MB free of 4.0 MB" in warnings["disk-nearly-full"]
    # and a disk with room is not mentioned
    assert "disk-nearly-full" not in {w.code for w in health(settings, None, "en").warnings}
