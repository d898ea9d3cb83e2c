"""The ESC/POS byte stream of one print job.

python-escpos's Dummy printer supplies the commands it gets right (alignment, bold, size,
CODE128, EAN-13, QR codes, cut, drawer); text is ours, since its code page guessing mangles Chinese
shops' lines such as "￥12.50"; so are raster images (GS v 0), since its image() prints
to stdout when the profile does not know the paper's width, as the default one does not.
"""

import codecs
import re
from typing import Literal

from escpos.capabilities import get_profile
from escpos.printer import Dummy
from PIL import Image

from printing.layout import YUAN_SIGN, columns
from printing.printable import for_gbk
from printing.profiles import PrinterProfile

CHINESE = "gb18030"

CHINESE_MODE_ON = b"\x1c\x26"  # FS &
CHINESE_MODE_OFF = b"\x1c\x2e"  # FS .
SELECT_CODE_PAGE = b"\x1b\x74"  # ESC t n
LINE_FEED = b"\n"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode's control characters (category Cc), never sent as text
RASTER_IMAGE = b"\x1dv0\x00"  # GS v 0 m=0: normal density, then xL xH yL yH and the rows
RASTER_BAND_ROWS = 960  # a taller image goes as several GS v 0, as python-escpos's image() sends it
_INVERT = bytes(255 - n for n in range(256))

DOTS_PER_COLUMN = 12  # Font A: 32 columns on 384 dots (58 mm), 48 on 576 (80 mm)
QR_MODULE_DOTS = 6  # a QR code's module at most 0.75 mm: a phone reads it from a crumpled receipt
QR_QUIET_MODULES = 4  # the white margin a QR code needs on each side, in modules


def _codec_name(code_page: str) -> str | None:
    try:
        return codecs.lookup(code_page).name
    except LookupError:  # "Unknown", and a few pages Python has no codec for
        return None


#: ESC t numbers of the code pages python-escpos's default profile knows, by Python codec name.
CODE_PAGES: dict[str, int] = {
    codec: int(number)
    for name, number in get_profile("default").get_code_pages().items()
    if (codec := _codec_name(name)) is not None
}

Align = Literal["left", "center", "right"]


def start_job(*, width: int, encoding: str, profile: PrinterProfile | None) -> tuple["EscPos", int]:
    """A document's print job and its width in columns: the printer's profile when there is one,
    else width and encoding (the profile before printers had profiles)."""
    if profile is None:
        return EscPos(encoding=encoding), width
    return EscPos(profile=profile), profile.columns


