"""`aixin serve` stops when told (SIGTERM, as a service manager sends it), whatever a client is doing: a till that
has sent half a request does not hold the shop's restart (uvicorn's graceful stop is bounded, web/cli.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from web.cli import STOP_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_stop_is_not_held_by_a_half_sent_request(tmp_path):
    # given the shop serving on a free port of this machine, and a till that sent half a sale
    port = free_port()
    env = {**os.environ, "AIXIN_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite'}",
           "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"), "AIXIN_PRINTER_PATH": str(tmp_path / "print"),
           "AIXIN_SERVER_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                till = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the shop never listened")
        till.sendall(b"POST /api/sales HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000\r\n\r\n{")
        # when it is told to stop
        server.send_signal(signal.SIGTERM)
        # then it stops by itself, within its bound (the wait below only keeps a hang from stopping the suite)
        server.wait(timeout=STOP_SECONDS + 20)
        assert server.returncode in (0, -signal.SIGTERM)
        till.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
