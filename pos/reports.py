"""Reports over sales: what was sold in a period and where every fen of it went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count, Sum

from shop.tables import Staff

from pos.checkout import sale_number
from pos.tables import Sale, SaleLine


@dataclass(frozen=True)
class SplitTotals:
    key: str  # the goods source, category code or cashier's name
    sales: int
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int


@dataclass(frozen=True)
class SaleRow:
    number: str
    created_at: datetime
    cashier: str
    total_fen: int
    fund_fen: int


@dataclass(frozen=True)
class SalesReport:
    start: datetime
    end: datetime
    totals: SplitTotals
    by_source: tuple[SplitTotals, ...]
    by_category: tuple[SplitTotals, ...]
    by_cashier: tuple[SplitTotals, ...]
    sales: tuple[SaleRow, ...]


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The shop's local day as a UTC interval [start, end)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def _totals(key: str, row: dict) -> SplitTotals:
    return SplitTotals(key=key, sales=int(row["sales"] or 0), value_fen=int(row["value"] or 0),
                       fund_fen=int(row["fund"] or 0), maker_fen=int(row["maker"] or 0),
                       running_fen=int(row["running"] or 0))


async def sales_report(*, shop_id: int, start: datetime, end: datetime, list_limit: int = 500) -> SalesReport:
    in_period = (Sale.shop == shop_id) & (Sale.created_at >= start) & (Sale.created_at < end)
    sale_sums = (Count(Sale.id, alias="sales"), Sum(Sale.total_fen, alias="value"), Sum(Sale.fund_fen, alias="fund"),
                 Sum(Sale.maker_fen, alias="maker"), Sum(Sale.running_fen, alias="running"))
    totals = (await Sale.select(*sale_sums).where(in_period))[0]
    line_in_period = ((SaleLine.sale.shop == shop_id) & (SaleLine.sale.created_at >= start)
                      & (SaleLine.sale.created_at < end))
    line_sums = (Count(SaleLine.id, alias="sales"), Sum(SaleLine.value_fen, alias="value"),
                 Sum(SaleLine.fund_fen, alias="fund"), Sum(SaleLine.maker_fen, alias="maker"),
                 Sum(SaleLine.running_fen, alias="running"))
    by_source = await SaleLine.select(SaleLine.source, *line_sums).where(line_in_period).group_by(SaleLine.source)
    by_category = await SaleLine.select(SaleLine.category_code, *line_sums).where(line_in_period).group_by(
        SaleLine.category_code)
    by_cashier = await Sale.select(Sale.cashier, *sale_sums).where(in_period).group_by(Sale.cashier)
    names = {row["id"]: row["display_name"] for row in await Staff.select(Staff.id, Staff.display_name).where(
        Staff.id.is_in([row["cashier"] for row in by_cashier] or [0]))}
    rows = await Sale.select(Sale.id, Sale.created_at, Sale.cashier, Sale.total_fen, Sale.fund_fen).where(
        in_period).order_by(Sale.id, ascending=False).limit(list_limit)
    return SalesReport(
        start=start, end=end, totals=_totals("", totals),
        by_source=tuple(sorted((_totals(r["source"], r) for r in by_source), key=lambda t: t.key)),
        by_category=tuple(sorted((_totals(r["category_code"], r) for r in by_category), key=lambda t: -t.value_fen)),
        by_cashier=tuple(sorted((_totals(names.get(r["cashier"], "?"), r) for r in by_cashier), key=lambda t: t.key)),
        sales=tuple(SaleRow(number=sale_number(r["id"]), created_at=r["created_at"], cashier=names.get(r["cashier"], "?"),
                            total_fen=r["total_fen"], fund_fen=r["fund_fen"]) for r in rows),
    )
