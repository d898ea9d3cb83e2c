"""The staff card (工作证): the shop, the volunteer's name and role, and their badge as a CODE128 barcode the till's
scanner reads at the lock screen (换人, F9): scanned, then their PIN, and the till carries on as them."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.layout import two_columns
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_code128, check_labels, plain, preview
from printing.styled import print_lines, title

STAFF_CARD = "staff card"  # the print queue's name of the document

#: The words of the card, supplied by the caller: "title" (工作证), "name" (姓名), "role" (岗位) and "note"
#: (a line under the barcode: how the card is used; may be "").
STAFF_CARD_LABELS = ("title", "name", "role", "note")


@dataclass(frozen=True)
class StaffCard:
    shop_name: str
    name: str
    role: str  # in the shop's words
    badge: str  # printable ASCII: printed as the barcode
    labels: Mapping[str, str]  # STAFF_CARD_LABELS

    def __post_init__(self) -> None:
        check_labels("staff card", self.labels, STAFF_CARD_LABELS)
        check_code128("badge", self.badge)


def render_staff_card(card: StaffCard, *, width: int = 48, encoding: str = "gb18030",
                      profile: PrinterProfile | None = None) -> bytes:
    """The card as ESC/POS bytes for a printer of width columns (32 or 48), or for the printer's `profile`: its
    text, the badge's barcode (its characters printed under the bars), the note, and a cut."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _card_lines(card, width))
    job.align("center")
    job.barcode_code128(card.badge, fit_columns=width)
    job.align("left")
    print_lines(job, centred(card.labels["note"], width))
    job.cut()
    return job.output()


def preview_staff_card(card: StaffCard, *, width: int) -> list[str]:
    """The card's text as it prints; the barcode (shown as its code) goes between the role and the note."""
    return preview(_card_lines(card, width), width) + [f"||| {card.badge} |||".center(width)] + preview(
        centred(card.labels["note"], width), width)


def _card_lines(card: StaffCard, width: int) -> Iterator[StyledLine]:
    labels = card.labels
    yield from title(card.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield PLAIN, "-" * width
    yield from plain(two_columns(labels["name"], card.name, width), BOLD)
    yield from plain(two_columns(labels["role"], card.role, width))
    yield PLAIN, ""
