"""A disk that really fills up, for the tests of a full one: a tmpfs of a few hundred kB mounted for one test.

Mounting needs root, as the tests run in CI on this machine; elsewhere these tests skip, saying why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(size_kb: int, *, owner: str = "") -> Iterator[Path]:
    """A fresh, empty disk of `size_kb` mounted on a folder of /tmp (owned by the user `owner`, if named)."""
    where = Path(tempfile.mkdtemp(prefix="aixin-small-disk-"))
    where.chmod(0o755)  # another user (the PostgreSQL server) reaches inside
    options = f"size={size_kb}k"
    if owner:
        import pwd

        account = pwd.getpwnam(owner)
        options += f",uid={account.pw_uid},gid={account.pw_gid},mode=0700"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True)
    if done.returncode != 0:
        where.rmdir()
        pytest.skip(f"a small disk cannot be mounted here ({done.stderr.strip() or done.returncode}): a full disk is "
                    "tested where the tests run as root, as in CI")
    try:
        yield where
    finally:
        subprocess.run(["umount", "--lazy", str(where)], check=True)
        where.rmdir()


def fill(disk: Path) -> Path:
    """Write a file that takes every free byte of `disk`; delete it to give the space back."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(descriptor)
    return filler
