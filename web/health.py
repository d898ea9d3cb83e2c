"""Is the shop's data safe on its machine? The automatic daily backup while `aixin serve` runs, the free space of
the disks the shop writes to, and the warnings about both on the manager's page and at GET /api/health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, get
from piccolo.engine.base import Engine

from shop.backup import backups_in, prune
from shop.database import checkpoint, sqlite_path
from shop.settings import Settings
from shop.staff import Role
from web.auth import requires_role
from web.i18n import N_, gettext
from web.shopfront import Front, Shopfront, locale_of

log = logging.getLogger("aixin")

DAY = timedelta(days=1)
RETRY = timedelta(hours=1)  # after a failed automatic backup, the next try
OLD_BACKUP = timedelta(days=2)  # the manager is warned when the newest backup is older
LOW_DISK_BYTES = 1024**3  # … or a disk the shop writes to has less than 1 GiB free,
LOW_DISK_SHARE = 0.05  # or less than 5 % of it, if that is less (a small volume)
WHEN = "%Y-%m-%d %H:%M"
KEEPER_LOCK = "aixin:daily-backup"  # held by the one server process that makes the daily backups (PostgreSQL)


@dataclass(frozen=True)
class BackupFailure:
    at: datetime
    reason: str  # what `aixin backup` said
    code: str  # the manager's warning: backup-failed, backup-disk-full or no-pg-dump


@dataclass
class DailyBackups:
    """One backup a day into the backup folder: when the server starts, if the newest backup is a day old, then a
    day after each. Each is made by `aixin backup` in a child process, so it is made and checked exactly as a
    volunteer's, the server's requests never wait for it, and a stop ends it at once (a copy cut short keeps its
    `.partial` name). Then backups older than `[backup] keep_days` are deleted and SQLite's log is emptied."""

    settings: Settings
    engine: Engine
    failure: BackupFailure | None = None
    _task: asyncio.Task | None = field(default=None, repr=False)
    _keeper: Any = field(default=None, repr=False)  # PostgreSQL: the connection holding KEEPER_LOCK

    @property
    def folder(self) -> Path:
        return self.settings.backup_folder

    def start(self) -> None:
        if self.settings.backup.automatic:
            self._task = asyncio.create_task(self._daily(), name="aixin-daily-backup")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._keeper is not None:
            await self._keeper.close()  # the lock goes with it: another server takes over the backups
            self._keeper = None

    async def keeps_backups(self) -> bool:
        """Whether this process makes the daily backups. Of all the server processes on one PostgreSQL
        (`aixin serve --workers N`, several app servers) one does: the one holding KEEPER_LOCK, a session advisory
        lock on a connection of its own, for as long as it runs; when it stops or dies the lock goes with its
        connection, and another takes it within the hour. SQLite: one process, which does."""
        url = self.settings.database.url
        if sqlite_path(url) is not None:
            return True
        if self._keeper is not None and not self._keeper.is_closed():
            return True
        connection = await asyncpg.connect(url)
        if await connection.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", KEEPER_LOCK):
            self._keeper = connection
            return True
        await connection.close()
        return False

    def due(self) -> datetime:
        newest = backups_in(self.folder)
        at = newest[0][0] + DAY if newest else datetime.now()
        return max(at, self.failure.at + RETRY) if self.failure else at

    async def _daily(self) -> None:
        while True:
            try:
                keeper = await self.keeps_backups()
            except (OSError, asyncpg.PostgresError) as error:  # the database out of reach: asked again in an hour
                log.warning("the daily backup cannot ask the database who makes it: %s", error)
                keeper = False
            if not keeper:  # another server process makes them; asked again each hour, in case it stopped
                await asyncio.sleep(3600)
                continue
            if (wait := (self.due() - datetime.now()).total_seconds()) > 0:
                # looked at again each hour: a clock put right, a backup made by hand meanwhile
                await asyncio.sleep(min(wait, 3600))
                continue
            await self.make()

    async def make(self) -> Path | None:
        """One backup now, checked; the copy, or None when it failed (self.failure says why)."""
        started = datetime.now()
        url = self.settings.database.url
        if sqlite_path(url) is None and shutil.which("pg_dump") is None:
            self._failed(started, "pg_dump is not installed", "no-pg-dump")
            return None
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "web.cli", "backup", "--to", str(self.folder),
            env={**os.environ, "AIXIN_DATABASE_URL": url}, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await child.communicate()
        finally:
            if child.returncode is None:  # the server is stopping
                child.kill()
                await child.wait()
        lines = out.decode(errors="replace").splitlines()
        if child.returncode != 0:
            said = err.decode(errors="replace").strip().splitlines() or lines[-1:] or ["no reason given"]
            reason = said[-1].removeprefix("aixin: ").removeprefix("backup not made: ")
            full = "No space left on device" in reason or "disk is full" in reason
            self._failed(started, reason, "backup-disk-full" if full else "backup-failed")
            return None
        self.failure = None
        copy = Path(lines[0])
        log.info("automatic backup checked: %s", copy)
        for old in prune(self.folder, keep_days=self.settings.backup.keep_days, now=started):
            log.info("backup older than %d days deleted: %s", self.settings.backup.keep_days, old)
        await checkpoint(self.engine)
        return copy

    def _failed(self, at: datetime, reason: str, code: str) -> None:
        self.failure = BackupFailure(at=at, reason=reason, code=code)
        log.error("the automatic backup failed: %s", reason)


