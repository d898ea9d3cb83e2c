"""The manager's reports, the community fund and the makers' payouts: pages, JSON, CSV and charts.

Thin: each handler parses the period and the breakdown, makes one call into pos, and renders. Charts
are SVG drawn on the server by pygal from the very figures of the table beside them; CSV files are
UTF-8 with a BOM (Excel and WPS read the Chinese) and are streamed, the ledger journal in batches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Stream, Template

from donations.errors import DonationError
from inventory.catalogue import categories_of
from pos.fund import (
    Disbursement, FundBalance, FundMovement, HouseholdSpending, disburse_cash, disbursements, fund_balance,
    fund_movements, household_spending,
)
from pos.errors import FundError
from pos.maker_payouts import MakerOwed, PayoutLine, makers_owed, pay_makers
from pos.reports import FUND_TENDER_RULE, Dimension, Figures, Period, Report, period_of, report
from shop.database import as_time, run
from shop.errors import DomainError
from shop.money import format_yuan, parse_yuan
from shop.spreadsheet import BOM, spreadsheet_text
from shop.staff import Role
from web.auth import StaffUser, requires_role
from web.i18n import GOODS_SOURCES, N_, ROUNDING_RULE, domain_error_message, translations
from web.inputs import MAX_ROW_ID, BodyRowId, Form, In, Text
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of

JOURNAL_BATCH = 5000

DIMENSION_WORDS = {Dimension.CATEGORY: N_("Category"), Dimension.SOURCE: N_("Goods source"),
                   Dimension.TILL: N_("Till"), Dimension.CASHIER: N_("Cashier"), Dimension.DAY: N_("Day")}
PERIOD_WORDS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month"), "custom": N_("From … to …")}
FUND_TENDER_WORDS = N_(  # pos.reports.FUND_TENDER_RULE, written out for the catalogue
    "The fund's share of a sale paid partly in points is split between cash and points in proportion to the "
    "tenders' amounts, with the shop's one rounding rule (shop.money.allocate, weights: cash, then points), "
    "line by line, so the parts add up exactly in every breakdown; a refund is split as the sale it refunds.")
assert FUND_TENDER_WORDS == FUND_TENDER_RULE
FUND_KIND_WORDS = {"sale": N_("Sales' share"), "return": N_("Refunds and voids"),
                   "fund-disbursement": N_("Cash disbursed"), "points-gift": N_("Points given by members"),
                   "points-gift-reversal": N_("Points gifts reversed")}

# The report's columns, in order: (figure, heading, money?)
COLUMNS = (
    ("sales", N_("Sales"), False), ("pieces", N_("Pieces"), False), ("gross_fen", N_("Gross"), True),
    ("discount_fen", N_("Discounts"), True), ("refund_fen", N_("Refunds"), True), ("net_fen", N_("Net"), True),
    ("fund_fen", N_("Community fund"), True), ("fund_cash_fen", N_("Fund in cash"), True),
    ("fund_points_fen", N_("Fund in points"), True), ("maker_fen", N_("Makers"), True),
    ("running_fen", N_("Running costs"), True), ("points_redeemed", N_("Points redeemed"), False),
)


def plain_yuan(fen: int) -> str:
    """12345 -> '123.45' (a number a spreadsheet reads; the ¥ is in the column's heading)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _period(front: Shopfront, period: str, day: date | None, last: date | None) -> Period:
    today = datetime.now(front.settings.zone).date()
    return period_of(period, day or today, last)


async def _report(front: Shopfront, period: str, day: date | None, last: date | None, by: str) -> Report:
    return await report(shop_id=front.shop_id, period=_period(front, period, day, last), dimension=by,
                        zone=front.settings.zone)


async def _row_names(request: Request, front: Shopfront, got: Report) -> dict[str, str]:
    """What a person reads for each row's key: the category's name, the goods source in their language."""
    words = translations(locale_of(request))
    if got.dimension is Dimension.CATEGORY:
        zh = locale_of(request) == "zh_CN"
        names = {c.code: c.name if zh or not c.name_en else c.name_en
                 for c in await categories_of(shop_id=front.shop_id)}
        return {row.key: names.get(row.key, row.key) for row in got.rows}
    if got.dimension is Dimension.SOURCE:
        return {row.key: words.gettext(GOODS_SOURCES.get(row.key, row.key)) for row in got.rows}
    return {row.key: row.label for row in got.rows}


# --- charts ---------------------------------------------------------------------------------

# pygal (and its style) is imported when a chart is first drawn: most processes never draw one (issue 22).
_CHART_STYLE = dict(background="white", plot_background="white", font_family="sans-serif",
                    colors=("#b22234", "#2e7d32", "#1565c0"), label_font_size=12, legend_font_size=13,
                    value_font_size=11, title_font_size=15)


def _axis_yuan(fen: int | float) -> str:
    """A value as the chart prints it. The values are the table's fen (int); only the axis's tick
    positions, which pygal computes, can come as floats: ticks are places on the axis, not money."""
    return format_yuan(fen if isinstance(fen, int) else int(round(fen)))


def _chart(kind: str, title: str, *, horizontal_labels: Sequence[str], x_label_rotation: int = 0):
    """A pygal chart of `kind` ("Bar", "Line", "HorizontalBar") in the reports' style."""
    import pygal
    from pygal.style import Style

    chart = getattr(pygal, kind)(style=Style(**_CHART_STYLE), title=title, value_formatter=_axis_yuan, js=(),
                                 width=900, height=360, disable_xml_declaration=True,
                                 x_label_rotation=x_label_rotation, legend_at_bottom=True,
                                 show_minor_x_labels=len(horizontal_labels) <= 31, truncate_label=-1,
                                 print_values=False)
    chart.x_labels = list(horizontal_labels)
    if len(horizontal_labels) > 31:  # a label a week on a long period
        chart.x_labels_major = list(horizontal_labels[::7])
    return chart


def daily_chart(got: Report, words) -> str:
    """Net sales and the fund's share of each day of the period: the numbers of the daily table, in fen."""
    days = [row.key for row in got.rows]
    chart = _chart("Line" if len(days) > 31 else "Bar", words.gettext("Daily sales and the fund's share"),
                   horizontal_labels=[d[5:] for d in days], x_label_rotation=45 if len(days) > 14 else 0)
    chart.add(words.gettext("Net"), [row.net_fen for row in got.rows])
    chart.add(words.gettext("Community fund"), [row.fund_fen for row in got.rows])
    return chart.render(is_unicode=True)


def breakdown_chart(got: Report, names: dict[str, str], words) -> str:
    """Net sales and the fund's share of each row of the table (category, source, till or cashier)."""
    title = words.gettext("Net sales and the fund's share") + " · " + words.gettext(DIMENSION_WORDS[got.dimension])
    chart = _chart("HorizontalBar", title, horizontal_labels=[names[row.key] for row in got.rows])
    chart.add(words.gettext("Net"), [row.net_fen for row in got.rows])
    chart.add(words.gettext("Community fund"), [row.fund_fen for row in got.rows])
    return chart.render(is_unicode=True)


# --- CSV ------------------------------------------------------------------------------------


def _csv_line(cells: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _figure_cells(row: Figures) -> list[str]:
    cells = []
    for name, _, money in COLUMNS:
        value = getattr(row, name)
        cells.append("" if value is None else plain_yuan(value) if money else str(value))
    return cells


def report_csv(got: Report, names: dict[str, str], words) -> Iterable[str]:
    heading = words.gettext(DIMENSION_WORDS[got.dimension])
    yield BOM + _csv_line([heading, *(words.gettext(title) + (" (¥)" if money else "") for _, title, money in COLUMNS)])
    for row in got.rows:
        yield _csv_line([spreadsheet_text(str(names.get(row.key, row.key))), *_figure_cells(row)])
    yield _csv_line([words.gettext("Total"), *_figure_cells(got.totals)])


async def journal_csv(*, shop_id: int, start: datetime, end: datetime, zone, words) -> AsyncIterator[str]:
    """Every ledger entry of the period's transactions, in the order they were written, a batch at a time."""
    from shop.tables import LedgerEntry

    db = LedgerEntry._meta.db
    yield BOM + _csv_line([words.gettext(t) for t in (
        N_("Transaction"), N_("Date"), N_("Time"), N_("Kind"), N_("Reference"), N_("Account"), N_("Currency"),
        N_("Debit"), N_("Credit"), N_("Reverses"))])
    last_txn, last_entry = 0, 0
    while True:
        rows = await run(db, """
            SELECT t.id AS txn, t.created_at, t.kind, t.ref, t.reverses, e.id AS entry, e.account, e.currency, e.amount
            FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id
            WHERE t.shop = $1 AND t.created_at >= $2 AND t.created_at < $3
              AND (t.id > $4 OR (t.id = $4 AND e.id > $5))
            ORDER BY t.id, e.id LIMIT $6""", shop_id, start, end, last_txn, last_entry, JOURNAL_BATCH)
        if not rows:
            return
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in rows:
            at = as_time(row["created_at"]).astimezone(zone)
            amount = int(row["amount"])
            shown = plain_yuan if row["currency"] == "CNY" else str
            writer.writerow([row["txn"], at.date().isoformat(), at.strftime("%H:%M:%S"), row["kind"],
                             spreadsheet_text(row["ref"]),
                             row["account"], row["currency"], shown(amount) if amount > 0 else "",
                             shown(-amount) if amount < 0 else "", row["reverses"] or ""])
        yield out.getvalue()
        last_txn, last_entry = rows[-1]["txn"], rows[-1]["entry"]


def _csv_response(lines, filename: str) -> Stream:
    return Stream(lines, media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _name(got: Report) -> str:
    first, last = got.period.first.isoformat(), got.period.last.isoformat()
    return first if first == last else f"{first}_{last}"


# --- JSON API -------------------------------------------------------------------------------


class FundOut(msgspec.Struct):
    balance: FundBalance
    movements: list[FundMovement]
    disbursements: list[Disbursement]
    households: list[HouseholdSpending]


class DisbursementIn(In):
    amount_fen: int
    reason: str
    method: str = "cash"


class PayoutLineIn(In):
    maker_id: BodyRowId
    amount_fen: int


class PayoutRunIn(In):
    payouts: list[PayoutLineIn]
    method: str = "cash"
    note: str = ""


class PayoutRunOut(msgspec.Struct):
    payouts: list[int]
    makers: list[MakerOwed]


class ReportFiguresApi(Controller):
    path = "/api/reports"
    opt = requires_role(Role.MANAGER)
    tags = ["reports"]

    @get("/figures", summary="A period's figures by category, goods source, till, cashier or day, and their totals")
    async def figures(self, front: Front, period: FromQuery[Text] = "day", day: FromQuery[date | None] = None,
                      last: FromQuery[date | None] = None, by: FromQuery[Text] = "category") -> Report:
        return await _report(front, period, day, last, by)

    @get("/figures.csv", summary="The same figures as CSV (UTF-8 with a BOM, amounts in yuan)", media_type="text/csv")
    async def figures_csv(self, request: Request, front: Front, period: FromQuery[Text] = "day",
                          day: FromQuery[date | None] = None, last: FromQuery[date | None] = None,
                          by: FromQuery[Text] = "category") -> Stream:
        got = await _report(front, period, day, last, by)
        names = await _row_names(request, front, got)
        return _csv_response(report_csv(got, names, translations(locale_of(request))),
                             f"report-{got.dimension.value}-{_name(got)}.csv")

    @get("/journal.csv", summary="The ledger journal of a period, every entry (CSV, UTF-8 with a BOM)",
         media_type="text/csv")
    async def journal(self, request: Request, front: Front, period: FromQuery[Text] = "day",
                      day: FromQuery[date | None] = None, last: FromQuery[date | None] = None) -> Stream:
        chosen = _period(front, period, day, last)
        start, end = chosen.bounds(front.settings.zone)
        lines = journal_csv(shop_id=front.shop_id, start=start, end=end, zone=front.settings.zone,
                            words=translations(locale_of(request)))
        first, final = chosen.first.isoformat(), chosen.last.isoformat()
        return _csv_response(lines, f"journal-{first if first == final else first + '_' + final}.csv")

    @get("/charts/daily.svg", summary="Daily net sales and the fund's share (SVG)", media_type="image/svg+xml")
    async def daily_svg(self, request: Request, front: Front, period: FromQuery[Text] = "month",
                        day: FromQuery[date | None] = None, last: FromQuery[date | None] = None) -> Response[str]:
        got = await _report(front, period, day, last, Dimension.DAY)
        return Response(daily_chart(got, translations(locale_of(request))), media_type="image/svg+xml")

    @get("/charts/breakdown.svg", summary="Net sales and the fund's share by category, source, till or cashier (SVG)",
         media_type="image/svg+xml")
    async def breakdown_svg(self, request: Request, front: Front, period: FromQuery[Text] = "month",
                            day: FromQuery[date | None] = None, last: FromQuery[date | None] = None,
                            by: FromQuery[Text] = "category") -> Response[str]:
        got = await _report(front, period, day, last, by)
        return Response(breakdown_chart(got, await _row_names(request, front, got), translations(locale_of(request))),
                        media_type="image/svg+xml")

    @get("/makers", summary="What the shop owes each maker")
    async def makers(self, front: Front) -> list[MakerOwed]:
        return await makers_owed(shop_id=front.shop_id)


class FundApi(Controller):
    path = "/api/fund"
    opt = requires_role(Role.MANAGER)
    tags = ["fund"]

    @get("/", summary="The fund: balance in cash and points, its movements in a period, disbursements, households")
    async def fund(self, front: Front, period: FromQuery[Text] = "month", day: FromQuery[date | None] = None,
                   last: FromQuery[date | None] = None) -> FundOut:
        start, end = _period(front, period, day, last).bounds(front.settings.zone)
        return FundOut(balance=await fund_balance(shop_id=front.shop_id),
                       movements=await fund_movements(shop_id=front.shop_id, start=start, end=end),
                       disbursements=await disbursements(shop_id=front.shop_id),
                       households=await household_spending(shop_id=front.shop_id, start=start, end=end))

    @post("/disbursements", summary="Pay out of the fund's cash, with the reason (never more than it holds)",
          status_code=201)
    async def disburse(self, request: Request[StaffUser, dict, object], front: Front,
                       data: JSONBody[DisbursementIn]) -> FundBalance:
        await disburse_cash(shop_id=front.shop_id, amount_fen=data.amount_fen, method=data.method, reason=data.reason,
                            staff_id=request.user.id)
        return await fund_balance(shop_id=front.shop_id)


class PayoutRunsApi(Controller):
    path = "/api/payout-runs"
    opt = requires_role(Role.MANAGER)
    tags = ["makers"]

    @post("/", summary="Pay several makers at once, all or nothing (each payout its own ledger transaction)",
          status_code=201)
    async def run(self, request: Request[StaffUser, dict, object], front: Front,
                  data: JSONBody[PayoutRunIn]) -> PayoutRunOut:
        ids = await pay_makers(shop_id=front.shop_id, method=data.method, note=data.note, staff_id=request.user.id,
                               lines=[PayoutLine(line.maker_id, line.amount_fen) for line in data.payouts])
        return PayoutRunOut(payouts=ids, makers=await makers_owed(shop_id=front.shop_id))


# --- pages ----------------------------------------------------------------------------------


class DisbursementForm(Form):
    amount: str = ""
    method: str = "cash"
    reason: str = ""


class PayoutRunForm(Form):
    """The payout run's fixed fields; the makers ticked (`pay`) and their amounts (`amount-<id>`) vary."""

    method: str = "cash"
    note: str = ""


@dataclass(frozen=True)
class Picked:
    """The period and breakdown as the page's form shows them."""

    period: str
    day: date
    last: date
    by: str


class ReportPages(Controller):
    path = "/manager"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/reports")
    async def reports(self, request: Request, front: Front, period: FromQuery[Text] = "month",
                      day: FromQuery[date | None] = None, last: FromQuery[date | None] = None,
                      by: FromQuery[Text] = "category") -> Template:
        error = ""
        try:
            got = await _report(front, period, day, last, by)
        except DomainError as problem:
            error = domain_error_message(locale_of(request), problem)
            period, day, last, by = "month", None, None, "category"
            got = await _report(front, period, day, last, by)
        daily = got if got.dimension is Dimension.DAY else await _report(front, period, day, last, Dimension.DAY)
        words = translations(locale_of(request))
        names = await _row_names(request, front, got)
        query = f"period={got.period.kind.value}&day={got.period.first.isoformat()}&last={got.period.last.isoformat()}"
        return _page(request, "reports.html", report=got, daily=daily, names=names, columns=COLUMNS, error=error,
                     picked=Picked(period=got.period.kind.value, day=got.period.first, last=got.period.last,
                                   by=got.dimension.value),
                     dimensions=DIMENSION_WORDS, periods=PERIOD_WORDS, query=query,
                     daily_svg=daily_chart(daily, words),
                     breakdown_svg=breakdown_chart(got, names, words) if got.dimension is not Dimension.DAY else "",
                     rounding_rule=ROUNDING_RULE, fund_rule=FUND_TENDER_WORDS, zone=front.settings.zone)

    @get("/fund")
    async def fund(self, request: Request, front: Front, period: FromQuery[Text] = "month",
                   day: FromQuery[date | None] = None, last: FromQuery[date | None] = None,
                   done: FromQuery[int] = 0) -> Template:
        try:
            return await self._fund(request, front, period, day, last, done=done)
        except DomainError as error:
            return await self._fund(request, front, error=domain_error_message(locale_of(request), error))

    async def _fund(self, request: Request, front: Shopfront, period: str = "month", day: date | None = None,
                    last: date | None = None, error: str = "", done: int = 0) -> Template:
        chosen = _period(front, period, day, last)
        start, end = chosen.bounds(front.settings.zone)
        by_source = await report(shop_id=front.shop_id, period=chosen, dimension=Dimension.SOURCE,
                                 zone=front.settings.zone)
        return _page(request, "fund.html", chosen=chosen, balance=await fund_balance(shop_id=front.shop_id),
                     movements=await fund_movements(shop_id=front.shop_id, start=start, end=end),
                     by_source=by_source, disbursements=await disbursements(shop_id=front.shop_id),
                     households=await household_spending(shop_id=front.shop_id, start=start, end=end),
                     kind_words=FUND_KIND_WORDS, sources=GOODS_SOURCES, zone=front.settings.zone, error=error,
                     done=done, periods=PERIOD_WORDS)

    @post("/fund/disbursements", status_code=200)
    async def disburse(self, request: Request[StaffUser, dict, object], front: Front,
                       data: URLEncodedBody[DisbursementForm]) -> Template | Redirect:
        try:
            try:
                amount = parse_yuan(data.amount)
            except ValueError:
                raise DomainError(FundError.BAD_DISBURSEMENT, amount=0) from None
            await disburse_cash(shop_id=front.shop_id, amount_fen=amount, method=data.method, reason=data.reason,
                                staff_id=request.user.id)
        except DomainError as error:
            return await self._fund(request, front, error=domain_error_message(locale_of(request), error))
        return Redirect("/manager/fund?done=1")

    @get("/makers")
    async def makers(self, request: Request, front: Front, done: FromQuery[int] = 0) -> Template:
        return await self._makers(request, front, done=done)

    async def _makers(self, request: Request, front: Shopfront, error: str = "", done: int = 0) -> Template:
        today = datetime.now(front.settings.zone).date()
        return _page(request, "makers_manager.html", makers=await makers_owed(shop_id=front.shop_id), error=error,
                     done=done, zone=front.settings.zone, month_start=today.replace(day=1), today=today)

    @post("/makers/payouts", status_code=200)
    async def payout_run(self, request: Request[StaffUser, dict, object], front: Front,
                         data: URLEncodedBody[PayoutRunForm]) -> Template | Redirect:
        form = await request.form()
        try:
            lines = []
            for maker_id in form.getall("pay", []):  # none ticked: pay_makers refuses an empty run
                text = str(form.get(f"amount-{maker_id}", "")).strip()
                try:
                    amount = parse_yuan(text)
                except ValueError:
                    raise DomainError(DonationError.BAD_PAYOUT, amount=0) from None
                maker = str(maker_id)
                if not (maker.isascii() and maker.isdigit() and len(maker) <= 10 and 1 <= int(maker) <= MAX_ROW_ID):
                    raise DomainError(DonationError.UNKNOWN_MAKER, maker=maker[:10])
                lines.append(PayoutLine(int(maker), amount))
            ids = await pay_makers(shop_id=front.shop_id, lines=lines, method=data.method, note=data.note,
                                   staff_id=request.user.id)
        except DomainError as error:
            return await self._makers(request, front, error=domain_error_message(locale_of(request), error))
        return Redirect(f"/manager/makers?done={len(ids)}")
