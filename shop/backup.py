"""Backups a volunteer can trust: a consistent copy of the shop's database taken while it is open, and a
restore into an empty database.

SQLite: the file is copied page by page through SQLite's online backup API (the copy is itself a database, as
it was at one moment, whatever the tills write meanwhile), then checked with `PRAGMA integrity_check`.
PostgreSQL: `pg_dump --format=custom` (one consistent snapshot), checked by `pg_restore --list`; it restores
with `pg_restore`. The caller runs the books' own rules on the copy (`aixin backup` runs verify() on it).
A copy is written under a `.partial` name and takes its own name only once checked, so a copy cut short (a full
disk, a stop, a power cut) is never taken for a backup. The folder keeps `keep_days` of them (`prune`).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from shop.database import sqlite_path


class BackupError(Exception):
    """A backup or a restore that could not be made: the sentence says why."""


_NAMED = re.compile(r"aixin-(\d{8}-\d{6})\.(sqlite|dump)")
PARTIAL = ".partial"


def _name(now: datetime, suffix: str) -> str:
    return f"aixin-{now:%Y%m%d-%H%M%S}{suffix}"


def backups_in(folder: Path) -> list[tuple[datetime, Path]]:
    """The backups in `folder` (aixin-YYYYMMDD-HHMMSS.sqlite|.dump), newest first, with the local time of each."""
    found = []
    for path in folder.glob("aixin-*") if folder.is_dir() else ():
        if (named := _NAMED.fullmatch(path.name)) and path.is_file():
            found.append((datetime.strptime(named.group(1), "%Y%m%d-%H%M%S"), path))
    return sorted(found, reverse=True)


def prune(folder: Path, *, keep_days: int, now: datetime) -> list[Path]:
    """Delete the backups older than `keep_days` (never the newest) and copies cut short a day ago; those deleted."""
    older = now - timedelta(days=keep_days)
    gone = [path for at, path in backups_in(folder)[1:] if at < older]
    gone += [path for path in folder.glob(f"aixin-*{PARTIAL}")
             if datetime.fromtimestamp(path.stat().st_mtime) < now - timedelta(days=1)]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def backup(url: str, folder: Path, *, now: datetime | None = None) -> Path:
    """Copy the database at `url` into `folder` (made when missing); the copy's path, once it has been checked."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot make the folder {folder}: {error.strerror}") from error
    now = now or datetime.now()
    sqlite = sqlite_path(url)
    target = folder / _name(now, ".sqlite" if sqlite is not None else ".dump")
    partial = target.with_name(target.name + PARTIAL)
    try:
        if sqlite is not None:
            _copy_sqlite(sqlite, partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", url], "pg_dump")
            _run(["pg_restore", "--list", str(partial)], "pg_restore --list")
        partial.rename(target)
    except (sqlite3.Error, OSError) as error:
        why = getattr(error, "strerror", None) or error
        raise BackupError(f"the copy {target} could not be written: {why}") from error
    finally:
        partial.unlink(missing_ok=True)
    return target


def _copy_sqlite(path: Path, target: Path) -> None:
    if not path.exists():
        raise BackupError(f"there is no database file at {path}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        if (found := copy.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            raise BackupError(f"the copy {target} does not check out: {found}")
    finally:
        copy.close()
        source.close()


def restore(file: Path, url: str) -> None:
    """Restore a backup into the database at `url`, which must hold no tables yet (a new file or database)."""
    if not file.exists():
        raise BackupError(f"there is no backup at {file}")
    if (path := sqlite_path(url)) is not None:
        if path.exists() and _sqlite_tables(path):
            raise BackupError(f"{path} already holds a shop's tables: restore into a new file")
        if file.suffix != ".sqlite":
            raise BackupError(f"{file} is not a SQLite backup (aixin-….sqlite)")
        path.parent.mkdir(parents=True, exist_ok=True)
        source, copy = sqlite3.connect(f"file:{file}?mode=ro", uri=True), sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    if file.suffix != ".dump":
        raise BackupError(f"{file} is not a PostgreSQL backup (aixin-….dump)")
    tables = _run(["psql", "--no-psqlrc", "--tuples-only", "--no-align", "--command",
                   "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", url], "psql").strip()
    if tables != "0":
        raise BackupError(f"the database {urlsplit(url).path.lstrip('/')} already holds tables: restore into a "
                          "new, empty database")
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(file)], "pg_restore")


def _sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def _run(command: list[str], what: str) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-300:]}")
    return done.stdout
