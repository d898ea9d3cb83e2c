"""The refund slip (退货单): what a return or a void took back and gave back, printed on the till's receipt printer.

It carries the return number as a CODE128 barcode (as the receipt carries the sale's), the
sale it came from, the lines taken back, each tender refunded (cash from the drawer, points
back to the member's account, with what they were worth) and the community fund's share
reversed. A void says so in its title. The drawer is kicked only when cash was refunded,
and never on a copy (a reprint, marked 重打 at the top).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.documents import copy_mark
from printing.escpos import start_job
from printing.layout import two_columns, wrap, yuan
from printing.profiles import PrinterProfile
from printing.styled import BOLD, PLAIN, TOTAL, StyledLine, centred, check_code128, check_labels, plain, preview
from printing.styled import print_lines, title

#: The words of the slip, supplied by the caller in the shop's language: "title" (退货单), "void" (the
#: title of a void: 退货单（作废）), "return_number" (退货单号), "sale_number" (原销售单号), "time",
#: "till", "cashier", "total" (退货合计: the value of what came back), "cash" (退现金), "points"
#: (退还积分, holding "{points}"), "member" (储户号), "fund_share" (holding "{amount}": the fund's share
#: taken back). "copy" (重打) is needed on a copy, "owed" (holding "{amount}") on a slip that leaves something owed.
REFUND_SLIP_LABELS = ("title", "void", "return_number", "sale_number", "time", "till", "cashier", "total",
                      "cash", "points", "member", "fund_share")


@dataclass(frozen=True)
class RefundSlipLine:
    name: str
    quantity: int  # pieces taken back
    value_fen: int  # what they were sold for, refunded


@dataclass(frozen=True)
class RefundTender:
    kind: str  # cash | points
    amount_fen: int  # given back in cash, or what the points given back were worth
    points: int = 0
    member_number: str = ""  # whose account the points went back to ("" for the community fund's)


@dataclass(frozen=True)
class RefundSlip:
    shop_name: str
    return_number: str  # printable ASCII: it is also printed as a barcode
    sale_number: str
    time: str  # already formatted by the caller
    till: str
    cashier: str
    lines: tuple[RefundSlipLine, ...]
    refunds: tuple[RefundTender, ...]
    fund_fen: int  # the fund's share of what was taken back, reversed
    labels: Mapping[str, str]  # REFUND_SLIP_LABELS
    void: bool = False
    copy: bool = False  # a reprint: marked at the top, and no drawer kick
    owed_fen: int = 0  # still owed to the customer: less than a point's worth no whole point could pay back yet

    def __post_init__(self) -> None:
        check_labels("refund slip", self.labels, REFUND_SLIP_LABELS)
        check_code128("return number", self.return_number)
        for key in ("points", "fund_share"):
            placeholder = "{points}" if key == "points" else "{amount}"
            if placeholder not in self.labels[key]:
                raise ValueError(f'the "{key}" label must contain {placeholder}')
        if self.owed_fen > 0 and "{amount}" not in self.labels.get("owed", ""):
            raise ValueError('a slip with something owed needs an "owed" label containing {amount}')
        if any(r.kind not in ("cash", "points") for r in self.refunds):
            raise ValueError("a refund is given in cash or points")

    @property
    def cash_fen(self) -> int:
        """What was handed back from the drawer."""
        return sum(r.amount_fen for r in self.refunds if r.kind == "cash")

    @property
    def total_fen(self) -> int:
        return sum(line.value_fen for line in self.lines)

    @property
    def opens_drawer(self) -> bool:
        """Cash went out of the drawer, and this is the first print (a copy never kicks the drawer)."""
        return self.cash_fen > 0 and not self.copy


def render_refund_slip(slip: RefundSlip, *, width: int = 48, encoding: str = "gb18030",
                       profile: PrinterProfile | None = None) -> bytes:
    """The slip as ESC/POS bytes for a printer of width columns (32 or 48): the return number as a
    barcode under the text, cut, and the drawer kicked when cash was refunded (and the printer has one)."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _slip_lines(slip, width))
    job.align("center")
    job.barcode_code128(slip.return_number, fit_columns=width)
    job.cut()
    if slip.opens_drawer:
        job.drawer()
    return job.output()


def preview_refund_slip(slip: RefundSlip, *, width: int) -> list[str]:
    return preview(_slip_lines(slip, width), width)


def _slip_lines(slip: RefundSlip, width: int) -> Iterator[StyledLine]:
    labels = slip.labels
    rule = "-" * width

    def pair(key: str, value: str) -> Iterator[StyledLine]:
        return plain(two_columns(labels[key], value, width))

    if slip.copy:
        yield from copy_mark(labels, width)
    yield from title(slip.shop_name, width)
    yield from centred(labels["void"] if slip.void else labels["title"], width, BOLD)
    yield PLAIN, rule
    yield from pair("return_number", slip.return_number)
    yield from pair("sale_number", slip.sale_number)
    yield from pair("time", slip.time)
    yield from pair("till", slip.till)
    yield from pair("cashier", slip.cashier)
    yield PLAIN, rule
    for line in slip.lines:
        yield from plain(wrap(line.name, width))
        yield from plain(two_columns(f"  x {line.quantity}", yuan(line.value_fen), width))
    yield PLAIN, rule
    yield from plain(two_columns(labels["total"], yuan(slip.total_fen), width), TOTAL)
    for refund in slip.refunds:
        if refund.kind == "cash":
            yield from pair("cash", yuan(refund.amount_fen))
        else:
            points = labels["points"].replace("{points}", str(refund.points))
            yield from plain(two_columns(points, yuan(refund.amount_fen), width))
            if refund.member_number:
                yield from pair("member", refund.member_number)
    if slip.owed_fen > 0:
        yield from plain(wrap(labels["owed"].replace("{amount}", yuan(slip.owed_fen)), width))
    if slip.fund_fen:
        yield PLAIN, rule
        yield from plain(wrap(labels["fund_share"].replace("{amount}", yuan(slip.fund_fen)), width))
