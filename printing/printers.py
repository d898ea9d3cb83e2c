"""Delivering a print job's bytes to a printer: a spool folder or device, the network, USB or serial.

A network printer can also be asked how it is (DLE EOT: online, cover, paper), so a job is
not sent into a printer that will not print it, and asked again after the job, so a job is
printed only when the printer took every byte and still says it is fine. A printer that
takes nothing for STALL_SECONDS has stalled: the job fails then, not when the sale is long gone.
"""

import os
import re
import socket
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network, Serial, Usb

P = TypeVar("P", bound=Escpos)

KINDS = ("file", "network", "usb", "serial", "none")
STALL_SECONDS = 1.5  # a network printer that neither answers nor takes a byte for this long has stalled


@dataclass(frozen=True)
class PrinterConfig:
    kind: str  # one of KINDS
    path: str = "var/print"  # file: a folder receiving one file per job, or a device such as /dev/usb/lp0
    host: str = ""
    port: int = 9100
    timeout: float = 5.0  # seconds
    usb_vendor: int = 0
    usb_product: int = 0
    serial_device: str = ""
    baudrate: int = 9600
    width: int = 48  # columns: 32 on 58 mm paper, 48 on 80 mm
    encoding: str = "gb18030"
    drawer: bool = True  # a cash drawer hangs on this printer
    ask_status: bool = True  # network: ask DLE EOT before each job (off for printers that never answer)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"printer kind {self.kind!r} is not one of {', '.join(KINDS)}")


class PrintError(Exception):
    """A print job did not reach its printer; the message says why, in a few words."""


class PartlySent(PrintError):
    """A print job failed after its first bytes went to the printer: some of it may have printed."""


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper_out: bool
    paper_low: bool  # near the end of the roll: still prints
    cover_open: bool
    reason: str  # a few words: "ok", "cover open", "paper out", "offline", "paper low", or "unknown"


UNKNOWN_STATUS = PrinterStatus(online=True, paper_out=False, paper_low=False, cover_open=False, reason="unknown")

# DLE EOT n, real-time status transmission: answered at once, even while the printer is busy.
PRINTER_STATUS = b"\x10\x04\x01"  # bit 3: offline
OFFLINE_CAUSE = b"\x10\x04\x02"  # bit 2: cover open, bit 5: printing stopped at the paper's end
PAPER_SENSOR = b"\x10\x04\x04"  # bits 2-3: paper near its end, bits 5-6: paper end
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12  # every answer is 0xx1xx10 in binary


def decode_status(printer: int, offline_cause: int, paper: int) -> PrinterStatus:
    """The answers to DLE EOT 1, 2 and 4 (one byte each), as Epson's ESC/POS reference defines them."""
    for answer in (printer, offline_cause, paper):
        if answer & _FIXED_MASK != _FIXED_BITS:
            raise PrintError(f"printer answered {answer:#04x}, not a status")
    cover_open = bool(offline_cause & 0x04)
    paper_out = bool(offline_cause & 0x20) or (paper & 0x60) == 0x60
    paper_low = (paper & 0x0C) == 0x0C
    online = not (printer & 0x08)
    if cover_open:
        reason = "cover open"
    elif paper_out:
        reason = "paper out"
    elif not online:
        reason = "offline"
    elif paper_low:
        reason = "paper low"
    else:
        reason = "ok"
    return PrinterStatus(online=online, paper_out=paper_out, paper_low=paper_low, cover_open=cover_open, reason=reason)


def query_status(config: PrinterConfig) -> PrinterStatus:
    """Ask a network printer how it is, within config.timeout; other kinds cannot say: UNKNOWN_STATUS.

    PrintError when it cannot be reached or does not answer (a stall: "printer did not answer").
    """
    if config.kind != "network":
        return UNKNOWN_STATUS
    if not config.host:
        raise PrintError("network printer needs host")
    with _opened(Network(config.host, config.port, timeout=config.timeout)) as printer:
        return _read_status(printer.device, config.timeout)


def _read_status(connection: socket.socket, timeout: float) -> PrinterStatus:
    """Send the three queries and read their one-byte answers, all within timeout seconds."""
    deadline = time.monotonic() + timeout
    answers = []
    try:
        for query in (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR):
            connection.sendall(query)
            connection.settimeout(max(0.001, deadline - time.monotonic()))
            answer = connection.recv(1)
            if not answer:
                raise PrintError("printer did not answer")  # it closed the connection
            answers.append(answer[0])
    except TimeoutError as error:
        raise PrintError("printer did not answer") from error
    finally:
        connection.settimeout(timeout)
    return decode_status(*answers)


def _refuse_unless_ready(status: PrinterStatus) -> None:
    if status.cover_open:
        raise PrintError("cover open")
    if status.paper_out:
        raise PrintError("paper out")
    if not status.online:
        raise PrintError("printer offline")


def send(config: PrinterConfig, job_name: str, data: bytes, *, check_status: bool = False,
         started: Callable[[], None] | None = None) -> str | None:
    """Deliver data to the printer; for a spool folder, return the file written.

    Synchronous and possibly slow (up to config.timeout to connect, STALL_SECONDS for each
    wait after): callers run it in a thread. With check_status, a network printer is first
    asked how it is, on the same connection, and nothing is sent when its cover is open, its
    paper out or it is offline (PrintError "cover open", "paper out", "printer offline"); a
    printer that does not answer is PrintError "printer did not answer". After the job it is
    asked again. Other kinds cannot be asked: sent as ever.

    `started` is called just before the first byte of data leaves (the print queue records
    there that the job may print). A failure after that is PartlySent: a printer that hung
    up, reset or stalled during the job, or that said after it that it cannot print.
    """
    started = started or _nothing
    match config.kind:
        case "file":
            return _send_to_path(Path(config.path), job_name, data, started)
        case "network":
            _send_by_network(config, data, check_status=check_status, started=started)
        case "usb":
            _send_by_usb(config, data, started)
        case "serial":
            _send_by_serial(config, data, started)
        case "none":
            started()
    return None


