"""`aixin serve` stops when told (SIGTERM, as a service manager sends it) within STOP_SECONDS, whatever clients do, and
cuts off a client that sends its request too slowly (web/serving.py): headers never finished, a body half-sent, a
request dribbled a byte at a time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from web.cli import STOP_SECONDS

READ_SECONDS = 3  # the shop's bound (web/serving.py, 10 s) lowered for the slow clients' test: it waits it out

ROOT = Path(__file__).resolve().parents[2]
HALF_HEADERS = b"GET /login HTTP/1.1\r\nHost: shop\r\nAccept: text/html\r\n"
HALF_BODY = b"POST /login HTTP/1.1\r\nHost: shop\r\nContent-Type: application/x-www-form-urlencoded\r\n" \
            b"Content-Length: 1000\r\n\r\nusername=cash"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(tmp_path: Path, read_seconds: float | None = None) -> Iterator[tuple[subprocess.Popen, int]]:
    """The shop serving on a free port of this machine, once it listens; its bound on reading a request lowered to
    `read_seconds` if given."""
    port = free_port()
    env = {**os.environ, "AIXIN_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite'}",
           "AIXIN_SERVER_DATA_DIR": str(tmp_path / "var"), "AIXIN_PRINTER_PATH": str(tmp_path / "print"),
           "AIXIN_SERVER_PORT": str(port), "AIXIN_READ_SECONDS": str(read_seconds or "")}
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the shop never listened")
        yield server, port
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def client(port: int, sent: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=1)
    connection.sendall(sent)
    return connection


def closed_after(connection: socket.socket, *, dribble: bytes = b"", within: float) -> float:
    """Seconds until the server closes `connection` (reading whatever it answers), sending `dribble` a byte every
    second meanwhile; fails after `within`."""
    start = time.monotonic()
    connection.settimeout(1)
    while time.monotonic() - start < within:
        try:
            if not connection.recv(65536):
                return time.monotonic() - start
        except TimeoutError:
            if dribble:
                try:
                    connection.sendall(dribble[:1])
                except OSError:
                    return time.monotonic() - start
                dribble = dribble[1:] or b" "
        except ConnectionResetError:
            return time.monotonic() - start
    raise AssertionError(f"the connection was still open after {within} s")


def test_a_client_that_sends_its_request_too_slowly_is_cut_off(tmp_path):
    with serving(tmp_path, read_seconds=READ_SECONDS) as (server, port), ThreadPoolExecutor() as watch:
        # given clients that never finish their headers, never finish their body, or dribble headers byte by byte
        stalled, half_body, dribbling = (client(port, HALF_HEADERS), client(port, HALF_BODY),
                                         client(port, b"GET /login HTTP/1.1\r\n"))
        cut = [watch.submit(closed_after, stalled, within=READ_SECONDS + 5),
               watch.submit(closed_after, half_body, within=READ_SECONDS + 5),
               watch.submit(closed_after, dribbling, dribble=b"Host: shop\r\nX-Slow: " + b"a" * 100,
                            within=READ_SECONDS + 5)]
        # then the shop still answers others meanwhile
        fine = client(port, b"GET /login HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        fine.settimeout(10)
        assert fine.recv(100).startswith(b"HTTP/1.1 200")
        # and each slow one is cut off once READ_SECONDS have passed, not before
        for seconds in (future.result() for future in cut):
            assert READ_SECONDS - 0.5 <= seconds <= READ_SECONDS + 2
        for connection in (stalled, half_body, dribbling, fine):
            connection.close()


def test_a_stop_is_not_held_by_slow_or_half_sent_requests(tmp_path):
    with serving(tmp_path) as (server, port):
        # given tills holding half-sent requests: headers, a sale's body, a form's body the app is waiting for
        holding = [client(port, HALF_HEADERS),
                   client(port, b"POST /api/sales HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000\r\n\r\n{"),
                   client(port, HALF_BODY)]
        time.sleep(0.5)
        # when the shop is told to stop
        told = time.monotonic()
        server.send_signal(signal.SIGTERM)
        # then it has stopped within STOP_SECONDS (the wait below only keeps a hang from stopping the suite)
        server.wait(timeout=STOP_SECONDS + 20)
        assert time.monotonic() - told <= STOP_SECONDS
        assert server.returncode in (0, -signal.SIGTERM)
        for connection in holding:
            connection.close()
