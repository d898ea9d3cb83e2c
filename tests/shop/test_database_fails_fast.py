"""A database that cannot be opened stops the shop at once, saying which and why: `aixin serve` and `aixin verify`
exit with status 2 and a sentence (a service manager can restart or alert), never hang with a thread left over."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from shop.database import DatabaseUnavailable, engine_for, open_database

ROOT = Path(__file__).resolve().parents[2]


async def test_a_file_that_is_no_database_is_refused_and_leaves_no_thread(tmp_path):
    # given a file of random bytes where the shop's database should be
    path = tmp_path / "shop.sqlite"
    path.write_bytes(os.urandom(20_000))
    threads = threading.active_count()
    # when it is opened, then it is refused with its name and why, and no connection thread is left running
    with pytest.raises(DatabaseUnavailable, match=f"{path}.*not a database"):
        await open_database(engine_for(f"sqlite:///{path}"))
    for _ in range(100):  # a closed connection's thread ends a moment after close() returns: not left running
        if threading.active_count() == threads:
            break
        await asyncio.sleep(0.01)
    assert threading.active_count() == threads


def aixin(*argv: str, url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIXIN_DATABASE_URL": url, "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"),
           "AIXIN_SERVER_PORT": "18731"}
    # the timeout only stops a hang from stopping the suite: the command is expected to end by itself
    return subprocess.run([sys.executable, "-m", "web.cli", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("command", ["verify", "serve"])
def test_serve_and_verify_exit_saying_why_when_the_database_cannot_be_opened(command, tmp_path):
    corrupt = tmp_path / "shop.sqlite"
    corrupt.write_bytes(os.urandom(20_000))
    cases = {
        f"sqlite:///{corrupt}": f"cannot open the database file {corrupt}: file is not a database",
        f"sqlite:///{corrupt}/inside/shop.sqlite": "cannot make the folder of the database file",
        "postgres://postgres@127.0.0.1:1/test": "cannot reach the PostgreSQL database on 127.0.0.1",
    }
    for url, sentence in cases.items():
        done = aixin(command, url=url, tmp_path=tmp_path)
        assert done.returncode == 2, (url, done.stderr[-500:])
        assert sentence in done.stderr and "Traceback" not in done.stderr, done.stderr[-500:]
