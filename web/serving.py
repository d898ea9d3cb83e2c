"""How `aixin serve` meets its clients: uvicorn's HTTP protocol with the bound on reading a request it lacks.

uvicorn (0.55) bounds the wait for the next request on a kept connection (timeout_keep_alive, from the end of an
answer until the first byte of the next request) and a stop (timeout_graceful_shutdown), and no more: a client that
sends half its headers, or half its body, and then nothing (or a byte now and then) holds its connection for ever.
`BoundedReads` closes such a connection: a request's line and headers must have come whole READ_SECONDS after the
connection opened (or after the previous answer on it), and its body may pause no longer than READ_SECONDS and must
have come whole REQUEST_SECONDS after that start. A request received whole is answered in the app's own time.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

READ_SECONDS = float(os.environ.get("AIXIN_READ_SECONDS") or 10)  # lowered only by the tests of this bound
REQUEST_SECONDS = 60  # a 10 MB catalogue file over a slow Wi-Fi link still gets through


class BoundedReads(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's own protocol (httptools, or h11 without it), closing a connection whose request does not come."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_at = self.loop.time()
        self._watch(answered=None)

    def data_received(self, data: bytes) -> None:
        self._read_at = self.loop.time()
        super().data_received(data)

    def on_response_complete(self) -> None:
        answered = self.cycle  # a pipelined request may start inside, once this one is done
        super().on_response_complete()
        self._watch(answered)

    def _watch(self, answered: Any) -> None:
        """From now on, the next request (the one after `answered`) must come within the bounds."""
        since = self.loop.time()

        def check() -> None:
            if self.transport.is_closing():
                return
            if self.cycle is answered:  # its headers have not all come
                limit = since + READ_SECONDS
            elif self.cycle.more_body:  # its body is coming
                limit = min(self._read_at + READ_SECONDS, since + REQUEST_SECONDS)
            else:  # whole: the app answers it, and on_response_complete watches for the next
                return
            if (left := limit - self.loop.time()) <= 0:
                self.transport.close()
            else:
                self.loop.call_later(left, check)

        self.loop.call_later(READ_SECONDS, check)


# -- several processes: `aixin serve --workers N` ------------------------------------------------------------------

SERVE_HTTPS = "AIXIN_SERVER_HTTPS"  # set by the parent when it serves over TLS: its workers' cookies are Secure too


def workers_refused(url: str, workers: int) -> str | None:
    """Why `--workers N` cannot run on this database, or None. SQLite is the single shop's database: one process
    writes it (its one writer, shop/database.py), so one server process serves it."""
    from shop.database import sqlite_path

    if workers < 1:
        return "--workers must be 1 or more"
    if workers > 1 and sqlite_path(url) is not None:
        return (f"--workers {workers} needs PostgreSQL: SQLite is the single shop's database and one server process "
                "serves it (set [database] url to a postgres:// address to run several)")
    return None

