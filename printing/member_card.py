"""The love-bank member card (爱心储户卡): the member's number and name, and their card code as a CODE128
barcode the till's scanner reads (a USB keyboard-wedge scanner reads CODE128, not every one reads QR codes)."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.layout import two_columns
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_code128, check_labels, plain, preview
from printing.styled import print_lines, title

#: The words of the card, supplied by the caller: "title" (爱心储户卡), "member_number" (会员号),
#: "member_name" (姓名) and "note" (a line under the barcode, e.g. how to use the card; may be "").
MEMBER_CARD_LABELS = ("title", "member_number", "member_name", "note")


@dataclass(frozen=True)
class MemberCard:
    shop_name: str
    member_number: str
    member_name: str
    card_code: str  # printable ASCII: printed as the barcode
    labels: Mapping[str, str]  # MEMBER_CARD_LABELS

    def __post_init__(self) -> None:
        check_labels("member card", self.labels, MEMBER_CARD_LABELS)
        check_code128("card code", self.card_code)


def render_member_card(card: MemberCard, *, width: int = 48, encoding: str = "gb18030",
                       profile: PrinterProfile | None = None) -> bytes:
    """The card as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`
    (its width, encoding, Chinese mode, barcodes, cutter): its text, the card code's barcode (its
    characters printed under the bars), the note, and a cut."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _card_lines(card, width))
    job.align("center")
    job.barcode_code128(card.card_code, fit_columns=width)
    job.align("left")
    print_lines(job, centred(card.labels["note"], width))
    job.cut()
    return job.output()


def preview_member_card(card: MemberCard, *, width: int) -> list[str]:
    """The card's text as it prints; the barcode (shown as its code) goes between the name and the note."""
    return preview(_card_lines(card, width), width) + [f"||| {card.card_code} |||".center(width)] + preview(
        centred(card.labels["note"], width), width)


def _card_lines(card: MemberCard, width: int) -> Iterator[StyledLine]:
    labels = card.labels
    yield from title(card.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield PLAIN, "-" * width
    yield from plain(two_columns(labels["member_number"], card.member_number, width), BOLD)
    yield from plain(two_columns(labels["member_name"], card.member_name, width))
    yield PLAIN, ""
