"""A network printer on 127.0.0.1 for the tests: it keeps what it is sent and can misbehave on demand.

    with FakePrinter() as printer:
        config = PrinterConfig(kind="network", host="127.0.0.1", port=printer.port, timeout=0.5)
        printer.mode = "paper_out"    # "ok", "refuse", "stall", "paper_out", "cover_open", "offline"
        ...
        assert printer.settle() == expected_bytes

- "ok": accepts, keeps every byte, answers DLE EOT queries as a ready printer.
- "refuse": nothing listens on the port (connections are refused); set back to another
  mode, it listens again on the same port.
- "stall": accepts connections but never reads nor answers them.
- "paper_out", "cover_open", "offline" (some other error): answers DLE EOT queries so;
  keeps what it is sent.

DLE EOT queries (10 04 n) at the start of a connection are answered, not kept, as a
printer answers them and prints nothing: `received` is what would be printed. Setting
`mode` returns once the server has taken it up. Everything runs on one thread of its own;
`received`, `queries`, `connections` and `mode` can be read and set from any thread.
"""

from __future__ import annotations

import selectors
import socket
import threading

MODES = ("ok", "refuse", "stall", "paper_out", "cover_open", "offline")

#: DLE EOT n -> the byte answered, per mode (Epson's ESC/POS: fixed bits 0xx1xx10).
ANSWERS = {
    "ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},  # offline, stopped at paper end, both sensors
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},  # offline, cover open
    "offline": {1: 0x1A, 2: 0x52, 3: 0x12, 4: 0x12},  # offline, an error occurred
}
DLE_EOT = b"\x10\x04"


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""  # bytes that may still be the start of a DLE EOT query
        self.querying = True  # until the first byte that is not part of a query


class FakePrinter:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._mode = "ok"
        self._wanted = "ok"
        self._received = bytearray()
        self._queries: list[int] = []
        self._connections = 0
        self._idle_rounds = 0
        self._open: dict[socket.socket, _Connection] = {}
        self._selector = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._stopping = False
        self.port = 0
        self._listen()
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)

    # -- the tests' side -------------------------------------------------------------------------

    def __enter__(self) -> FakePrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._stopping = True
        self._thread.join(timeout=5)
        with self._lock:
            for connection in list(self._open.values()):
                self._drop(connection)
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._selector.close()

    @property
    def mode(self) -> str:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode is one of {MODES}, not {mode!r}")
        with self._lock:
            self._wanted = mode
            if not self._lock.wait_for(lambda: self._mode == mode, timeout=5):
                raise TimeoutError(f"the fake printer did not switch to {mode}")

    @property
    def received(self) -> bytes:
        """Every byte kept so far (DLE EOT queries at the start of a connection left out)."""
        with self._lock:
            return bytes(self._received)

    @property
    def queries(self) -> list[int]:
        """The n of every DLE EOT n answered, in order."""
        with self._lock:
            return list(self._queries)

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        with self._lock:
            return self._connections

    def settle(self, timeout: float = 5.0) -> bytes:
        """received, once every client has closed its connection and all it sent is read.

        A connection not yet accepted counts too: settled is two rounds of the server, both
        begun after this call, that found no connection waiting or open. TimeoutError while
        stalled with a connection open.
        """
        with self._lock:
            start = self._idle_rounds
            if not self._lock.wait_for(lambda: self._idle_rounds >= start + 2, timeout=timeout):
                raise TimeoutError(f"{len(self._open)} connection(s) still open")
            return bytes(self._received)

    # -- the server's thread ---------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ)

    def _serve(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
                if self._wanted != self._mode:
                    self._switch(self._wanted)
                    self._lock.notify_all()
                mode = self._mode
            events = self._selector.select(timeout=0.01)
            for key, _ in events:
                if key.fileobj is self._listener:
                    self._accept()
                elif mode != "stall":
                    self._read(self._open[key.fileobj])  # type: ignore[index]
            with self._lock:
                if not events and not self._open:  # nobody waiting to connect, nobody connected
                    self._idle_rounds += 1
                    self._lock.notify_all()

    def _switch(self, mode: str) -> None:
        """Called with the lock held."""
        if mode == "refuse":
            if self._listener is not None:
                self._selector.unregister(self._listener)
                self._listener.close()
                self._listener = None
            for connection in list(self._open.values()):
                self._drop(connection)  # a printer switched off drops its connections
        elif self._listener is None:
            self._listen()
        self._mode = mode

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        with self._lock:
            self._connections += 1
            self._open[sock] = _Connection(sock)
        self._selector.register(sock, selectors.EVENT_READ)

    def _read(self, connection: _Connection) -> None:
        try:
            chunk = connection.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        with self._lock:
            if not chunk:
                self._drop(connection)
                return
            self._take(connection, chunk)

    def _take(self, connection: _Connection, chunk: bytes) -> None:
        """Called with the lock held: answer leading DLE EOT queries, keep the rest."""
        if not connection.querying:
            self._received += chunk
            return
        data = connection.pending + chunk
        connection.pending = b""
        while connection.querying and data:
            if len(data) < 3 and DLE_EOT.startswith(data[:2]):
                connection.pending = data  # perhaps a query cut in two
                return
            if data[:2] == DLE_EOT and data[2] in (1, 2, 3, 4):
                self._queries.append(data[2])
                answer = ANSWERS.get(self._mode, ANSWERS["ok"])[data[2]]
                try:
                    connection.sock.sendall(bytes([answer]))
                except OSError:
                    pass
                data = data[3:]
            else:
                connection.querying = False
        self._received += data

    def _drop(self, connection: _Connection) -> None:
        """Called with the lock held."""
        if self._open.pop(connection.sock, None) is None:
            return
        self._received += connection.pending
        try:
            self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()
        self._lock.notify_all()
