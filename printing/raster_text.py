"""Chinese as pictures, for a printer that prints no setting's Chinese right: slower, always legible.

Each line is drawn with Pillow and a CJK font on this machine, character by character in
the receipt's columns (12 dots a column, a Chinese character 2 columns, as the printer's
Font A), 24 dots high plus 6 of line spacing, doubled for double width or height. So the
layout is the very one of text, on 384 dots (58 mm, 32 columns) or 576 dots (80 mm, 48).

The font: `[printer] raster_font` in config.toml, a .ttf/.ttc/.otf file with Chinese and
Latin letters; empty looks in the usual places, first Debian's `fonts-wqy-microhei`
(/usr/share/fonts/truetype/wqy/wqy-microhei.ttc), then `fonts-noto-cjk`. (Debian's
DroidSansFallbackFull has no Latin: "￥12.50" would come out as boxes, so it is not used.)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from printing.layout import _char_columns
from printing.printable import PLACEHOLDER
from printing.profiles import PrinterSetupError, SetupError

FONT_KEY = "printer.raster_font"
#: Searched in this order when raster_font is empty: (path, face index in a .ttc).
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),  # its face 1 is "Micro Hei Mono"
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
)
DOTS_PER_COLUMN = 12
GLYPH_DOTS = 24
LINE_DOTS = 30  # a glyph and the printer's default line spacing
NO_SUCH_CHARACTER = "\U0010fffd"  # private use: no font has it, each draws its "missing" box


def find_font(configured: str = "") -> str:
    """The CJK font to draw with: `configured` when set (it must exist), else the first found of
    FONT_CANDIDATES. SetupError NO_RASTER_FONT naming the config key when there is none."""
    if configured:
        if Path(configured).is_file():
            return configured
        raise SetupError(PrinterSetupError.NO_RASTER_FONT, key=FONT_KEY, path=configured)
    for path, _ in FONT_CANDIDATES:
        if Path(path).is_file():
            return path
    raise SetupError(PrinterSetupError.NO_RASTER_FONT, key=FONT_KEY, path=FONT_CANDIDATES[0][0])


@lru_cache(maxsize=4)
def _font(path: str) -> ImageFont.FreeTypeFont:
    index = next((face for candidate, face in FONT_CANDIDATES if candidate == path), 0)
    try:
        return ImageFont.truetype(path, GLYPH_DOTS - 2, index=index)
    except OSError as error:
        raise SetupError(PrinterSetupError.NO_RASTER_FONT, key=FONT_KEY, path=path) from error


def _has_glyph(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    """The font draws ch, not the box it draws for every character it lacks (as for U+10FFFD, private use)."""
    if ch.isascii():
        return True
    missing = font.getmask(NO_SUCH_CHARACTER)
    drawn = font.getmask(ch)
    return (drawn.size, bytes(drawn)) != (missing.size, bytes(missing))


@lru_cache(maxsize=4096)
def _glyph(path: str, ch: str, bold: bool) -> Image.Image:
    """One character in its cell (12 or 24 dots wide, 24 high), grey ("L", 0 black), squeezed if wider.

    A character the font lacks (an emoji, "𠀀" in most fonts) is drawn as the placeholder "□",
    as text printing sends it.
    """
    cell = DOTS_PER_COLUMN * _char_columns(ch)
    font = _font(path)
    if not _has_glyph(font, ch):
        ch = PLACEHOLDER
    left, top, right, bottom = font.getbbox(ch, stroke_width=1 if bold else 0)
    drawn = Image.new("L", (max(1, right - left), GLYPH_DOTS), 255)
    ImageDraw.Draw(drawn).text((-left, 0), ch, font=font, fill=0, stroke_width=1 if bold else 0, stroke_fill=0)
    if drawn.width > cell:
        drawn = drawn.resize((cell, GLYPH_DOTS), Image.Resampling.LANCZOS)
    glyph = Image.new("L", (cell, GLYPH_DOTS), 255)
    glyph.paste(drawn, ((cell - drawn.width) // 2, 0))
    return glyph


def line_image(text: str, *, bold: bool = False, width: int = 1, height: int = 1, columns: int,
               font: str) -> Image.Image:
    """One line as a 1-bit image columns * 12 dots wide (mode "1": 0 black), LINE_DOTS * height high."""
    dots = columns * DOTS_PER_COLUMN
    line = Image.new("L", (dots // width, GLYPH_DOTS), 255)
    x = 0
    for ch in text:
        if _char_columns(ch) == 0:
            continue
        glyph = _glyph(font, ch, bold)
        if x + glyph.width > line.width:
            break  # the layout never makes a line wider than the paper; a stray one is cut, as paper does
        line.paste(glyph, (x, 0))
        x += glyph.width
    if (width, height) != (1, 1):
        line = line.resize((line.width * width, GLYPH_DOTS * height), Image.Resampling.NEAREST)
    canvas = Image.new("L", (dots, LINE_DOTS * height), 255)
    canvas.paste(line, (0, 0))
    return canvas.point(lambda grey: 255 if grey > 140 else 0).convert("1", dither=Image.Dither.NONE)


def text_image(lines: Sequence[tuple[str, bool, int, int]], *, columns: int, font: str = "") -> Image.Image:
    """Lines (text, bold, width, height) one under the other, as one 1-bit image for GS v 0."""
    path = find_font(font)
    images = [line_image(text, bold=bold, width=width, height=height, columns=columns, font=path)
              for text, bold, width, height in lines]
    image = Image.new("1", (columns * DOTS_PER_COLUMN, sum(i.height for i in images)), 1)
    top = 0
    for part in images:
        image.paste(part, (0, top))
        top += part.height
    return image
