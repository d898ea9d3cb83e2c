"""Item labels: name, price, date code and the item's EAN-13, many to one print job.

The barcode is drawn either by the printer (GS k, "native": ~35 bytes, crisp) or by
python-barcode as a raster image (GS v 0, "raster": ~7 kB, for printers whose own barcodes
are missing or poor). Both use modules of 3 dots (0.375 mm at 203 dpi) with the digits
below the bars. A code whose check digit is wrong is refused (ValueError), never "corrected".
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from printing.barcodes import EAN13_MODULE_DOTS, check_ean13, ean13_image, ean13_png, ean13_svg
from printing.escpos import start_job
from printing.profiles import PrinterProfile
from printing.layout import yuan
from printing.raster import centred_image, paper_dots
from printing.styled import BOLD, StyledLine, centred, check_labels, preview, print_lines, title

#: The words of an item label, supplied by the caller: "price" (售价) before the price,
#: "date_code" (日期) before the date code.
LABEL_LABELS = ("price", "date_code")

BarcodeMode = Literal["native", "raster"]
Separator = Literal["cut", "feed"]

EAN13_HEIGHT_DOTS = 80  # 10 mm bars, as the raster image's


@dataclass(frozen=True)
class Label:
    name: str
    price_fen: int
    barcode: str  # an EAN-13 (13 digits, right check digit), e.g. an in-store "20…" code
    date_code: str  # as the shop writes it: "2611", "26-11-22"
    labels: Mapping[str, str]  # LABEL_LABELS: the words printed on the label
    category: str | None = None

    def __post_init__(self) -> None:
        check_labels("item label", self.labels, LABEL_LABELS)
        check_ean13(self.barcode)


def render_labels(
    labels: Sequence[Label],
    *,
    width: int = 48,
    encoding: str = "gb18030",
    barcode_mode: BarcodeMode = "native",
    separator: Separator = "cut",
    profile: PrinterProfile | None = None,
) -> bytes:
    """One print job for all the labels, in order, on paper width columns wide (32 or 48).

    separator "cut" cuts after every label (receipt rolls); "feed" feeds 3 lines between
    labels and cuts once at the end. ValueError for no labels, or a wrong EAN-13.
    """
    if not labels:
        raise ValueError("no labels to print")
    if barcode_mode not in ("native", "raster"):
        raise ValueError(f"barcode_mode is 'native' or 'raster', not {barcode_mode!r}")
    for label in labels:  # all checked before any byte: a batch prints whole or not at all
        check_ean13(label.barcode)
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    if profile is not None:
        barcode_mode = "native" if profile.native_barcodes else "raster"
    for number, label in enumerate(labels, start=1):
        print_lines(job, _label_lines(label, width))
        if barcode_mode == "native":
            job.align("center")
            job.barcode_ean13(label.barcode, module_dots=EAN13_MODULE_DOTS, height_dots=EAN13_HEIGHT_DOTS)
            job.align("left")
        else:
            job.raster(centred_image(ean13_image(label.barcode), paper_dots(width)))
        if separator == "cut" or number == len(labels):
            job.cut()
        else:
            job.feed(3)
    return job.output()


def preview_label(label: Label, *, width: int) -> list[str]:
    """The label's text as it prints, for the browser; its barcode follows, as label_svg or label_png."""
    return preview(_label_lines(label, width), width)


def label_png(label: Label, *, dpi: int = 203) -> bytes:
    """The label's barcode as PNG, digits below; at 203 dpi the very image the raster mode prints."""
    return ean13_png(label.barcode, dpi=dpi)


def label_svg(label: Label) -> bytes:
    """The label's barcode as SVG, in millimetres as it prints."""
    return ean13_svg(label.barcode)


def _label_lines(label: Label, width: int) -> Iterator[StyledLine]:
    """Name (bold), category, price (double size), date code: centred, each at most width columns."""
    yield from centred(label.name, width, BOLD)
    if label.category:
        yield from centred(label.category, width)
    yield from title(f"{label.labels['price']} {yuan(label.price_fen)}", width)
    yield from centred(f"{label.labels['date_code']} {label.date_code}", width)
