"""Delivering a print job's bytes to a printer: a spool folder or device, the network, USB or serial."""

import os
import re
import stat
import tempfile
from collections.abc import Iterator
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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"printer kind {self.kind!r} is not one of {', '.join(KINDS)}")


class PrintError(Exception):
    """A print job did not reach its printer; the message says why, in a few words."""


def send(config: PrinterConfig, job_name: str, data: bytes) -> str | None:
    """Deliver data to the printer; for a spool folder, return the file written.

    Synchronous and possibly slow (up to config.timeout): callers run it in a thread.
    """
    match config.kind:
        case "file":
            return _send_to_path(Path(config.path), job_name, data)
        case "network":
            _send_by_network(config, data)
        case "usb":
            _send_by_usb(config, data)
        case "serial":
            _send_by_serial(config, data)
        case "none":
            pass
    return None


def _send_to_path(path: Path, job_name: str, data: bytes) -> str:
    try:
        if path.exists() and stat.S_ISCHR(path.stat().st_mode):
            with path.open("wb") as device:
                device.write(data)
            return str(path)
        if path.is_relative_to("/dev"):
            raise PrintError(f"printer device {path} is missing")
        return _spool(path, job_name, data)
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


def _send_by_network(config: PrinterConfig, data: bytes) -> None:
    if not config.host:
        raise PrintError("network printer needs host")
    with _opened(Network(config.host, config.port, timeout=config.timeout)) as printer:
        printer._raw(data)


def _send_by_usb(config: PrinterConfig, data: bytes) -> None:
    if not Usb.is_usable():
        raise PrintError("USB printing needs python-escpos[usb]")
    if not (config.usb_vendor and config.usb_product):
        raise PrintError("USB printer needs usb_vendor and usb_product")
    timeout_ms = int(config.timeout * 1000)
    with _opened(Usb(config.usb_vendor, config.usb_product, timeout=timeout_ms)) as printer:
        printer._raw(data)


def _send_by_serial(config: PrinterConfig, data: bytes) -> None:
    if not Serial.is_usable():
        raise PrintError("serial printing needs python-escpos[serial]")
    if not config.serial_device:
        raise PrintError("serial printer needs serial_device")
    with _opened(Serial(config.serial_device, config.baudrate, timeout=config.timeout)) as printer:
        printer.device.write_timeout = config.timeout  # else a printer that is off blocks forever
        printer._raw(data)


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
