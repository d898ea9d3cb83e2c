"""`aixin serve --workers N`: several processes sharing the port on PostgreSQL, the start-up work done once by the
parent; refused on SQLite, the single shop's one-process database."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli import run_cli
from tests.web.test_serve_stops import free_port
from web.cli import STOP_SECONDS
from web.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _environment(tmp_path: Path, url: str, port: int) -> dict[str, str]:
    return {**os.environ, "AIXIN_DATABASE_URL": url, "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"),
            "AIXIN_PRINTER_PATH": str(tmp_path / "print"), "AIXIN_SERVER_PORT": str(port),
            "AIXIN_BACKUP_AUTOMATIC": "false"}


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.postgres_only  # SQLite refuses it (below)
async def test_serve_with_two_workers_on_postgresql_serves_from_two_processes_and_stops(db, settings, tmp_path):
    # given the demo shop in an empty PostgreSQL database (`db`)
    port = free_port()
    demo = run_cli(["demo"], _environment(tmp_path, settings.database.url, port))  # in this process: tests/cli.py
    assert demo.returncode == 0, demo.stderr
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--workers", "2"], cwd=ROOT,
                              env=_environment(tmp_path, settings.database.url, port), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()
            try:
                if _get(port, "/login") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the shop never answered"
            time.sleep(0.2)
        # both workers up: two processes under the one that listens, each answering
        deadline = time.monotonic() + 30
        while len(workers := [p for p in _children(server.pid) if "spawn" in Path(f"/proc/{p}/cmdline").read_text(
                errors="replace")]) < 2:
            assert time.monotonic() < deadline, f"workers: {workers}"
            time.sleep(0.2)
        assert len(workers) == 2
        assert all(_get(port, "/login") == 200 for _ in range(20))
        # and a manager logged in on one worker is logged in on the other: one key signs the sessions of both
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_keepalive_connections=0),
                          timeout=10) as browser:
            browser.get("/login")
            login = browser.post("/login", data={"username": "manager", "password": DEMO_PASSWORD,
                                                 "_csrf_token": browser.cookies["csrftoken"]})
            assert login.status_code in (302, 303), login.text
            assert [browser.get("/api/health/").status_code for _ in range(20)] == [200] * 20
        # when told to stop, as a service manager does, it stops at once with its workers
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=STOP_SECONDS + 5) == 0
        out, err = server.communicate()
        assert "open at http://" in out
        assert "Traceback" not in err, err
        assert not [p for p in workers if Path(f"/proc/{p}").exists()]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_with_two_workers_on_sqlite_is_refused(tmp_path):
    port = free_port()
    refused = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--workers", "2"], cwd=ROOT,
                             env=_environment(tmp_path, f"sqlite:///{tmp_path / 'shop.sqlite'}", port),
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "--workers 2 needs PostgreSQL" in refused.stderr
    assert not (tmp_path / "shop.sqlite").exists()  # refused before anything was done
