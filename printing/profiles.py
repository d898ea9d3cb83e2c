"""What one printer needs to print right: its profile, and how to reach it (its connection).

Chinese thermal printers differ. Some take GB18030 in their Chinese mode (FS &), some GBK,
some UTF-8; some need the Chinese mode switched on and some print garbage when it is; the
drawer hangs on pin 2 or pin 5; the paper is 58 mm (32 columns) or 80 mm (48). A profile
says which, found by printing the test page (printing/test_page.py) and reading it.

A connection is written as one line, as the `aixin printer` command and the printers page
take it: tcp://192.168.1.50:9100, usb:0416:5011, serial:/dev/ttyUSB0 (or
serial:/dev/ttyUSB0@19200), file:/dev/usb/lp0 or file:var/print (a spool folder).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from printing.printers import PrinterConfig


class PrinterSetupError(StrEnum):
    """Mistakes made setting up a printer; the web layer words them."""

    BAD_CONNECTION = "printer-bad-connection"  # connection, reason
    BAD_NAME = "printer-bad-name"  # maximum
    NAME_TAKEN = "printer-name-taken"  # name
    UNKNOWN_PRINTER = "unknown-printer"  # printer
    BAD_PROFILE = "printer-bad-profile"  # key, value
    BAD_DRAWER_PULSE = "printer-bad-drawer-pulse"  # minimum, maximum
    BAD_TEST_LINE = "printer-bad-test-line"  # line, lines
    BAD_RULER = "printer-bad-ruler"  # columns
    BAD_PLACE = "printer-bad-place"  # place
    NO_RASTER_FONT = "printer-no-raster-font"  # key, path
    UNREACHABLE = "printer-unreachable"  # reason


class SetupError(ValueError):
    """A printer setting is wrong: `code` (PrinterSetupError) and the `params` its message needs."""

    def __init__(self, code: PrinterSetupError, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else str(code))
        self.code = code
        self.params = params


CHINESE_ENCODINGS = ("gb18030", "gbk", "utf-8")
COLUMNS = (32, 48)  # 58 mm and 80 mm paper
DRAWER_PINS = (2, 5)
PULSE_MS = (2, 510)  # ESC p counts in 2 ms steps, one byte each


def encoding_name(encoding: str) -> str:
    """The codec's canonical name ("GB18030" -> "gb18030", "utf8" -> "utf-8", "CP437" -> "cp437")."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as error:
        raise SetupError(PrinterSetupError.BAD_PROFILE, key="encoding", value=encoding) from error


