"""The till's X report (mid-shift, the drawer not counted) and Z report (close, counted): one document.

Which one it is shows in its title (`kind_title`, from the caller) and in the counted
cash and over/short lines, printed only when the drawer was counted (a Z report). Refunds
show by tender: the cash given back from the drawer (already out of the expected cash) and
the points given back with what they were worth.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from printing.escpos import start_job
from printing.profiles import PrinterProfile
from printing.layout import signed_yuan, two_columns, yuan
from printing.styled import BOLD, PLAIN, TOTAL, Style, StyledLine, centred, check_labels, plain, preview, print_lines
from printing.styled import title

#: The words of the report, supplied by the caller: "till" (收银台), "cashier" (收银员),
#: "opened" (开班时间), "closed" (结束时间; the time printed on an X report), "sales_count"
#: (销售笔数), "gross" (销售总额), "refunds" (退款), "net" (净销售额), "cash_sales" (现金销售),
#: "points" (积分支付, holding "{points}" for the number of points), "float" (备用金),
#: "expected_cash" (应有现金), "counted_cash" (实点现金), "over_short" (长短款),
#: "fund_share" (慈善基金), "makers_share" (手工者分成), "running_costs" (运营成本).
TILL_REPORT_LABELS = (
    "till",
    "cashier",
    "opened",
    "closed",
    "sales_count",
    "gross",
    "refunds",
    "net",
    "cash_sales",
    "points",
    "float",
    "expected_cash",
    "counted_cash",
    "over_short",
    "fund_share",
    "makers_share",
    "running_costs",
)


@dataclass(frozen=True)
class TillReport:
    shop_name: str
    kind_title: str  # "X 报表（班中）" or "Z 报表（日结）", from the caller
    till: str
    cashier: str
    opened_at: str  # already formatted by the caller
    closed_at: str  # the close (Z), or when the report was taken (X)
    sales_count: int
    gross_fen: int
    refunds_fen: int  # given back, printed as it is passed
    net_fen: int
    cash_sales_fen: int
    points_pts: int  # points taken as payment
    points_fen: int  # what those points were worth
    float_fen: int
    expected_cash_fen: int
    counted_cash_fen: int | None  # None on an X report: the drawer is not counted
    over_short_fen: int | None  # counted - expected; None on an X report
    fund_share_fen: int
    makers_share_fen: int
    running_costs_fen: int
    labels: Mapping[str, str]  # TILL_REPORT_LABELS; "points" holds "{points}"
    # A till session's report (pos/sessions.py) prints these too; each needs its word in labels when given:
    session: str = ""  # "session" (班次): the session's number
    returns_count: int | None = None  # "returns_count" (退货笔数, holding "{voids}" for the voids among them)
    voids_count: int = 0
    cash_refunds_fen: int | None = None  # "cash_refunds" (现金退款): float + cash sales − this = expected cash
    points_refunded_pts: int | None = None  # "points_refunded" (退还积分, holding "{points}"): points given back
    points_refunded_fen: int = 0  # what those points were worth
    open_drawer: bool = False  # a Z report whose count goes to the safe: the drawer is opened for it
    # Sales made while the till was offline that have reached the server (counted in the sales above when sold),
    # and those of them held for a manager (not sales: their cash is in the drawer, not in the expected cash).
    # Printed when any arrived, with the words "offline_count" (离线销售已收到) and "offline_held".
    offline_count: int = 0
    offline_held: int = 0
    # Sales the till's browser still holds, made offline and not yet sent (only the till knows: it says so when it
    # asks for an X report); printed when not zero, with the word "offline_unsent". A Z waits until it is zero.
    offline_unsent: int = 0

    def __post_init__(self) -> None:
        check_labels("till report", self.labels, TILL_REPORT_LABELS)
        given = [key for key, value in (("session", self.session), ("returns_count", self.returns_count),
                                        ("cash_refunds", self.cash_refunds_fen),
                                        ("points_refunded", self.points_refunded_pts),
                                        ("offline_count", (self.offline_count or self.offline_held) or None),
                                        ("offline_held", self.offline_held or None),
                                        ("offline_unsent", self.offline_unsent or None)) if value not in ("", None)]
        check_labels("till report", self.labels, given)
        for key in ("points", "points_refunded") if self.points_refunded_pts is not None else ("points",):
            if "{points}" not in self.labels[key]:
                raise ValueError(f'the "{key}" label must contain {{points}}')
        if (self.counted_cash_fen is None) != (self.over_short_fen is None):
            raise ValueError("counted cash and over/short are both given (Z report) or neither (X report)")
        if self.counted_cash_fen is not None and self.over_short_fen != self.counted_cash_fen - self.expected_cash_fen:
            raise ValueError("over/short must be counted cash minus expected cash")


def render_till_report(report: TillReport, *, width: int = 48, encoding: str = "gb18030",
        profile: PrinterProfile | None = None) -> bytes:
    """The report as ESC/POS bytes for a printer of width columns (32 or 48), cut at the end; the drawer
    kicked after it when `open_drawer` (a Z report: the counted cash goes to the safe)."""
    job, width = start_job(width=width, encoding=encoding, profile=profile)
    print_lines(job, _report_lines(report, width))
    job.cut()
    if report.open_drawer:
        job.drawer()
    return job.output()


def preview_till_report(report: TillReport, *, width: int) -> list[str]:
    return preview(_report_lines(report, width), width)


def _report_lines(report: TillReport, width: int) -> Iterator[StyledLine]:
    labels = report.labels
    rule = "-" * width

    def pair(key: str, value: str, style: Style = PLAIN) -> Iterator[StyledLine]:
        return plain(two_columns(labels[key], value, width), style)

    yield from title(report.shop_name, width)
    yield from centred(report.kind_title, width, BOLD)
    yield PLAIN, rule
    yield from pair("till", report.till)
    if report.session:
        yield from pair("session", report.session)
    yield from pair("cashier", report.cashier)
    yield from pair("opened", report.opened_at)
    yield from pair("closed", report.closed_at)
    yield PLAIN, rule
    yield from pair("sales_count", str(report.sales_count))
    yield from pair("gross", yuan(report.gross_fen))
    yield from pair("refunds", yuan(report.refunds_fen))
    if report.returns_count is not None:
        yield from plain(two_columns(labels["returns_count"].replace("{voids}", str(report.voids_count)),
                                     str(report.returns_count), width))
    yield from pair("net", yuan(report.net_fen), TOTAL)
    if report.offline_count or report.offline_held:
        yield from pair("offline_count", str(report.offline_count))
        if report.offline_held:
            yield from pair("offline_held", str(report.offline_held))
    if report.offline_unsent:
        yield from pair("offline_unsent", str(report.offline_unsent))
    yield PLAIN, rule
    yield from pair("cash_sales", yuan(report.cash_sales_fen))
    if report.cash_refunds_fen is not None:
        yield from pair("cash_refunds", yuan(report.cash_refunds_fen))
    points = labels["points"].replace("{points}", str(report.points_pts))
    yield from plain(two_columns(points, yuan(report.points_fen), width))
    if report.points_refunded_pts is not None:
        points = labels["points_refunded"].replace("{points}", str(report.points_refunded_pts))
        yield from plain(two_columns(points, yuan(report.points_refunded_fen), width))
    yield PLAIN, rule
    yield from pair("float", yuan(report.float_fen))
    yield from pair("expected_cash", yuan(report.expected_cash_fen), BOLD)
    if report.counted_cash_fen is not None and report.over_short_fen is not None:
        yield from pair("counted_cash", yuan(report.counted_cash_fen), BOLD)
        yield from pair("over_short", signed_yuan(report.over_short_fen), BOLD)
    yield PLAIN, rule
    yield from pair("fund_share", yuan(report.fund_share_fen))
    yield from pair("makers_share", yuan(report.makers_share_fen))
    yield from pair("running_costs", yuan(report.running_costs_fen))