@dataclass(frozen=True)
class Disk:
    path: str  # a folder the shop writes to
    free_bytes: int
    total_bytes: int

    @property
    def nearly_full(self) -> bool:
        return self.free_bytes < min(LOW_DISK_BYTES, self.total_bytes * LOW_DISK_SHARE)


def disks(settings: Settings) -> list[Disk]:
    """The disks of the database file (SQLite), the data folder and the backup folder, each once."""
    folders = [Path(settings.server.data_dir), settings.backup_folder]
    if (database := sqlite_path(settings.database.url)) is not None:
        folders.insert(0, database.parent)
    found: dict[int, Disk] = {}
    for folder in (folder.resolve() for folder in folders):
        existing = folder
        while not existing.exists():
            existing = existing.parent
        if (device := existing.stat().st_dev) not in found:
            usage = shutil.disk_usage(existing)
            found[device] = Disk(path=str(folder), free_bytes=usage.free, total_bytes=usage.total)
    return list(found.values())


# What the manager is warned about, and what to do.
WARNINGS = {
    "no-backup": N_("There is no backup of the shop's data in {folder} yet. The automatic backup makes the first one "
                    "a few minutes after the server starts; reload this page, or make one with: aixin backup"),
    "no-backup-manual": N_("There is no backup of the shop's data in {folder}, and automatic backups are off "
                           "([backup] automatic in config.toml): make one with: aixin backup"),
    "backup-old": N_("The newest backup is from {when}, {days} days ago ({path}). Check that the automatic backup "
                     "works, or make one with: aixin backup"),
    "backup-failed": N_("The automatic backup at {when} failed: {reason}. The tills keep selling; it is tried again "
                        "every hour."),
    "backup-disk-full": N_("The automatic backup at {when} failed: the disk of {folder} is full. Free some space, or "
                           "set [backup] folder to another disk; it is tried again every hour."),
    "no-pg-dump": N_("Automatic backups cannot be made: pg_dump is not installed on this server (sudo apt-get "
                     "install postgresql-client)."),
    "disk-nearly-full": N_("The disk of {path} is nearly full: {free} free of {total}. Free some space now: on a full "
                           "disk the tills cannot save sales."),
}


class HealthWarning(msgspec.Struct, frozen=True):
    code: str
    detail: str


class BackupOut(msgspec.Struct, frozen=True):
    path: str
    at: datetime


class FailureOut(msgspec.Struct, frozen=True):
    at: datetime
    reason: str


class BackupsOut(msgspec.Struct, frozen=True):
    folder: str
    automatic: bool
    keep_days: int
    newest: BackupOut | None
    failure: FailureOut | None


class DiskOut(msgspec.Struct, frozen=True):
    path: str
    free_bytes: int
    total_bytes: int
    nearly_full: bool


class HealthOut(msgspec.Struct, frozen=True):
    backups: BackupsOut
    disks: list[DiskOut]
    warnings: list[HealthWarning]


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GB"
    return f"{count / 1024**2:.1f} MB" if count < 10 * 1024**2 else f"{count // 1024**2} MB"


def health(settings: Settings, backups: DailyBackups | None, locale: str, *, now: datetime | None = None) -> HealthOut:
    """The backups and disks of the shop, and a sentence for each thing the manager should see to."""
    now = now or datetime.now()
    folder, failure = settings.backup_folder.resolve(), backups.failure if backups else None  # where, in full
    found: list[tuple[str, dict]] = []
    newest = backups_in(folder)
    if failure and newest and newest[0][0] > failure.at:  # made by hand since: the failure is behind the shop
        failure = None
    if failure:
        found.append((failure.code, {"when": f"{failure.at:{WHEN}}", "reason": failure.reason, "folder": str(folder)}))
    if not newest:
        found.append(("no-backup" if settings.backup.automatic else "no-backup-manual", {"folder": str(folder)}))
    elif now - newest[0][0] > OLD_BACKUP:
        found.append(("backup-old", {"when": f"{newest[0][0]:{WHEN}}", "days": (now - newest[0][0]).days,
                                     "path": str(newest[0][1])}))
    shop_disks = disks(settings)
    found += [("disk-nearly-full", {"path": d.path, "free": _size(d.free_bytes), "total": _size(d.total_bytes)})
              for d in shop_disks if d.nearly_full]
    return HealthOut(
        backups=BackupsOut(folder=str(folder), automatic=settings.backup.automatic, keep_days=settings.backup.keep_days,
                           newest=BackupOut(path=str(newest[0][1]), at=newest[0][0]) if newest else None,
                           failure=FailureOut(at=failure.at, reason=failure.reason) if failure else None),
        disks=[DiskOut(path=d.path, free_bytes=d.free_bytes, total_bytes=d.total_bytes, nearly_full=d.nearly_full)
               for d in shop_disks],
        warnings=[HealthWarning(code=code, detail=gettext(locale, WARNINGS[code]).format(**params))
                  for code, params in found])


def health_of(request: Request, front: Shopfront) -> HealthOut:
    """The shop's health, in the language of the person asking."""
    return health(front.settings, request.app.state.get("backups"), locale_of(request))


class HealthApi(Controller):
    path = "/api/health"
    opt = requires_role(Role.MANAGER)
    tags = ["health"]

    @get("/", summary="Backups and disk space: the newest backup, the last automatic one that failed, the free "
                      "space of each disk the shop writes to, and a warning sentence for each thing to see to")
    async def current(self, request: Request, front: Front) -> HealthOut:
        return health_of(request, front)
