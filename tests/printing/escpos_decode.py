"""Our own ESC/POS reader for the tests: bytes back into printed lines and events.

Independent of python-escpos. It knows the commands our documents send (text, styles,
barcodes by GS k, QR codes by GS ( k, raster images by GS v 0, cut, drawer) and raises DecodeError on anything
else, so a test cannot pass by skipping over garbage. An image comes back as its dots
(tests/printing/samples.py turns it into a picture zbar can scan).
"""

from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

ESC, FS, GS, LF, NUL = 0x1B, 0x1C, 0x1D, 0x0A, 0x00

#: ESC t n -> codec, for the code pages the tests use.
CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252"}
ALIGNMENTS = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
HRI_POSITIONS = {0: "none", 48: "none", 1: "above", 49: "above", 2: "below", 50: "below"}
HRI_POSITIONS |= {3: "both", 51: "both"}


class DecodeError(Exception):
    pass


@dataclass(frozen=True)
class Line:
    """A printed line and the style it printed in (width/height: size multipliers)."""

    text: str
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"
    raw: bytes = field(default=b"", compare=False)  # the text's bytes as sent (no commands): read them in any encoding
    chinese_mode: bool = field(default=False, compare=False)  # the line began in Chinese mode (FS &)


@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class Feed:
    lines: int


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class Drawer:
    pin: int
    on_ms: int
    off_ms: int


@dataclass(frozen=True)
class Barcode:
    system: int  # GS k m
    data: str
    hri: str
    align: str
    module_dots: int | None = field(default=None, compare=False)  # GS w, if sent since ESC @
    height_dots: int | None = field(default=None, compare=False)  # GS h, if sent since ESC @


