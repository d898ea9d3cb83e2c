"""The district's view (issue 19): every shop's figures for the street office, which reads and changes nothing.

Only a district user reaches it (Role.DISTRICT; web/auth.py lets them GET alone); a shop's staff, its admin too,
read their own shop's report (web/reports.py). The page /district is the reports page's design for the district:
the period picker, a row per shop (that shop's own report's totals) and their total, a chart drawn on the server from
the same figures, the table as CSV, and the love bank and community fund of every shop and station.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Stream, Template

from pos.district import DistrictFigures, DistrictLoveBank, district_figures, district_lovebank
from pos.reports import Period, period_of
from shop.errors import DomainError
from shop.spreadsheet import BOM, spreadsheet_text
from shop.staff import Role
from web.auth import requires_role
from web.i18n import N_, domain_error_message, translations
from web.inputs import Text
from web.pages import _page
from web.reports import COLUMNS, PERIOD_WORDS, Picked, _chart, _csv_line, _csv_response, _figure_cells
from web.shopfront import Front, Shopfront, locale_of

# The love bank's columns, in order: (figure, heading, money?)
LOVEBANK_COLUMNS = (
    ("fund_cash_fen", N_("Fund's cash"), True), ("fund_points", N_("Fund's points"), False),
    ("points_earned", N_("Points earned by service"), False), ("points_spent", N_("Points spent at the tills"), False),
    ("members", N_("Members registered"), False), ("new_members", N_("New members"), False),
)
KIND_WORDS = {"shop": N_("Shop"), "station": N_("Station")}


def _period(front: Shopfront, period: str, day: date | None, last: date | None) -> Period:
    return period_of(period, day or datetime.now(front.settings.zone).date(), last)


def shops_chart(got: DistrictFigures, words) -> str:
    """Net sales and the fund's share of each shop: the numbers of the table beside it, in fen."""
    chart = _chart("Bar", words.gettext("Net sales and the fund's share by shop"),
                   horizontal_labels=[row.name for row in got.rows])
    chart.add(words.gettext("Net"), [row.figures.net_fen for row in got.rows])
    chart.add(words.gettext("Community fund"), [row.figures.fund_fen for row in got.rows])
    return chart.render(is_unicode=True)


def district_csv(got: DistrictFigures, words) -> Iterable[str]:
    """A line per shop (its code, its name, its report's totals and donations received) and the district's total."""
    heading = [words.gettext("Shop code"), words.gettext("Shop"),
               *(words.gettext(title) + (" (¥)" if money else "") for _, title, money in COLUMNS),
               words.gettext("Donations received")]
    yield BOM + _csv_line(heading)
    for row in got.rows:
        yield _csv_line([spreadsheet_text(row.shop), spreadsheet_text(row.name), *_figure_cells(row.figures),
                         str(row.donations.donations)])
    yield _csv_line([words.gettext("Total"), "", *_figure_cells(got.totals), str(got.donations.donations)])


class DistrictApi(Controller):
    path = "/api/district"
    opt = requires_role(Role.DISTRICT)
    tags = ["district"]

    @get("/figures", summary="A period's figures of every shop (as each shop's report), one row per shop by its "
         "code, and the district's total")
    async def figures(self, front: Front, period: FromQuery[Text] = "day", day: FromQuery[date | None] = None,
                      last: FromQuery[date | None] = None, by: FromQuery[Text] = "shop") -> DistrictFigures:
        return await district_figures(period=_period(front, period, day, last), zone=front.settings.zone, by=by)

    @get("/figures.csv", summary="The same figures as CSV (UTF-8 with a BOM, amounts in yuan), a line per shop and "
         "the total", media_type="text/csv")
    async def figures_csv(self, request: Request, front: Front, period: FromQuery[Text] = "day",
                          day: FromQuery[date | None] = None, last: FromQuery[date | None] = None) -> Stream:
        got = await district_figures(period=_period(front, period, day, last), zone=front.settings.zone)
        first, final = got.period.first.isoformat(), got.period.last.isoformat()
        return _csv_response(district_csv(got, translations(locale_of(request))),
                             f"district-{first if first == final else first + '_' + final}.csv")

    @get("/lovebank", summary="The love bank and community fund of every shop and station (stations record "
         "service): the fund's cash and points now, points earned by service approved there and spent at its tills "
         "in the period (from the ledger), members registered there; and the district's total")
    async def lovebank(self, front: Front, period: FromQuery[Text] = "day", day: FromQuery[date | None] = None,
                       last: FromQuery[date | None] = None) -> DistrictLoveBank:
        return await district_lovebank(period=_period(front, period, day, last), zone=front.settings.zone)


class DistrictPage(Controller):
    path = "/district"
    opt = requires_role(Role.DISTRICT)
    include_in_schema = False

    @get("/")
    async def district(self, request: Request, front: Front, period: FromQuery[Text] = "month",
                       day: FromQuery[date | None] = None, last: FromQuery[date | None] = None) -> Template:
        error = ""
        try:
            chosen = _period(front, period, day, last)
        except DomainError as problem:
            error = domain_error_message(locale_of(request), problem)
            chosen = _period(front, "month", None, None)
        got = await district_figures(period=chosen, zone=front.settings.zone)
        query = f"period={chosen.kind.value}&day={chosen.first.isoformat()}&last={chosen.last.isoformat()}"
        return _page(request, "district.html", figures=got, columns=COLUMNS, error=error, periods=PERIOD_WORDS,
                     picked=Picked(period=chosen.kind.value, day=chosen.first, last=chosen.last, by="shop"),
                     query=query, chart_svg=shops_chart(got, translations(locale_of(request))),
                     lovebank=await district_lovebank(period=chosen, zone=front.settings.zone),
                     lovebank_columns=LOVEBANK_COLUMNS, kinds=KIND_WORDS)
