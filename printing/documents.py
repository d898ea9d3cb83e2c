"""The receipt: laid out once as styled lines (printing/styled.py), which both the printer and the preview take."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.profiles import PrinterProfile
from printing.layout import center, two_columns, wrap, yuan
from printing.raster import logo_image
from printing.styled import BOLD, PLAIN, TITLE, TOTAL, Style, centred, plain, preview, print_lines, title

#: The words of the receipt, supplied by the caller in the shop's language. One more,
#: "items", is optional: when present, the number of pieces bought is printed; "copy"
#: (重打) is the mark of a reprint; "offline" (离线销售) marks a sale made while the till was
#: offline.
RECEIPT_LABELS = ("sale_number", "time", "cashier", "total", "cash", "change", "fund_share")


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    quantity: int
    unit_price_fen: int  # what one sold for
    amount_fen: int
    list_price_fen: int | None = None  # its price before a markdown: printed with the percent off
    markdown_percent: int = 0
    discount_fen: int = 0  # taken off the line (its own discount and its share of the sale's): amount = price × qty − this


@dataclass(frozen=True)
class NoticeCode:
    """The fund's public notice on a receipt: `line` (the sale's share for the fund, in the shop's words; "" for
    none), printed in place of the "fund_share" line, then a QR code of `url`, the notice page for the sale's month."""

    line: str
    url: str

    def __post_init__(self) -> None:
        if not (self.url and self.url.isascii() and self.url.isprintable() and " " not in self.url):
            raise ValueError(f"the notice's address is printed as a QR code: printable ASCII, not {self.url!r}")


@dataclass(frozen=True)
class Receipt:
    shop_name: str
    shop_address: str
    sale_number: str  # printable ASCII: it is also printed as a barcode
    time: str  # already formatted by the caller
    cashier: str
    lines: tuple[ReceiptLine, ...]
    total_fen: int
    cash_given_fen: int
    change_fen: int
    fund_fen: int
    labels: Mapping[str, str]  # RECEIPT_LABELS; "fund_share" holds "{amount}"; optional "items", "markdown"
    footer: str = ""
    open_drawer: bool = False  # cash moved (given or taken): the caller says so; a copy never kicks it
    copy: bool = False  # a reprint: the "copy" label (重打 / COPY) printed at the top, and no drawer kick
    logo: bytes | None = None  # PNG or JPEG, printed centred above the shop's name
    # Love-bank points paid (labels "points_paid" with {points}, "points_left", and "member" or "household"):
    points: int = 0
    points_fen: int = 0  # what the points paid of the total; cash paid the rest
    points_left: int | None = None  # the member's (or the fund's) points after the sale
    member_number: str = ""  # who paid the points (their number, not their name)
    household_ref: str = ""  # or: the community fund paid, for this household (a reference, no personal data)
    # A sale made at the till while the server was out of reach, printed when it arrived: the time it was made
    # (formatted by the caller), printed near the top with the "offline" word (离线销售); "" for any other sale.
    offline_at: str = ""
    offline_number: str = ""  # and the number the till gave it then (T1-0000123), as on the browser's print
    printed_number: str = ""  # the till renumbered it since: the number the browser's print shows ("" when the same)
    notice: NoticeCode | None = None  # the fund's public notice: its line and QR code under the totals; None: neither

    def __post_init__(self) -> None:
        missing = [key for key in RECEIPT_LABELS if key not in self.labels]
        if missing:
            raise ValueError(f"receipt labels missing: {', '.join(missing)}")
        if "{amount}" not in self.labels["fund_share"]:
            raise ValueError('the "fund_share" label must contain {amount}')


def render_receipt(receipt: Receipt, *, width: int = 48, encoding: str = "gb18030",
        profile: PrinterProfile | None = None) -> bytes:
    """The receipt as ESC/POS bytes for a printer of width columns (32 on 58 mm, 48 on 80 mm).

    A logo is shrunk to the paper (58 mm: 384 dots, 80 mm: 576) and at most 30 mm high,
    dithered to black and white and printed centred at the top; ValueError if it is not an image.
    """
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    if receipt.copy:
        print_lines(job, copy_mark(receipt.labels, width))
    if receipt.logo:
        job.raster(logo_image(receipt.logo, width))
    print_lines(job, _receipt_lines(receipt, width))
    if receipt.notice:
        job.qr_code(receipt.notice.url, fit_columns=width)
    print_lines(job, _footer_lines(receipt, width))
    job.align("center")
    job.barcode_code128(receipt.sale_number, fit_columns=width)
    job.cut()
    if receipt.open_drawer and not receipt.copy:
        job.drawer()
    return job.output()