@dataclass(frozen=True)
class Image:
    """A GS v 0 raster bit image: width and height in dots, rows of width // 8 bytes, 1 = a black dot."""

    width: int
    height: int
    bits: bytes
    density: int  # GS v 0 m: 0 normal, 1 double width, 2 double height, 3 both
    align: str

    def dot(self, x: int, y: int) -> bool:
        return bool(self.bits[y * (self.width // 8) + x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True)
class QrCode:
    """A QR code printed by GS ( k (function 181): the data stored before it (function 180), its settings."""

    data: str
    align: str
    module_dots: int | None = field(default=None, compare=False)  # function 167
    error_correction: str | None = field(default=None, compare=False)  # function 169: "L", "M", "Q" or "H"
    model: int | None = field(default=None, compare=False)  # function 165


Event = Init | Feed | Cut | Drawer | Barcode | Image | QrCode

#: GS k systems whose data must be an EAN-13 (12 digits, or 13 with the check digit).
EAN13_SYSTEMS = {2: "function A", 67: "function B"}


@dataclass
class Printout:
    lines: list[Line] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def decode(data: bytes) -> Printout:
    return _Reader(data).read()


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.printout = Printout()
        self.pending = ""
        self.pending_raw = b""
        self.pending_style: Line | None = None
        self._reset()

    def _reset(self) -> None:
        self.bold = False
        self.width = 1
        self.height = 1
        self.align = "left"
        self.code_page = 0
        self.chinese = False
        self.hri = "none"
        self.module_dots: int | None = None
        self.height_dots: int | None = None
        self.qr_data: str | None = None
        self.qr_settings: dict[str, int | str] = {}

    def read(self) -> Printout:
        while self.position < len(self.data):
            self._step()
        if self.pending:
            raise DecodeError(f"text {self.pending!r} not ended by LF")
        return self.printout

    def _take(self, count: int = 1) -> bytes:
        if self.position + count > len(self.data):
            raise DecodeError(f"stream ends inside a command at byte {self.position}")
        chunk = self.data[self.position : self.position + count]
        self.position += count
        return chunk

    def _byte(self) -> int:
        return self._take()[0]

    def _fail(self, what: str) -> DecodeError:
        nearby = self.data[max(0, self.position - 8) : self.position + 8].hex(" ")
        return DecodeError(f"{what} at byte {self.position} (near {nearby})")

    def _step(self) -> None:
        byte = self._byte()
        if byte == LF:
            self._end_line()
        elif byte == ESC:
            self._esc(self._byte())
        elif byte == GS:
            self._gs(self._byte())
        elif byte == FS:
            self._fs(self._byte())
        elif byte < 0x20 or byte == 0x7F:
            raise self._fail(f"unknown control byte {byte:#04x}")
        else:
            self._text(byte)

    def _esc(self, command: int) -> None:
        match chr(command):
            case "@":
                if self.pending:
                    raise self._fail("ESC @ would throw away unprinted text")
                self._reset()
                self.printout.events.append(Init())
            case "a":
                self.align = self._lookup(ALIGNMENTS, self._byte(), "ESC a")
            case "E":
                self.bold = self._lookup({0: False, 1: True}, self._byte(), "ESC E")
            case "!":
                mode = self._byte()
                self.bold = bool(mode & 0x08)
                self.height = 2 if mode & 0x10 else 1
                self.width = 2 if mode & 0x20 else 1
            case "t":
                self.code_page = self._lookup({n: n for n in CODE_PAGES}, self._byte(), "ESC t")
            case "d":
                if self.pending:
                    self._end_line()
                self.printout.events.append(Feed(self._byte()))
            case "p":
                pin = self._lookup({0: 2, 48: 2, 1: 5, 49: 5}, self._byte(), "ESC p")
                on, off = self._take(2)
                self.printout.events.append(Drawer(pin, on * 2, off * 2))
            case _:
                raise self._fail(f"unknown command ESC {command:#04x}")

    def _gs(self, command: int) -> None:
        match chr(command):
            case "!":
                size = self._byte()
                self.width, self.height = (size >> 4) + 1, (size & 0x0F) + 1
            case "V":
                self._cut(self._byte())
            case "k":
                self._barcode(self._byte())
            case "H":
                self.hri = self._lookup(HRI_POSITIONS, self._byte(), "GS H")
            case "h":
                self.height_dots = self._nonzero(self._byte(), "GS h")
            case "w":
                self.module_dots = self._lookup({n: n for n in range(1, 7)}, self._byte(), "GS w")
            case "f":
                self._lookup({0: 0, 1: 1, 48: 0, 49: 1}, self._byte(), "GS f")
            case "v":
                self._raster()
            case "(":
                if self._byte() != ord("k"):
                    raise self._fail("GS ( is only known as GS ( k")
                self._two_dimensional()
            case _:
                raise self._fail(f"unknown command GS {command:#04x}")

    def _fs(self, command: int) -> None:
        match chr(command):
            case "&":
                self.chinese = True
            case ".":
                self.chinese = False
            case _:
                raise self._fail(f"unknown command FS {command:#04x}")

    def _cut(self, mode: int) -> None:
        if self.pending:
            raise self._fail("cut through unprinted text")
        if mode in (65, 66):
            self.printout.events.append(Feed(self._byte()))
            mode -= 65
        partial = self._lookup({0: False, 48: False, 1: True, 49: True}, mode, "GS V")
        self.printout.events.append(Cut(partial))

    def _barcode(self, system: int) -> None:
        if self.pending:
            raise self._fail("barcode inside unprinted text")
        if system <= 6:
            end = self.data.find(bytes([NUL]), self.position)
            if end < 0:
                raise self._fail("barcode data without its NUL")
            raw = self._take(end - self.position)
            self._take()
        elif 65 <= system <= 78:
            raw = self._take(self._byte())
        else:
            raise self._fail(f"unknown barcode system {system}")
        try:
            data = raw.decode("ascii")
        except UnicodeDecodeError as error:
            raise self._fail("barcode data not ASCII") from error
        if system in EAN13_SYSTEMS and not (len(data) in (12, 13) and data.isdigit()):
            raise self._fail(f"EAN-13 ({EAN13_SYSTEMS[system]}) of {data!r}")
        self.printout.events.append(
            Barcode(system, data, self.hri, self.align, module_dots=self.module_dots, height_dots=self.height_dots)
        )

    def _two_dimensional(self) -> None:
        """GS ( k pL pH cn fn [parameters]: cn 49 is a QR code; store (80) its data, print (81) it."""
        if self.pending:
            raise self._fail("QR code inside unprinted text")
        length = int.from_bytes(self._take(2), "little")
        if length < 2:
            raise self._fail("GS ( k too short")
        cn, fn, *rest = self._take(length)
        if cn != 49:
            raise self._fail(f"GS ( k symbol {cn} unknown")
        match fn, rest:
            case 65, [model, 0]:
                self.qr_settings["model"] = self._lookup({49: 1, 50: 2, 51: 3}, model, "QR model")
            case 67, [size]:
                self.qr_settings["module_dots"] = self._lookup({n: n for n in range(1, 17)}, size, "QR size")
            case 69, [level]:
                self.qr_settings["error_correction"] = self._lookup(dict(zip(range(48, 52), "LMQH")), level, "QR level")
            case 80, [48, *data] if data:
                try:
                    self.qr_data = bytes(data).decode("utf-8")
                except UnicodeDecodeError as error:
                    raise self._fail("QR data not UTF-8") from error
            case 81, [48]:
                if self.qr_data is None:
                    raise self._fail("QR code printed without its data")
                self.printout.events.append(QrCode(self.qr_data, self.align, **self.qr_settings))
            case _:
                raise self._fail(f"GS ( k QR function {fn} with {bytes(rest)!r} unknown")

    def _raster(self) -> None:
        """GS v 0 m xL xH yL yH d1...dk: k = x * y bytes, x bytes a row."""
        if self.pending:
            raise self._fail("raster image inside unprinted text")
        if self._byte() != ord("0"):
            raise self._fail("GS v is only known as GS v 0")
        density = self._lookup({0: 0, 1: 1, 2: 2, 3: 3, 48: 0, 49: 1, 50: 2, 51: 3}, self._byte(), "GS v 0")
        width_bytes = self._nonzero(int.from_bytes(self._take(2), "little"), "GS v 0 width")
        height = self._nonzero(int.from_bytes(self._take(2), "little"), "GS v 0 height")
        bits = self._take(width_bytes * height)
        self.printout.events.append(Image(width_bytes * 8, height, bits, density, self.align))

    def _nonzero(self, value: int, command: str) -> int:
        if value == 0:
            raise self._fail(f"{command} 0")
        return value

    def _text(self, first: int) -> None:
        if not self.pending:
            self.pending_style = Line("", self.bold, self.width, self.height, self.align, chinese_mode=self.chinese)
        if not self.chinese:
            self.pending += bytes([first]).decode(CODE_PAGES[self.code_page])
            self.pending_raw += bytes([first])
            return
        if first < 0x80:
            self.pending += chr(first)
            self.pending_raw += bytes([first])
            return
        if first in (0x80, 0xFF) or self.position >= len(self.data):
            raise self._fail(f"not GB18030: {first:#04x}")
        four_bytes = 0x30 <= self.data[self.position] <= 0x39
        sequence = bytes([first]) + self._take(3 if four_bytes else 1)
        try:
            self.pending += sequence.decode("gb18030")
        except UnicodeDecodeError as error:
            raise self._fail(f"not GB18030: {sequence.hex(' ')}") from error
        self.pending_raw += sequence

    def _end_line(self) -> None:
        style = (
            self.pending_style if self.pending else Line("", self.bold, self.width, self.height, self.align)
        )
        assert style is not None
        self.printout.lines.append(Line(self.pending, style.bold, style.width, style.height, style.align,
                                        raw=self.pending_raw, chinese_mode=style.chinese_mode))
        self.pending = ""
        self.pending_raw = b""
        self.pending_style = None

    def _lookup(self, table: dict[int, T], value: int, command: str) -> T:
        if value not in table:
            raise self._fail(f"{command} {value} unknown")
        return table[value]
