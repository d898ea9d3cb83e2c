"""A network printer on 127.0.0.1 for the tests: it keeps what it is sent and can misbehave on demand.

    with FakePrinter() as printer:
        config = PrinterConfig(kind="network", host="127.0.0.1", port=printer.port, timeout=0.5)
        printer.mode = "paper_out"    # "ok", "refuse", "stall", "paper_out", "cover_open", "offline"
        printer.cut_after(201, "reset")  # the next connection to bring 201 bytes is reset ("hang_up", "stall")
        ...
        assert printer.settle() == expected_bytes
        assert printer.jobs == [expected_bytes]  # what each connection brought, in order

- "ok": accepts, keeps every byte, answers DLE EOT queries as a ready printer.
- "refuse": nothing listens on the port (connections are refused); set back to another
  mode, it listens again on the same port.
- "stall": accepts connections but never reads nor answers them.
- "paper_out", "cover_open", "offline" (some other error): answers DLE EOT queries so;
  keeps what it is sent.

DLE EOT queries (10 04 n) at the start of a connection are answered, not kept, as a
printer answers them and prints nothing: `received` is what would be printed. So is a query
that ends what a connection sent, once nothing more follows for a moment (a sender asking
after its job and waiting for the answer); the same bytes followed by more are data.

cut_after(n, how) makes the next connection that brings n bytes of data stop reading there
(what came after stays unread: it did not print): "reset" (an abortive close: the sender gets
a reset), "hang_up" (it closes: the system resets what is left unread, or the sender's later
bytes) or "stall" (it stays connected, reading and answering nothing). Once; call it again
for another.

Setting `mode` returns once the server has taken it up. Everything runs on one thread of its
own; `received`, `jobs`, `queries`, `connections` and `mode` can be read and set from any thread.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading

MODES = ("ok", "refuse", "stall", "paper_out", "cover_open", "offline")
CUTS = ("reset", "hang_up", "stall")

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
        self.tail = b""  # the end of what came, held back: perhaps a query after the job (answered when it is quiet)
        self.kept = bytearray()  # what this connection brought, queries left out
        self.stalled = False


class FakePrinter:
    def __init__(self, buffer: int | None = None) -> None:
        """`buffer`: the bytes its connections take in before it reads them (SO_RCVBUF), small as a printer's
        input buffer; None: the system's, large."""
        self._buffer = buffer
        self._lock = threading.Condition()
        self._mode = "ok"
        self._wanted = "ok"
        self._received = bytearray()
        self._queries: list[int] = []
        self._connections = 0
        self._jobs: list[bytearray] = []
        self._cut: tuple[int, str] | None = None
        self._cuts = 0
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
    def jobs(self) -> list[bytes]:
        """What each connection brought (queries left out), in the order they were accepted."""
        with self._lock:
            return [bytes(job) for job in self._jobs]

    def cut_after(self, size: int, how: str) -> None:
        """The next connection to bring `size` bytes is cut there, `how` one of CUTS (see above)."""
        if how not in CUTS:
            raise ValueError(f"a cut is one of {CUTS}, not {how!r}")
        with self._lock:
            self._cut = (size, how)

    @property
    def cuts(self) -> int:
        """How many connections were cut (cut_after)."""
        with self._lock:
            return self._cuts

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
        if self._buffer is not None:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._buffer)
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
            busy = set()
            for key, _ in events:
                if key.fileobj is self._listener:
                    self._accept()
                elif mode != "stall":
                    busy.add(key.fileobj)
                    self._read(self._open[key.fileobj])  # type: ignore[index]
            with self._lock:
                for connection in list(self._open.values()):
                    if mode != "stall" and connection.tail and connection.sock not in busy and not connection.stalled:
                        self._quiet(connection)
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
            self._open[sock] = connection = _Connection(sock)
            self._jobs.append(connection.kept)
        self._selector.register(sock, selectors.EVENT_READ)

    def _read(self, connection: _Connection) -> None:
        with self._lock:  # up to a cut at most: what comes after it is left unread, as a printer stopping leaves it
            size = 65536 if self._cut is None else max(1, min(65536, self._cut[0] - len(connection.kept)))
        try:
            chunk = connection.sock.recv(size)
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
        """Called with the lock held: answer leading DLE EOT queries, keep the rest (a possible query at its end
        held back until it is quiet)."""
        data = connection.pending + chunk
        connection.pending = b""
        while connection.querying and data:
            if len(data) < 3 and DLE_EOT.startswith(data[:2]):
                connection.pending = data  # perhaps a query cut in two
                return
            if data[:2] == DLE_EOT and data[2] in (1, 2, 3, 4):
                self._answer(connection, data[2])
                data = data[3:]
            else:
                connection.querying = False
        if connection.querying:
            return
        data = connection.tail + data
        held = next((len(end) for end in (data[-3:], data[-2:], data[-1:]) if _may_be_a_query(end)), 0)
        connection.tail = data[len(data) - held:] if held else b""
        self._keep(connection, data[:len(data) - held])

    def _quiet(self, connection: _Connection) -> None:
        """Called with the lock held: nothing more came after the tail: a whole query is answered, else kept."""
        tail, connection.tail = connection.tail, b""
        if _is_a_query(tail):
            self._answer(connection, tail[2])
        else:
            self._keep(connection, tail)

    def _answer(self, connection: _Connection, n: int) -> None:
        self._queries.append(n)
        try:
            connection.sock.sendall(bytes([ANSWERS.get(self._mode, ANSWERS["ok"])[n]]))
        except OSError:
            pass

    def _keep(self, connection: _Connection, data: bytes) -> None:
        """Called with the lock held: data printed, unless a cut stops this connection first."""
        if self._cut is not None and len(connection.kept) + len(data) >= self._cut[0]:
            (size, how), self._cut = self._cut, None
            self._cuts += 1
            data = data[:size - len(connection.kept)]
            connection.kept += data
            self._received += data
            self._cut_off(connection, how)
            return
        connection.kept += data
        self._received += data

    def _cut_off(self, connection: _Connection, how: str) -> None:
        """Called with the lock held."""
        connection.tail = connection.pending = b""
        if how == "stall":
            connection.stalled = True
            self._selector.unregister(connection.sock)
            return
        if how == "reset":
            connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._drop(connection, keep_pending=False)  # a hang-up: closed with the rest unread

    def _drop(self, connection: _Connection, keep_pending: bool = True) -> None:
        """Called with the lock held."""
        if self._open.pop(connection.sock, None) is None:
            return
        if keep_pending and not _is_a_query(connection.tail):
            connection.kept += connection.pending + connection.tail
            self._received += connection.pending + connection.tail
        try:
            self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()
        self._lock.notify_all()


def _is_a_query(data: bytes) -> bool:
    return len(data) == 3 and data[:2] == DLE_EOT and data[2] in (1, 2, 3, 4)


def _may_be_a_query(end: bytes) -> bool:
    """Whether `end`, the last bytes that came, may be (the start of) a DLE EOT query."""
    return DLE_EOT.startswith(end) if len(end) < 3 else _is_a_query(end)
