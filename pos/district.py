"""The district's figures (issue 19): every shop's report for one period, a row per shop, and the district's total.

Each row is the shop's own report (pos/reports.py: report(), its totals and donations received), read exactly as
the shop's manager reads it, so a row always equals the shop's report and the total is the rows' sum. Stations have
no tills and sell nothing: the rows are the shops'.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from shop.errors import DomainError
from shop.shops import ShopKind, list_shops

from pos.errors import SaleError
from pos.reports import Dimension, DonationsReceived, Figures, Period, report

BY = ("shop",)  # what the district's figures are broken down by


@dataclass(frozen=True)
class ShopFigures:
    shop: str  # the shop's code
    name: str
    figures: Figures  # the shop's report's totals
    donations: DonationsReceived


@dataclass(frozen=True)
class DistrictFigures:
    period: Period
    start: datetime
    end: datetime
    by: str
    rows: tuple[ShopFigures, ...]  # by the shop's code
    totals: Figures  # the rows' sum
    donations: DonationsReceived


def _sum(parts: list, kind: type, **given):
    return kind(**given, **{f.name: sum(getattr(p, f.name) or 0 for p in parts)
                            for f in fields(kind) if f.name not in given})


async def district_figures(*, period: Period, zone: ZoneInfo, by: str = "shop") -> DistrictFigures:
    """The period's figures of every shop of the district, and their sum."""
    if by not in BY:
        raise DomainError(SaleError.BAD_DIMENSION, dimension=by[:16])
    rows = []
    start = end = None
    for shop in await list_shops():
        if shop.kind is not ShopKind.SHOP:
            continue
        got = await report(shop_id=shop.id, period=period, dimension=Dimension.SOURCE, zone=zone)
        start, end = got.start, got.end
        rows.append(ShopFigures(shop=shop.code, name=shop.name, figures=got.totals, donations=got.donations))
    if start is None:
        start, end = period.bounds(zone)
    return DistrictFigures(period=period, start=start, end=end, by=by, rows=tuple(rows),
                           totals=_sum([r.figures for r in rows], Figures, key="", label=""),
                           donations=_sum([r.donations for r in rows], DonationsReceived))