def preview_lines(receipt: Receipt, *, width: int) -> list[str]:
    """The receipt's text as it stands on the paper, for the browser's preview.

    A double-width line shows centred, as it prints. The QR code, like the barcode, is not text: not shown.
    """
    mark = list(copy_mark(receipt.labels, width)) if receipt.copy else []
    return preview([*mark, *_receipt_lines(receipt, width), *_footer_lines(receipt, width)], width)


def copy_mark(labels: Mapping[str, str], width: int) -> Iterator[tuple[Style, str]]:
    """The line at the top of a reprint: labels["copy"] (重打 / COPY) large and centred, then a rule."""
    yield from title(f"** {labels.get('copy', 'COPY')} **", width)
    yield PLAIN, "=" * width


def _receipt_lines(receipt: Receipt, width: int) -> Iterator[tuple[Style, str]]:
    """The receipt's lines down to the fund's share (the footer follows the notice's QR code), each at most width
    columns on paper."""
    labels = receipt.labels
    rule = "-" * width
    for text in wrap(receipt.shop_name, width // 2):
        yield TITLE, center(text, width // 2)
    for text in wrap(receipt.shop_address, width):
        yield PLAIN, center(text, width)
    yield PLAIN, rule
    if receipt.offline_at:
        yield from centred(f"{labels.get('offline', 'Offline sale')} {receipt.offline_at}", width, BOLD)
        yield PLAIN, rule
    yield from plain(two_columns(labels["sale_number"], receipt.sale_number, width))
    if receipt.offline_number:
        yield from plain(two_columns(labels.get("offline_number", "Offline No."), receipt.offline_number, width))
    if receipt.printed_number:
        yield from plain(two_columns(labels.get("printed_number", "First printed as"), receipt.printed_number, width))
    yield from plain(two_columns(labels["time"], receipt.time, width))
    yield from plain(two_columns(labels["cashier"], receipt.cashier, width))
    yield PLAIN, rule
    for line in receipt.lines:
        yield from plain(wrap(line.name, width))
        if line.list_price_fen is not None and line.markdown_percent:
            markdown = labels.get("markdown", "{percent}% off {price}")
            yield from plain(wrap("  " + markdown.replace("{percent}", str(line.markdown_percent)).replace(
                "{price}", yuan(line.list_price_fen)), width))
        quantity = f"  {line.quantity} x {yuan(line.unit_price_fen)}"
        yield from plain(two_columns(quantity, yuan(line.amount_fen + line.discount_fen), width))
        if line.discount_fen:
            yield from plain(two_columns("  " + labels.get("discount", "Discount"), "-" + yuan(line.discount_fen),
                                         width))
    yield PLAIN, rule
    if discount := sum(line.discount_fen for line in receipt.lines):
        yield from plain(two_columns(labels.get("discounts", "Discounts"), "-" + yuan(discount), width))
    if "items" in labels:
        pieces = sum(line.quantity for line in receipt.lines)
        yield from plain(two_columns(labels["items"], str(pieces), width))
    for text in two_columns(labels["total"], yuan(receipt.total_fen), width):
        yield TOTAL, text
    if receipt.points:
        paid = labels.get("points_paid", "Points ({points})").replace("{points}", str(receipt.points))
        yield from plain(two_columns(paid, yuan(receipt.points_fen), width))
    if receipt.cash_given_fen or not receipt.points:
        yield from plain(two_columns(labels["cash"], yuan(receipt.cash_given_fen), width))
        yield from plain(two_columns(labels["change"], yuan(receipt.change_fen), width))
    if receipt.points:
        if receipt.household_ref:
            yield from plain(two_columns(labels.get("household", "Community fund for household"),
                                         receipt.household_ref, width))
        elif receipt.member_number:
            yield from plain(two_columns(labels.get("member", "Member"), receipt.member_number, width))
        if receipt.points_left is not None:
            yield from plain(two_columns(labels.get("points_left", "Points left"), str(receipt.points_left), width))
    if receipt.notice:  # the notice's line says the fund's share, over its QR code: not said twice
        yield PLAIN, rule
        if receipt.notice.line:
            yield from plain(wrap(receipt.notice.line, width))
    elif receipt.fund_fen:
        yield PLAIN, rule
        fund_share = labels["fund_share"].replace("{amount}", yuan(receipt.fund_fen))
        yield from plain(wrap(fund_share, width))


def _footer_lines(receipt: Receipt, width: int) -> Iterator[tuple[Style, str]]:
    for paragraph in receipt.footer.splitlines():
        for text in wrap(paragraph, width):
            yield PLAIN, center(text, width)

