"""EAN-13 for item labels: our own check digit test, and python-barcode's drawing at whole printer dots.

python-barcode never refuses a wrong check digit: it prints a different code. So every
code is checked here first (printing is a leaf and cannot use inventory/barcodes.py).
Its ImageWriter places bars at fractional pixels (0.25 mm is 1.998 dots at 203 dpi), which
gives bars of uneven width that thermal printers smear; `_DotWriter` rounds every bar edge
to a whole dot, so each module is exactly EAN13_MODULE_DOTS dots wide.
"""

from __future__ import annotations

import io

from barcode import EAN13
from barcode.writer import ImageWriter, SVGWriter, mm2px
from PIL import Image, ImageDraw

PRINTER_DPI = 203  # 8 dots per mm: every common 58 mm and 80 mm thermal printer
EAN13_MODULE_DOTS = 3  # 0.375 mm at 203 dpi; 2 dots (0.25 mm) is the least that scans reliably
EAN13_QUIET_MODULES = 11  # GS1: 11 modules of white left of the bars (7 on the right; we keep 11 both sides)
EAN13_MODULES = 95 + 2 * EAN13_QUIET_MODULES
EAN13_BAR_HEIGHT_MM = 10.0
_TEXT_POINTS = 10  # the digits under the bars: 28 dots high at 203 dpi
_TEXT_DISTANCE_MM = 4.0  # from the foot of the bars to the foot of the digits


def gtin_check_digit(body: str) -> int:
    """The GTIN check digit of body (the code without its last digit): weights 3, 1, 3, ... from the right."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def check_ean13(code: str) -> str:
    """code itself when it is 13 ASCII digits with the right check digit; else ValueError."""
    if not (len(code) == 13 and code.isascii() and code.isdigit()):
        raise ValueError(f"an EAN-13 is 13 digits, not {code!r}")
    expected = gtin_check_digit(code[:12])
    if int(code[12]) != expected:
        raise ValueError(f"EAN-13 {code} has check digit {code[12]}, should be {expected}")
    return code


def _ean13(code: str, writer: ImageWriter | SVGWriter) -> EAN13:
    barcode = EAN13(check_ean13(code), writer=writer)
    if barcode.get_fullcode() != code:  # python-barcode changed it: never print another code
        raise ValueError(f"python-barcode would print {barcode.get_fullcode()} for {code}")
    return barcode


def _options(module_mm: float) -> dict[str, float]:
    return {
        "module_width": module_mm,
        "module_height": EAN13_BAR_HEIGHT_MM,
        "quiet_zone": EAN13_QUIET_MODULES * module_mm,
        "font_size": _TEXT_POINTS,
        "text_distance": _TEXT_DISTANCE_MM,
        "margin_top": 1.0,
        "margin_bottom": 1.0,
    }


def module_pixels(dpi: int) -> int:
    """How many pixels one module takes at dpi: EAN13_MODULE_DOTS at the printer's 203 dpi, as wide elsewhere."""
    return max(2, round(EAN13_MODULE_DOTS * dpi / PRINTER_DPI))


def ean13_image(code: str, *, dpi: int = PRINTER_DPI) -> Image.Image:
    """The EAN-13 as a 1-bit image (white 1, black 0, as Pillow's mode "1"), digits under the bars.

    Every module is module_pixels(dpi) pixels wide; at 203 dpi this is what the printer prints.
    ValueError when code is not a valid EAN-13.
    """
    pixels = module_pixels(dpi)
    writer = _DotWriter(mode="1", dpi=dpi)
    image = _ean13(code, writer).render(_options(pixels * 25.4 / dpi))
    assert isinstance(image, Image.Image)
    return image


def ean13_png(code: str, *, dpi: int = PRINTER_DPI) -> bytes:
    buffer = io.BytesIO()
    ean13_image(code, dpi=dpi).save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def ean13_svg(code: str) -> bytes:
    """The EAN-13 as SVG, sized in millimetres as it prints (modules of EAN13_MODULE_DOTS dots at 203 dpi)."""
    buffer = io.BytesIO()
    _ean13(code, SVGWriter()).write(buffer, _options(EAN13_MODULE_DOTS * 25.4 / PRINTER_DPI))
    return buffer.getvalue()


class _DotWriter(ImageWriter):
    """python-barcode's ImageWriter with every bar edge and the image size rounded to whole pixels."""

    def _init(self, code: list[str]) -> None:
        width, height = self.calculate_size(len(code[0]), 1)
        size = (round(mm2px(width, self.dpi)), round(mm2px(height, self.dpi)))
        self._image = Image.new(self.mode, size, self.background)
        self._draw = ImageDraw.Draw(self._image)

    def _paint_module(self, xpos: float, ypos: float, width: float, color: str) -> None:
        left, right = round(mm2px(xpos, self.dpi)), round(mm2px(xpos + width, self.dpi)) - 1
        top, bottom = round(mm2px(ypos, self.dpi)), round(mm2px(ypos + self.module_height, self.dpi))
        self._draw.rectangle([(left, top), (right, bottom)], outline=color, fill=color)


def code128_image(data: str, *, module_dots: int = 2, height_dots: int = 80) -> Image.Image:
    """A CODE128 (code set B, as the printer's own) as a 1-bit image: modules of module_dots dots,
    10 modules of white either side; no text (the caller prints it as a line)."""
    from barcode import Code128

    if not (data and data.isascii() and data.isprintable()):
        raise ValueError(f"a CODE128 barcode holds printable ASCII, not {data!r}")
    (modules,) = Code128(data).build()
    quiet = 10
    image = Image.new("1", ((len(modules) + 2 * quiet) * module_dots, height_dots), 1)
    draw = ImageDraw.Draw(image)
    for index, module in enumerate(modules):
        if module == "1":
            left = (quiet + index) * module_dots
            draw.rectangle([(left, 0), (left + module_dots - 1, height_dots - 1)], fill=0)
    return image
