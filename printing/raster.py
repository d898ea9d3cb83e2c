"""Pictures for a thermal printer: 1-bit, no wider than the paper, centred by white margins.

A thermal printer prints dots or nothing: a logo is made grey, shrunk to fit the paper
(never enlarged), and dithered (Floyd–Steinberg) so its greys become patterns of dots.
Images are centred by padding them to the paper's full width with white, since many
Chinese printers ignore ESC a for raster images.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageOps, UnidentifiedImageError

from printing.escpos import DOTS_PER_COLUMN

LOGO_MAX_HEIGHT_DOTS = 240  # 30 mm: a logo heads the receipt, it does not fill it


def paper_dots(width: int) -> int:
    """The printable width in dots of a paper width columns wide: 384 for 32 (58 mm), 576 for 48 (80 mm)."""
    return width * DOTS_PER_COLUMN


def one_bit(image: Image.Image, *, max_width: int, max_height: int | None = None) -> Image.Image:
    """image on white, grey, shrunk to fit max_width (and max_height) keeping its aspect, dithered to 1 bit."""
    image = ImageOps.exif_transpose(image)
    if image.mode != "1":
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat.convert("L")
    scale = min(1.0, max_width / image.width, (max_height or image.height) / image.height)
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.convert("L").resize(size, Image.Resampling.LANCZOS)
    return image.convert("1")  # Pillow dithers L to 1 with Floyd–Steinberg


def centred_image(image: Image.Image, width: int) -> Image.Image:
    """A 1-bit image width dots wide with image in its middle (ValueError when image is wider)."""
    if image.width > width:
        raise ValueError(f"an image {image.width} dots wide does not fit on {width} dots of paper")
    canvas = Image.new("1", (width, image.height), 1)
    canvas.paste(image.convert("1"), ((width - image.width) // 2, 0))
    return canvas


@lru_cache(maxsize=8)  # the same logo heads every receipt
def logo_image(data: bytes, width: int) -> Image.Image:
    """PNG/JPEG bytes as a 1-bit image for paper width columns wide, centred; ValueError if not an image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValueError("the logo is not a PNG or JPEG image") from error
    dots = paper_dots(width)
    return centred_image(one_bit(image, max_width=dots, max_height=LOGO_MAX_HEIGHT_DOTS), dots)
