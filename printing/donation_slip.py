"""The donation slip (捐赠回执): what a donor gave, handed to them, its reference also as a CODE128 barcode."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.profiles import PrinterProfile
from printing.layout import two_columns, wrap, yuan
from printing.styled import BOLD, PLAIN, StyledLine, centred, check_code128, check_labels, plain, preview
from printing.styled import print_lines, title

#: The words of the slip, supplied by the caller: "title" (捐赠回执), "reference" (编号),
#: "date" (日期), "donor" (捐赠人), "pieces" (件数, the number of pieces given) and
#: "not_priced" (待定价, where an item has no price yet).
DONATION_SLIP_LABELS = ("title", "reference", "date", "donor", "pieces", "not_priced")


@dataclass(frozen=True)
class DonationItem:
    description: str
    condition: str  # as the shop words it: "九成新", "全新"; may be ""
    quantity: int
    price_fen: int | None  # the price of one piece, None while not priced


@dataclass(frozen=True)
class DonationSlip:
    shop_name: str
    reference: str  # printable ASCII: it is also printed as a barcode
    date: str  # already formatted by the caller
    donor: str  # the donor's name, or the caller's word for an anonymous donor
    items: tuple[DonationItem, ...]
    thank_you: str  # one paragraph a line, printed centred
    labels: Mapping[str, str]  # DONATION_SLIP_LABELS
    impact: str | None = None  # already formatted: "您捐赠的物品已售出 3 件，为社区慈善基金筹得 ￥12.50"

    def __post_init__(self) -> None:
        check_labels("donation slip", self.labels, DONATION_SLIP_LABELS)
        check_code128("reference", self.reference)


def render_donation_slip(slip: DonationSlip, *, width: int = 48, encoding: str = "gb18030",
        profile: PrinterProfile | None = None) -> bytes:
    """The slip as ESC/POS bytes for a printer of width columns (32 or 48), cut at the end."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _slip_lines(slip, width))
    job.align("center")
    job.barcode_code128(slip.reference, fit_columns=width)
    job.cut()
    return job.output()


def preview_donation_slip(slip: DonationSlip, *, width: int) -> list[str]:
    """The slip's text as it prints (the barcode of the reference follows it on paper)."""
    return preview(_slip_lines(slip, width), width)


def _slip_lines(slip: DonationSlip, width: int) -> Iterator[StyledLine]:
    labels = slip.labels
    rule = "-" * width
    yield from title(slip.shop_name, width)
    yield from centred(labels["title"], width, BOLD)
    yield PLAIN, rule
    yield from plain(two_columns(labels["reference"], slip.reference, width))
    yield from plain(two_columns(labels["date"], slip.date, width))
    yield from plain(two_columns(labels["donor"], slip.donor, width))
    yield PLAIN, rule
    for item in slip.items:
        yield from plain(wrap(item.description, width))
        detail = "  " + " ".join(part for part in (item.condition, f"x {item.quantity}") if part)
        price = labels["not_priced"] if item.price_fen is None else yuan(item.price_fen)
        yield from plain(two_columns(detail, price, width))
    yield PLAIN, rule
    yield from plain(two_columns(labels["pieces"], str(sum(item.quantity for item in slip.items)), width))
    if slip.impact:
        yield PLAIN, rule
        yield from plain(wrap(slip.impact, width))
    yield from centred(slip.thank_you, width)