class EscPos:
    """One print job, started from the printer's defaults (ESC @), for a printer of `profile`.

    Without a profile, encoding says it: "gb18030" for a printer in Chinese mode (FS &), or
    a single-byte code page ("cp437", "cp1252", ...) for a Western printer.
    """

    def __init__(self, *, encoding: str | None = None, profile: PrinterProfile | None = None) -> None:
        if profile is None:
            if encoding is None:
                raise ValueError("a print job needs an encoding or a printer profile")
            try:
                profile = PrinterProfile.plain(encoding=encoding)
            except ValueError as error:
                raise ValueError(f"{encoding} is neither gb18030 nor a single-byte code page") from error
        self.profile = profile
        self.encoding = profile.encoding
        self._printer = Dummy(profile="default")
        self._printer.hw("INIT")
        self._style = (False, 1, 1)  # bold, width, height: what raster lines are drawn in
        self._raster_lines: list[tuple[str, bool, int, int]] = []

    def text_line(self, text: str) -> None:
        """Print one line of text and feed.

        Control characters become spaces, so text can never send a command; "¥" (U+00A5)
        becomes "￥". In gb18030 or gbk with the Chinese mode every line goes as FS & ... FS .;
        in utf-8 (or gb18030 on a printer that is in Chinese mode by itself) as it is. In
        gb18030 and gbk a character GBK lacks (emoji, "𠀀") goes as the two-column placeholder
        "□", never as four bytes the printer prints as garbage (printing/printable.py). On a
        Western printer, a character its code page lacks becomes "?" ("￥" becomes "Y"),
        padded to the same number of columns so the columns still line up. With the profile's
        raster_chinese, a line that is not plain ASCII is drawn as an image instead, with the
        same columns (printing/raster_text.py).
        """
        text = _CONTROL.sub(" ", text)
        text = text.replace("\u00a5", YUAN_SIGN)
        if self.profile.raster_chinese and not text.isascii():
            self._raster_lines.append((text, *self._style))
            return
        self._flush_raster()
        self._printer._raw(self.encode_text(text, self.encoding, chinese_mode=self.profile.chinese_mode) + LINE_FEED)

    def encode_text(self, text: str, encoding: str, *, chinese_mode: bool) -> bytes:
        """text's bytes for a printer taking `encoding`, with its mode commands (no line feed)."""
        if encoding in ("gb18030", "gbk"):
            encoded = for_gbk(text).encode(encoding)
            return CHINESE_MODE_ON + encoded + CHINESE_MODE_OFF if chinese_mode else encoded
        if encoding == "utf-8":
            return text.encode(encoding, errors="replace")
        code_page = CODE_PAGES.get(encoding)
        select = b"" if code_page is None else SELECT_CODE_PAGE + bytes([code_page])
        return select + "".join(self._western(ch, encoding) for ch in text).encode(encoding)

    def line_as(self, text: str, *, encoding: str, chinese_mode: bool) -> None:
        """One line in an encoding and mode of its own (the test page's candidates)."""
        self._flush_raster()
        self._printer._raw(self.encode_text(text, encoding, chinese_mode=chinese_mode) + LINE_FEED)

    def _flush_raster(self) -> None:
        """The raster lines waiting, as one image (they are drawn together, then sent before the next command)."""
        if not self._raster_lines:
            return
        from printing.raster_text import text_image  # Pillow's fonts only when a profile asks for them

        lines, self._raster_lines = self._raster_lines, []
        self._raw_image(text_image(lines, columns=self.profile.columns, font=self.profile.font))

    @staticmethod
    def _western(ch: str, encoding: str) -> str:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            if ch == YUAN_SIGN:
                return "Y".rjust(columns(ch))
            return "?" * columns(ch)
        return ch

    def align(self, where: Align) -> None:
        """ESC a n."""
        self._flush_raster()
        self._printer.set(align=where)

    def bold(self, on: bool) -> None:
        """ESC E n."""
        self._flush_raster()
        self._style = (on, *self._style[1:])
        self._printer.set(bold=on)

    def size(self, *, double_width: bool = False, double_height: bool = False) -> None:
        """GS ! n: many Chinese printers ignore ESC ! for Chinese characters."""
        self._flush_raster()
        self._style = (self._style[0], 2 if double_width else 1, 2 if double_height else 1)
        self._printer.set(custom_size=True, width=2 if double_width else 1, height=2 if double_height else 1)

    def feed(self, lines: int) -> None:
        """ESC d n."""
        self._flush_raster()
        self._printer.print_and_feed(lines)

    def barcode_code128(self, data: str, *, fit_columns: int) -> None:
        """A CODE128 barcode (code set B) drawn by the printer, its text printed below.

        data is printable ASCII (else ValueError). The bars are made as wide (2 or 3 dots)
        as fits in fit_columns text columns. A profile without native barcodes gets the same
        bars as an image (centred on the paper), the text below as a line.
        """
        if not (data and data.isascii() and data.isprintable()):
            raise ValueError(f"a CODE128 barcode holds printable ASCII, not {data!r}")
        self._flush_raster()
        modules = 11 * (len(data) + 2) + 13 + 20  # start, data, check, stop, quiet zones
        module_dots = min(3, max(2, fit_columns * DOTS_PER_COLUMN // modules))
        if not self.profile.native_barcodes:
            from printing.barcodes import code128_image
            from printing.raster import centred_image, paper_dots

            self._raw_image(centred_image(code128_image(data, module_dots=module_dots), paper_dots(fit_columns)))
            self._printer._raw(data.encode("ascii") + LINE_FEED)
            return
        # _hw_barcode is what barcode() calls for the default profile, without barcode()'s
        # print() to stdout and its fallback to raster images on other profiles.
        self._printer._hw_barcode(
            "{B" + data, "CODE128", width=module_dots, pos="BELOW", align_ct=False, function_type="B"
        )

    def barcode_ean13(self, code: str, *, module_dots: int = 3, height_dots: int = 80) -> None:
        """An EAN-13 drawn by the printer, its digits printed below (GS k 2: function A, NUL-ended).

        code is 13 digits whose check digit the caller has checked: printers differ in what they
        do with a wrong one (recompute it, or print nothing), so it must never reach them.
        """
        if not (len(code) == 13 and code.isascii() and code.isdigit()):
            raise ValueError(f"an EAN-13 is 13 digits, not {code!r}")
        self._flush_raster()
        self._printer._hw_barcode(
            code, "EAN13", height=height_dots, width=module_dots, pos="BELOW", align_ct=False, function_type="A"
        )

    def qr_code(self, data: str, *, fit_columns: int) -> None:
        """A QR code of data (error correction M), centred, with a blank line above and below.

        Drawn by the printer (GS ( k, python-escpos's qr(native=True)), or on a profile without native
        barcodes as an image, made as python-escpos's qr(native=False) makes it (the qrcode library) and sent
        centred on the paper like the CODE128 image: its own image path prints to stdout on the default profile
        and selects code page 0. Each module is as many dots (3 to 6) as lets the code and a quiet zone of four
        modules each side fit in fit_columns text columns; ValueError when even 3 do not.
        """
        if not data:
            raise ValueError("a QR code holds some text")
        import qrcode
        from escpos.constants import QR_ECLEVEL_M

        self._flush_raster()
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_MODULES)
        code.add_data(data)
        code.make(fit=True)
        module_dots = min(QR_MODULE_DOTS, fit_columns * DOTS_PER_COLUMN // (code.modules_count + 2 * QR_QUIET_MODULES))
        if module_dots < 3:
            raise ValueError(f"a QR code of {len(data)} characters does not fit {fit_columns} columns")
        self._printer._raw(LINE_FEED)
        if self.profile.native_barcodes:
            self.align("center")
            self._printer.qr(data, ec=QR_ECLEVEL_M, size=module_dots, native=True)
            self._printer._raw(LINE_FEED)
            self.align("left")
        else:
            from printing.raster import centred_image, paper_dots

            code.box_size = module_dots
            image = code.make_image().get_image().convert("1")
            self._raw_image(centred_image(image, paper_dots(fit_columns)))
        self._printer._raw(LINE_FEED)

    def raster(self, image: Image.Image) -> None:
        """A 1-bit image (Pillow mode "1": 0 black, printed) as GS v 0 raster bit images.

        The width is padded with white to whole bytes; images taller than RASTER_BAND_ROWS go
        in bands. The same bytes as python-escpos's image(impl="bitImageRaster").
        """
        self._flush_raster()
        self._raw_image(image)

    def _raw_image(self, image: Image.Image) -> None:
        if image.mode != "1":
            raise ValueError(f"a raster image is 1-bit (mode '1'), not mode {image.mode!r}")
        width_bytes = (image.width + 7) // 8
        if image.width % 8:
            padded = Image.new("1", (width_bytes * 8, image.height), 1)
            padded.paste(image, (0, 0))
            image = padded
        rows = image.tobytes().translate(_INVERT)  # Pillow: 1 is white; ESC/POS: 1 is a dot
        for top in range(0, image.height, RASTER_BAND_ROWS):
            height = min(RASTER_BAND_ROWS, image.height - top)
            header = RASTER_IMAGE + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")
            self._printer._raw(header + rows[top * width_bytes : (top + height) * width_bytes])

    def cut(self, *, partial: bool = False) -> None:
        """Feed the paper past the cutter (ESC d 6) and cut it (GS V 0, or GS V 1 for partial).

        A printer without a cutter (the profile's cut off) gets the feed only (ESC d 4), past its tear bar.
        """
        self._flush_raster()
        if not self.profile.cut:
            self._printer.print_and_feed(4)
            return
        self._printer.cut(mode="PART" if partial else "FULL")

    def drawer(self) -> None:
        """Kick the cash drawer: ESC p m t1 t2 on the profile's pin and times (by default pin 2, 100 ms on, 100 ms off).

        Nothing when the profile says no drawer hangs on this printer.
        """
        self._flush_raster()
        if self.profile.drawer:
            self._printer._raw(self.profile.drawer_pulse())

    def kick_drawer(self, *, pin: int) -> None:
        """The drawer pulse on `pin` (2 or 5) with the profile's times, drawer or not: finding the right pin by trying."""
        from dataclasses import replace

        self._printer._raw(replace(self.profile, drawer_pin=pin).drawer_pulse())

    def output(self) -> bytes:
        self._flush_raster()
        return self._printer.output