@dataclass(frozen=True)
class PrinterProfile:
    """How one printer wants its bytes. The defaults are what most Chinese 80 mm printers take.

    encoding: "gb18030", "gbk", "utf-8" or a Western single-byte code page ("cp437", "cp1252").
    chinese_mode: send FS & before a line's text and FS . after it (gb18030 and gbk only).
    columns: 32 (58 mm) or 48 (80 mm). cut: the printer has a cutter (else the paper is fed
    past the tear bar). drawer: a cash drawer hangs on it, kicked on drawer_pin (2 or 5) for
    drawer_on_ms, then drawer_off_ms. native_barcodes: the printer draws barcodes (GS k), else
    they are sent as images. raster_chinese: lines with Chinese are sent as images drawn with
    the CJK font `font` (a path; "" looks in the usual places, printing/raster_text.py).
    """

    encoding: str = "gb18030"
    chinese_mode: bool = True
    columns: int = 48
    cut: bool = True
    drawer: bool = True
    drawer_pin: int = 2
    drawer_on_ms: int = 100
    drawer_off_ms: int = 100
    native_barcodes: bool = True
    raster_chinese: bool = False
    font: str = ""

    def __post_init__(self) -> None:
        encoding = encoding_name(self.encoding)
        if encoding != self.encoding:
            object.__setattr__(self, "encoding", encoding)
        if encoding not in CHINESE_ENCODINGS and "中".encode(encoding, errors="ignore"):
            raise SetupError(PrinterSetupError.BAD_PROFILE, key="encoding", value=self.encoding)
        try:
            "A".encode(encoding)
        except UnicodeEncodeError as error:  # e.g. utf-16: not a printer's encoding
            raise SetupError(PrinterSetupError.BAD_PROFILE, key="encoding", value=self.encoding) from error
        if self.chinese_mode and encoding not in ("gb18030", "gbk"):
            raise SetupError(PrinterSetupError.BAD_PROFILE, key="chinese_mode", value=encoding)
        if self.columns not in COLUMNS:
            raise SetupError(PrinterSetupError.BAD_PROFILE, key="columns", value=str(self.columns))
        if self.drawer_pin not in DRAWER_PINS:
            raise SetupError(PrinterSetupError.BAD_PROFILE, key="drawer_pin", value=str(self.drawer_pin))
        for pulse in (self.drawer_on_ms, self.drawer_off_ms):
            if not (PULSE_MS[0] <= pulse <= PULSE_MS[1] and pulse % 2 == 0):
                raise SetupError(PrinterSetupError.BAD_DRAWER_PULSE, minimum=PULSE_MS[0], maximum=PULSE_MS[1])

    @classmethod
    def plain(cls, *, encoding: str, width: int = 48) -> PrinterProfile:
        """The profile a document got before profiles: Chinese mode for gb18030, none for a code page."""
        encoding = encoding_name(encoding)
        return cls(encoding=encoding, chinese_mode=encoding in ("gb18030", "gbk"), columns=width)

    @property
    def paper_mm(self) -> int:
        return 58 if self.columns == 32 else 80

    def drawer_pulse(self) -> bytes:
        """ESC p m t1 t2: m 0 is pin 2, 1 is pin 5; t1, t2 in units of 2 ms."""
        return b"\x1bp" + bytes([0 if self.drawer_pin == 2 else 1, self.drawer_on_ms // 2, self.drawer_off_ms // 2])

    def fields(self) -> dict[str, Any]:
        """The stored fields (the font is the machine's, not the printer's)."""
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


PROFILE_FIELDS = ("encoding", "chinese_mode", "columns", "cut", "drawer", "drawer_pin", "drawer_on_ms",
                  "drawer_off_ms", "native_barcodes", "raster_chinese")


def with_font(profile: PrinterProfile, font: str) -> PrinterProfile:
    return profile if profile.font == font else replace(profile, font=font)


# -- connections ------------------------------------------------------------------------------

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


def parse_connection(text: str, *, timeout: float = 5.0) -> PrinterConfig:
    """A PrinterConfig (its connection only) from tcp://host[:port], usb:VID:PID (hex),
    serial:/dev/… [@baud] or file:/path; SetupError BAD_CONNECTION with the reason otherwise."""
    text = text.strip()

    def bad(reason: str) -> SetupError:
        return SetupError(PrinterSetupError.BAD_CONNECTION, connection=text[:80], reason=reason)

    scheme, _, rest = text.partition(":")
    match scheme.lower():
        case "tcp":
            if not rest.startswith("//"):
                raise bad("tcp://host:port")
            address = rest[2:].rstrip("/")
            host, _, port = address.rpartition(":") if ":" in address else (address, "", "9100")
            if not _HOST.match(host):
                raise bad("host")
            if not (port.isdigit() and 1 <= int(port) <= 65535):
                raise bad("port")
            return PrinterConfig(kind="network", host=host, port=int(port), timeout=timeout)
        case "usb":
            vendor, _, product = rest.partition(":")
            try:
                vendor_id, product_id = int(vendor, 16), int(product, 16)
            except ValueError as error:
                raise bad("usb:VID:PID") from error
            if not (0 < vendor_id <= 0xFFFF and 0 < product_id <= 0xFFFF):
                raise bad("usb:VID:PID")
            return PrinterConfig(kind="usb", usb_vendor=vendor_id, usb_product=product_id, timeout=timeout)
        case "serial":
            device, _, baud = rest.partition("@")
            if not device.startswith("/dev/") and not re.fullmatch(r"COM\d{1,3}", device):
                raise bad("serial device")
            if baud and not (baud.isdigit() and int(baud) in _BAUDS):
                raise bad("baud")
            return PrinterConfig(kind="serial", serial_device=device, baudrate=int(baud or 9600), timeout=timeout)
        case "file":
            if not rest or "\x00" in rest:
                raise bad("path")
            return PrinterConfig(kind="file", path=rest, timeout=timeout)
    raise bad("tcp:// usb: serial: file:")


def connection_text(config: PrinterConfig) -> str:
    """The connection of config as one line (the inverse of parse_connection)."""
    match config.kind:
        case "network":
            return f"tcp://{config.host}:{config.port}"
        case "usb":
            return f"usb:{config.usb_vendor:04x}:{config.usb_product:04x}"
        case "serial":
            return f"serial:{config.serial_device}" + (f"@{config.baudrate}" if config.baudrate != 9600 else "")
        case "file":
            return f"file:{config.path}"
    return "none"