def _nothing() -> None:
    pass


def _send_to_path(path: Path, job_name: str, data: bytes, started: Callable[[], None]) -> str:
    try:
        if path.exists() and stat.S_ISCHR(path.stat().st_mode):
            with path.open("wb") as device:
                started()
                try:
                    device.write(data)
                    device.flush()
                except OSError as error:
                    raise PartlySent(f"cannot write to {path}: {error.strerror or error}") from error
            return str(path)
        if path.is_relative_to("/dev"):
            raise PrintError(f"printer device {path} is missing")
        started()
        return _spool(path, job_name, data)  # whole or not at all: a failure left nothing to print
    except OSError as error:
        raise PrintError(f"cannot write to {path}: {error.strerror or error}") from error


def _spool(folder: Path, job_name: str, data: bytes) -> str:
    """Write one job into the folder atomically: a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]', '_', job_name)}.bin"
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return str(target)


def _send_by_network(config: PrinterConfig, data: bytes, *, check_status: bool,
                     started: Callable[[], None]) -> None:
    if not config.host:
        raise PrintError("network printer needs host")
    stall = min(config.timeout, STALL_SECONDS)
    with _opened(Network(config.host, config.port, timeout=config.timeout)) as printer:
        connection = printer.device
        if check_status:
            _refuse_unless_ready(_read_status(connection, stall))
        started()
        try:
            _write_all(connection, data, stall)
            if check_status:
                _refuse_unless_ready(_read_status(connection, stall))
            else:
                _wait_until_taken(connection, stall)
        except PrintError as error:
            raise PartlySent(f"{error} after the job") from error
        except TimeoutError as error:
            raise PartlySent("printer stopped taking the job") from error
        except ConnectionResetError as error:
            raise PartlySent("printer reset during the job") from error
        except OSError as error:
            raise PartlySent("printer hung up during the job") from error


def _write_all(connection: socket.socket, data: bytes, stall: float) -> None:
    """Every byte into the connection; TimeoutError when the printer takes none for `stall` seconds."""
    connection.settimeout(stall)
    left = memoryview(data)
    while left:
        left = left[connection.send(left):]


def _wait_until_taken(connection: socket.socket, stall: float) -> None:
    """Without a status to ask: say the job is over (FIN) and wait for the printer to hang up, as CUPS's
    socket backend does (waiteof). A reset is an OSError; a printer that keeps the line open past
    `stall` is fine when it has acknowledged every byte (Linux can tell), else TimeoutError."""
    connection.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + stall
    try:
        while True:
            connection.settimeout(max(0.001, deadline - time.monotonic()))
            if not connection.recv(64):  # a printer may say something (its status): not ours to read
                return
    except TimeoutError:
        if _unacknowledged(connection):
            raise


def _unacknowledged(connection: socket.socket) -> int:
    """How many bytes sent the printer has not yet acknowledged (Linux's SIOCOUTQ); 0 where it cannot be asked."""
    if sys.platform != "linux":
        return 0
    from fcntl import ioctl  # Unix only
    from termios import TIOCOUTQ

    return struct.unpack("i", ioctl(connection.fileno(), TIOCOUTQ, b"\0\0\0\0"))[0]


def _send_by_usb(config: PrinterConfig, data: bytes, started: Callable[[], None]) -> None:
    if not Usb.is_usable():
        raise PrintError("USB printing needs python-escpos[usb]")
    if not (config.usb_vendor and config.usb_product):
        raise PrintError("USB printer needs usb_vendor and usb_product")
    timeout_ms = int(config.timeout * 1000)
    with _opened(Usb(config.usb_vendor, config.usb_product, timeout=timeout_ms)) as printer:
        _write_partly(printer, data, started)


def _send_by_serial(config: PrinterConfig, data: bytes, started: Callable[[], None]) -> None:
    if not Serial.is_usable():
        raise PrintError("serial printing needs python-escpos[serial]")
    if not config.serial_device:
        raise PrintError("serial printer needs serial_device")
    with _opened(Serial(config.serial_device, config.baudrate, timeout=config.timeout)) as printer:
        printer.device.write_timeout = config.timeout  # else a printer that is off blocks forever
        _write_partly(printer, data, started)


def _write_partly(printer: Escpos, data: bytes, started: Callable[[], None]) -> None:
    """USB and serial: the job, where a failure after the first byte is PartlySent."""
    started()
    try:
        printer._raw(data)
    except OSError as error:  # USBError, SerialTimeoutException and their kin
        raise PartlySent(f"printer connection failed during the job: {error.strerror or error}") from error


@contextmanager
def _opened(printer: P) -> Iterator[P]:
    """python-escpos's printer, open; its failures become PrintError; closed afterwards."""
    try:
        printer.open()
        yield printer
    except DeviceNotFoundError as error:
        raise PrintError(f"printer not found: {_reason(error)}") from error
    except TimeoutError as error:
        raise PrintError("printer did not answer in time") from error
    except OSError as error:
        raise PrintError(f"printer connection failed: {error.strerror or error}") from error
    finally:
        printer.close()


def _reason(error: DeviceNotFoundError) -> str:
    """The cause in a few words ("Connection refused"), not python-escpos's whole message."""
    cause = error.__context__
    if isinstance(cause, OSError):
        return cause.strerror or str(cause)
    return error.msg.strip().splitlines()[-1]
