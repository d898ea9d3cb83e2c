"""The service voucher (服务券): what a member redeemed their points for, printed at the love-bank desk on the
receipt printer. Its number is printed as a CODE128 barcode, so the provider's coordinator scans it to deliver or
cancel it. It names the member by number only (as the till's receipt does), never by name or phone."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.documents import copy_mark
from printing.escpos import start_job
from printing.layout import two_columns, wrap
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_code128, check_labels, plain, preview
from printing.styled import print_lines, title

#: The words of the voucher, supplied by the caller: "title" (服务券), "number" (券号), "service" (服务),
#: "provider" (服务提供), "points" (积分), "member_number" (会员号), "date" (日期) and "note" (a line under the
#: barcode, e.g. what to do with it; may be ""). "copy" (重打) marks a reprint.
VOUCHER_LABELS = ("title", "number", "service", "provider", "points", "member_number", "date", "note")


@dataclass(frozen=True)
class Voucher:
    shop_name: str
    number: str  # printable ASCII: printed as the barcode
    service: str
    provider: str  # a partner's name, or the providing member's name and number
    points: int
    member_number: str
    date: str  # already formatted by the caller
    labels: Mapping[str, str]  # VOUCHER_LABELS
    copy: bool = False  # a reprint: the "copy" label (重打 / COPY) at the top

    def __post_init__(self) -> None:
        check_labels("voucher", self.labels, VOUCHER_LABELS)
        check_code128("voucher number", self.number)


def render_voucher(voucher: Voucher, *, width: int = 48, encoding: str = "gb18030",
                   profile: PrinterProfile | None = None) -> bytes:
    """The voucher as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`: its
    text, its number's barcode (the number printed under the bars), the note, and a cut. No drawer kick: no cash."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _voucher_lines(voucher, width))
    job.align("center")
    job.barcode_code128(voucher.number, fit_columns=width)
    job.align("left")
    print_lines(job, centred(voucher.labels["note"], width))
    job.cut()
    return job.output()


def preview_voucher(voucher: Voucher, *, width: int) -> list[str]:
    """The voucher's text as it prints; the barcode (shown as its number) goes between the details and the note."""
    return preview(_voucher_lines(voucher, width), width) + [f"||| {voucher.number} |||".center(width)] + preview(
        centred(voucher.labels["note"], width), width)


def _voucher_lines(voucher: Voucher, width: int) -> Iterator[StyledLine]:
    labels = voucher.labels
    if voucher.copy:
        yield from copy_mark(labels, width)
    yield from title(voucher.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield PLAIN, "-" * width
    yield from plain(two_columns(labels["number"], voucher.number, width), BOLD)
    yield from plain(wrap(f"{labels['service']}: {voucher.service}", width), BOLD)
    yield from plain(wrap(f"{labels['provider']}: {voucher.provider}", width))
    yield from plain(two_columns(labels["points"], str(voucher.points), width), BOLD)
    yield from plain(two_columns(labels["member_number"], voucher.member_number, width))
    yield from plain(two_columns(labels["date"], voucher.date, width))
    yield PLAIN, ""
