"""The district's figures (issue 19): every shop's report for one period, a row per shop, and the district's total.

Each row is the shop's own report (pos/reports.py: report(), its totals and donations received), as the shop's
manager reads it — every shop's read at once (totals_by_shop) — so a row always equals the shop's report and the
total is the rows' sum. Stations have
no tills and sell nothing: the rows are the shops'.

The district's love bank (district_lovebank) has a row for every shop and station, since stations record service:
each one's community fund (its cash and its points, as pos.fund.fund_balance reads them), the points its approvals
issued and the points its tills took in the period, both read from the ledger's transactions made there, and the
members registered there. Members and their points are the district's (lovebank/); only where each thing happened is
the shop's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from shop import ledger
from shop.database import run
from shop.errors import DomainError
from shop.shops import ShopKind, list_shops
from shop.tables import LedgerTxn

from pos.errors import SaleError
from pos.fund import fund_balance
from pos.reports import DonationsReceived, Figures, Period, totals_by_shop

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


def _sum(parts: list, shape: type, **given):
    return shape(**given, **{f.name: sum(getattr(p, f.name) or 0 for p in parts)
                             for f in fields(shape) if f.name not in given})


async def district_figures(*, period: Period, zone: ZoneInfo, by: str = "shop") -> DistrictFigures:
    """The period's figures of every shop of the district, and their sum: every shop's report totals read at once
    (pos.reports.totals_by_shop, each equal to the shop's own report), a shop that sold nothing a row of zeros."""
    if by not in BY:
        raise DomainError(SaleError.BAD_DIMENSION, dimension=by[:16])
    start, end = period.bounds(zone)
    read = await totals_by_shop(period=period, zone=zone)
    nothing = (_sum([], Figures, key="", label=""), _sum([], DonationsReceived))
    rows = tuple(ShopFigures(shop=shop.code, name=shop.name, figures=read.get(shop.id, nothing)[0],
                             donations=read.get(shop.id, nothing)[1])
                 for shop in await list_shops() if shop.kind is ShopKind.SHOP)
    return DistrictFigures(period=period, start=start, end=end, by=by, rows=rows,
                           totals=_sum([r.figures for r in rows], Figures, key="", label=""),
                           donations=_sum([r.donations for r in rows], DonationsReceived))


@dataclass(frozen=True)
class LoveBankFigures:
    """One shop's or station's part of the district's love bank (the totals' shop, name and kind are "")."""

    shop: str  # the shop's or station's code
    name: str
    kind: str  # shop | station
    fund_cash_fen: int  # its community fund's cash, now
    fund_points: int  # its community fund's points, now
    points_earned: int  # issued in the period by service approved there, less corrections approved there
    points_spent: int  # paid at its tills in the period (members' and the fund's), less points refunded there
    members: int  # members registered there, by the period's end
    new_members: int  # of whom registered in the period


@dataclass(frozen=True)
class DistrictLoveBank:
    period: Period
    start: datetime
    end: datetime
    rows: tuple[LoveBankFigures, ...]  # by the code of the shop or station
    totals: LoveBankFigures  # the rows' sum


async def district_lovebank(*, period: Period, zone: ZoneInfo) -> DistrictLoveBank:
    """The love bank and community fund of every shop and station of the district, and their sum.

    Points earned and spent are the movements of the love bank's own accounts in the ledger (POINTS_ISSUED by an
    approval or its correction, POINTS_REDEEMED by a sale paid in points or its refund), by the transaction's shop:
    so earned less spent, over all time and every place, is what members and funds hold."""
    start, end = period.bounds(zone)
    db = LedgerTxn._meta.db
    moved = await run(db, """
        SELECT t.shop, e.account, SUM(e.amount) AS total FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id
        WHERE t.created_at >= $1 AND t.created_at < $2 AND e.currency = 'PTS' AND e.account IN ($3, $4)
        GROUP BY t.shop, e.account""", start, end, ledger.POINTS_ISSUED, ledger.POINTS_REDEEMED)
    points = {(row["shop"], row["account"]): int(row["total"] or 0) for row in moved}
    registered = await run(db, """
        SELECT m.shop, COUNT(*) AS members, SUM(CASE WHEN m.opened_at >= $1 THEN 1 ELSE 0 END) AS new_members
        FROM member m WHERE m.opened_at < $2 GROUP BY m.shop""", start, end)
    members = {row["shop"]: (int(row["members"]), int(row["new_members"] or 0)) for row in registered}
    rows = []
    for place in await list_shops():
        fund = await fund_balance(shop_id=place.id)
        rows.append(LoveBankFigures(
            shop=place.code, name=place.name, kind=place.kind.value, fund_cash_fen=fund.cash_fen,
            fund_points=fund.points, points_earned=points.get((place.id, ledger.POINTS_ISSUED), 0),
            points_spent=-points.get((place.id, ledger.POINTS_REDEEMED), 0),
            members=members.get(place.id, (0, 0))[0], new_members=members.get(place.id, (0, 0))[1]))
    return DistrictLoveBank(period=period, start=start, end=end, rows=tuple(rows),
                            totals=_sum(rows, LoveBankFigures, shop="", name="", kind=""))
