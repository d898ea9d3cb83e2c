"""Reports over sales: what was sold in a period and where every fen of it went.

`report()` gives any day, week, month or custom period (the shop's local days) broken down by category,
goods source, till, cashier or day: gross, discounts, refunds, net, the fund's, makers' and running-cost
shares, the fund's share paid in cash and in points (FUND_TENDER_RULE), points redeemed and donations
received. Every figure is a SQL aggregate: read from the hourly summaries the database keeps by trigger
(pos migration 2026-12-01T12:40) when the period's days start on whole UTC hours, else summed from the sale
lines and returned lines; the two agree (tests/pos/test_reports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count, Sum

from shop.database import run
from shop.errors import DomainError
from shop.money import allocate
from shop.tables import Staff

from pos.checkout import sale_number
from pos.errors import SaleError
from pos.tables import Sale, SaleLine, Tender, Till


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


# ---------------------------------------------------------------------------------------------
# Reports for any period, broken down by one dimension. Every figure is a SQL aggregate
# (GROUP BY); Python only merges the few rows that come back (one per key).


class Dimension(StrEnum):
    CATEGORY = "category"
    SOURCE = "source"
    TILL = "till"
    CASHIER = "cashier"
    DAY = "day"


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"
    CUSTOM = "custom"


MAX_PERIOD_DAYS = 732  # two years: a longer custom period is a typing mistake


@dataclass(frozen=True)
class Period:
    """Whole days of the shop's calendar, first to last inclusive."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as a UTC interval [start, end): local midnight of `first` to local midnight after `last`."""
        return day_bounds(self.first, zone)[0], day_bounds(self.last, zone)[1]

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def period_of(kind: str, day: date, last: date | None = None) -> Period:
    """The day, week (Monday to Sunday) or month containing `day`; or the custom period `day`..`last`."""
    try:
        kind = PeriodKind(kind)
    except ValueError:
        raise DomainError(SaleError.BAD_PERIOD, kind=str(kind)[:16], maximum=MAX_PERIOD_DAYS) from None
    if kind is PeriodKind.DAY:
        return Period(kind, day, day)
    if kind is PeriodKind.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(kind, first, following - timedelta(days=1))
    if last is None or last < day or (last - day).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(SaleError.BAD_PERIOD, kind=kind.value, maximum=MAX_PERIOD_DAYS)
    return Period(kind, day, last)


@dataclass(frozen=True)
class Figures:
    """One row of a report: what was sold, given off, refunded, and where the net value went.

    gross − discounts − refunds = net = fund + makers + running costs;
    fund = fund_cash + fund_points (the fund's share paid in cash and in love-bank points).
    """

    key: str  # category code, goods source, till id, cashier id, day (YYYY-MM-DD); "" for the totals
    label: str  # what a person reads: the till's code and name, the cashier's name (codes are named by the page)
    sales: int  # sales with something of this row in them
    lines: int
    pieces: int
    gross_fen: int  # unit price × quantity, before discounts
    discount_fen: int
    refunds: int  # returns
    refund_fen: int  # value refunded
    net_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    fund_cash_fen: int
    fund_points_fen: int
    points_redeemed: int | None  # points spent at the till; None where a row cannot say (a category, a source)


@dataclass(frozen=True)
class DonationsReceived:
    donations: int  # gifts recorded at the intake desk in the period
    pieces: int  # pieces accepted into stock
    refused_pieces: int  # pieces refused at the door


@dataclass(frozen=True)
class Report:
    period: Period
    start: datetime
    end: datetime
    dimension: Dimension
    rows: tuple[Figures, ...]
    totals: Figures
    donations: DonationsReceived
    with_returns: bool  # the shop's books have returns (pos.tables.ReturnLine): refunds are counted
    with_points: bool  # tenders record the points spent (Tender.points)


FUND_TENDER_RULE = (
    "The fund's share of a sale paid partly in points is split between cash and points in proportion to the "
    "tenders' amounts, with the shop's one rounding rule (shop.money.allocate, weights: cash, then points), "
    "line by line, so the parts add up exactly in every breakdown; a refund is split as the sale it refunds."
)


def fund_in_points(fund_fen: int, total_fen: int, points_fen: int) -> int:
    """The points part of `fund_fen` for a sale of `total_fen` of which `points_fen` was paid in points:
    allocate(fund, [cash, points])[1]. The SQL below computes the same (tests/pos/test_reports.py)."""
    if total_fen == 0 or points_fen == 0:
        return 0
    return allocate(fund_fen, [total_fen - points_fen, points_fen])[1]


def _points_part_sql(fund: str, total: str, points: str, big: str) -> str:
    """fund_in_points() in SQL: the floor of the points' exact share, plus the fen left over when its
    remainder is strictly the larger (a tie goes to cash, the earlier part). Works for a negative
    `fund` too, as allocate() does (the opposite's parts, negated)."""
    f = f"ABS(CAST({fund} AS {big}))"
    p, c = f"CAST({points} AS {big})", f"CAST({total} - {points} AS {big})"
    part = (f"({f} * {p}) / {total} + CASE WHEN {f} - ({f} * {c}) / {total} - ({f} * {p}) / {total} > 0 "
            f"AND ({f} * {p}) % {total} > ({f} * {c}) % {total} THEN 1 ELSE 0 END")
    sign = f"CASE WHEN {fund} < 0 THEN -1 ELSE 1 END"
    return f"CASE WHEN {points} IS NULL OR {points} = 0 OR {total} = 0 THEN 0 ELSE {sign} * ({part}) END"


def _return_tables():
    """h7a's returns tables and the names of their linking columns, when the shop has them."""
    import pos.tables as tables

    sale_return, return_line = getattr(tables, "SaleReturn", None), getattr(tables, "ReturnLine", None)
    if sale_return is None or return_line is None:
        return None
    fks = {fk._foreign_key_meta.resolved_references: fk._meta.db_column_name
           for fk in return_line._meta.foreign_key_columns}
    to_return, to_line = fks.get(sale_return), fks.get(SaleLine)
    if to_return is None or to_line is None:
        return None
    return sale_return._meta.tablename, return_line._meta.tablename, to_return, to_line


def _has_points_column() -> bool:
    return "points" in {column._meta.name for column in Tender._meta.columns}


# The key of each dimension, over the sale (s), its line (l) and, for refunds, the return (r).
_SALE_KEYS = {Dimension.CATEGORY: "l.category_code", Dimension.SOURCE: "l.source", Dimension.TILL: "s.till",
              Dimension.CASHIER: "s.cashier", Dimension.DAY: "d.day", None: "''"}
_RETURN_KEYS = {**_SALE_KEYS, Dimension.TILL: "r.till", Dimension.CASHIER: "r.cashier"}


def _days_cte(engine_type: str, period: Period, zone: ZoneInfo, first_arg: int) -> tuple[str, list]:
    """A table of the period's days and their UTC bounds: the day of a sale is its local date, exactly, on
    both engines (PostgreSQL's AT TIME ZONE has no match in SQLite)."""
    cast = "::timestamptz" if engine_type == "postgres" else ""
    rows, args = [], []
    for n, day in enumerate(period.each_day()):
        start, end = day_bounds(day, zone)
        i = first_arg + 3 * n
        rows.append(f"(${i}{'::text' if cast else ''}, ${i + 1}{cast}, ${i + 2}{cast})")
        args += [day.isoformat(), start, end]
    return "WITH days(day, start_at, end_at) AS (VALUES " + ", ".join(rows) + ") ", args


# The days table leads (CROSS JOIN keeps it the outer loop on SQLite): each day is an index range of sales.
_IN_DAY = " AND {t}.created_at >= d.start_at AND {t}.created_at < d.end_at"


def _period_filter(t: str, dimension: Dimension | None) -> str:
    """The period's bounds on the sales (s) or returns (r); by day, each day's bounds instead (the period's own
    would let SQLite scan the whole period once for every day)."""
    if dimension is Dimension.DAY:
        return f"{t}.shop = $1 AND d.start_at >= $2 AND d.end_at <= $3" + _IN_DAY.format(t=t)
    return f"{t}.shop = $1 AND {t}.created_at >= $2 AND {t}.created_at < $3"


async def _sales_figures(db, dimension: Dimension | None, args: list, days: str, big: str) -> list[dict]:
    key = _SALE_KEYS[dimension]
    points_sale = ("SELECT t.sale, SUM(t.amount_fen) AS fen FROM tender t JOIN sale s2 ON s2.id = t.sale "
                   "WHERE t.kind = 'points' AND s2.shop = $1 AND s2.created_at >= $2 AND s2.created_at < $3 "
                   "GROUP BY t.sale")
    source = "FROM days d CROSS JOIN sale s" if dimension is Dimension.DAY else "FROM sale s"
    where = "WHERE " + _period_filter("s", dimension)
    sql = f"""{days}SELECT {key} AS key, COUNT(DISTINCT s.id) AS sales, COUNT(*) AS lines,
        SUM(l.quantity) AS pieces, SUM(CAST(l.unit_price_fen AS {big}) * l.quantity) AS gross,
        SUM(l.value_fen) AS value, SUM(l.fund_fen) AS fund, SUM(l.maker_fen) AS maker,
        SUM(l.running_fen) AS running, SUM({_points_part_sql('l.fund_fen', 's.total_fen', 'p.fen', big)}) AS fund_points
        {source} JOIN sale_line l ON l.sale = s.id LEFT JOIN ({points_sale}) p ON p.sale = s.id
        {where} {_group(dimension)}"""
    return await run(db, sql, *args)


def _group(dimension: Dimension | None) -> str:
    return "" if dimension is None else f"GROUP BY {_SALE_KEYS[dimension]}"


async def _points_redeemed(db, dimension: Dimension | None, args: list, days: str) -> dict[str, int]:
    if dimension in (Dimension.CATEGORY, Dimension.SOURCE) or not _has_points_column():
        return {}
    key = _SALE_KEYS[dimension]
    source = "FROM days d CROSS JOIN sale s" if dimension is Dimension.DAY else "FROM sale s"
    where = "AND " + _period_filter("s", dimension)
    rows = await run(db, f"""{days}SELECT {key} AS key, SUM(t.points) AS points {source}
        JOIN tender t ON t.sale = s.id WHERE t.kind = 'points' {where} {_group(dimension)}""", *args)
    return {str(row["key"]): int(row["points"] or 0) for row in rows}


async def _refund_figures(db, dimension: Dimension | None, args: list, days: str, big: str) -> list[dict]:
    tables = _return_tables()
    if tables is None:
        return []
    sale_return, return_line, to_return, to_line = tables
    key = _RETURN_KEYS[dimension]
    points_sale = ("SELECT t.sale, SUM(t.amount_fen) AS fen FROM tender t "
                   f"WHERE t.kind = 'points' AND t.sale IN (SELECT r2.sale FROM {sale_return} r2 WHERE r2.shop = $1 "
                   "AND r2.created_at >= $2 AND r2.created_at < $3) GROUP BY t.sale")
    source = f"FROM days d CROSS JOIN {sale_return} r" if dimension is Dimension.DAY else f"FROM {sale_return} r"
    where = "WHERE " + _period_filter("r", dimension)
    sql = f"""{days}SELECT {key} AS key, COUNT(DISTINCT r.id) AS refunds, SUM(rl.value_fen) AS value,
        SUM(rl.fund_fen) AS fund, SUM(rl.maker_fen) AS maker, SUM(rl.running_fen) AS running,
        SUM({_points_part_sql('rl.fund_fen', 's.total_fen', 'p.fen', big)}) AS fund_points
        {source} JOIN {return_line} rl ON rl."{to_return}" = r.id JOIN sale_line l ON l.id = rl."{to_line}"
        JOIN sale s ON s.id = r.sale LEFT JOIN ({points_sale}) p ON p.sale = s.id
        {where} {"" if dimension is None else f"GROUP BY {key}"}"""
    return await run(db, sql, *args)


_ADDITIVE = ("lines", "pieces", "gross", "value", "fund", "maker", "running", "fund_points")


async def _totals_of(db, rows, dimension: Dimension, base: list, sold: dict, refunded: dict,
                     points: dict) -> Figures:
    """The totals, from the rows' sums (every sale line and returned line is in exactly one row) without reading
    the lines again; only the counts of sales and returns, which a line-level row counts once per row, are
    counted again, from the sales and returns of the period."""
    sold_sum = {name: sum(int(r[name] or 0) for r in sold.values()) for name in _ADDITIVE}
    refunded_sum = {name: sum(int(r[name] or 0) for r in refunded.values())
                    for name in ("value", "fund", "maker", "running", "fund_points")}
    if dimension in (Dimension.CATEGORY, Dimension.SOURCE):
        sold_sum["sales"] = int((await run(db, "SELECT COUNT(*) AS n FROM sale s WHERE s.shop = $1 "
                                           "AND s.created_at >= $2 AND s.created_at < $3", *base))[0]["n"])
        tables = _return_tables()
        refunded_sum["refunds"] = int((await run(db, f"SELECT COUNT(*) AS n FROM {tables[0]} r WHERE r.shop = $1 "
                                                 "AND r.created_at >= $2 AND r.created_at < $3", *base))[0]["n"]
                                      ) if tables else 0
    else:
        sold_sum["sales"] = sum(int(r["sales"] or 0) for r in sold.values())
        refunded_sum["refunds"] = sum(int(r["refunds"] or 0) for r in refunded.values())
    total_points = None
    if _has_points_column():
        if dimension in (Dimension.CATEGORY, Dimension.SOURCE):
            total_points = (await _points_redeemed(db, None, base, "")).get("", 0)
        else:
            total_points = sum(points.values())
    return _figures("", "", sold_sum, refunded_sum, total_points)


def _figures(key: str, label: str, sold: dict | None, refunded: dict | None, points: int | None) -> Figures:
    sold, refunded = sold or {}, refunded or {}

    def n(row: dict, name: str) -> int:
        return int(row.get(name) or 0)

    gross, value, refund = n(sold, "gross"), n(sold, "value"), n(refunded, "value")
    fund = n(sold, "fund") - n(refunded, "fund")
    fund_points = n(sold, "fund_points") - n(refunded, "fund_points")
    return Figures(
        key=key, label=label, sales=n(sold, "sales"), lines=n(sold, "lines"), pieces=n(sold, "pieces"),
        gross_fen=gross, discount_fen=gross - value, refunds=n(refunded, "refunds"), refund_fen=refund,
        net_fen=value - refund, fund_fen=fund, maker_fen=n(sold, "maker") - n(refunded, "maker"),
        running_fen=n(sold, "running") - n(refunded, "running"), fund_cash_fen=fund - fund_points,
        fund_points_fen=fund_points, points_redeemed=points,
    )


async def _labels(dimension: Dimension, shop_id: int, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()] or [0]
    if dimension is Dimension.TILL:
        rows = await Till.select(Till.id, Till.code, Till.name).where((Till.shop == shop_id) & Till.id.is_in(ids))
        return {str(r["id"]): f"{r['code']} {r['name']}".strip() for r in rows}
    if dimension is Dimension.CASHIER:
        rows = await Staff.select(Staff.id, Staff.display_name).where(Staff.id.is_in(ids))
        return {str(r["id"]): r["display_name"] for r in rows}
    return {}


async def donations_received(*, shop_id: int, period: Period) -> DonationsReceived:
    """Gifts recorded at the intake desk on the period's days (their date of receipt)."""
    rows = await run(Sale._meta.db, """
        SELECT COUNT(DISTINCT d.id) AS donations,
               COALESCE(SUM(CASE WHEN i.item IS NOT NULL THEN i.quantity ELSE 0 END), 0) AS pieces,
               COALESCE(SUM(CASE WHEN i.item IS NULL THEN i.quantity ELSE 0 END), 0) AS refused
        FROM donation d LEFT JOIN donated_item i ON i.donation = d.id
        WHERE d.shop = $1 AND d.received_on >= $2 AND d.received_on <= $3""", shop_id, period.first, period.last)
    row = rows[0]
    return DonationsReceived(donations=int(row["donations"] or 0), pieces=int(row["pieces"] or 0),
                             refused_pieces=int(row["refused"] or 0))


def _utc_hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def summarised(period: Period, zone: ZoneInfo) -> bool:
    """Whether the hourly summaries can answer for this period: every day of it starts on a whole UTC hour."""
    return all(bound.astimezone(UTC).minute == 0 and bound.second == 0 and bound.microsecond == 0
               for day in period.each_day() for bound in day_bounds(day, zone))


# The hourly summaries (the migration that makes them explains them), by dimension: the table, the key, and
# the columns counting sales and returns once per row of that dimension.
_SUMMARY = {
    Dimension.CATEGORY: ("report_line_hour", "h.category_code", "sales_in_category", "returns_in_category"),
    Dimension.SOURCE: ("report_line_hour", "h.source", "sales_in_source", "returns_in_source"),
    Dimension.TILL: ("report_sale_hour", "h.till", "sales", "returns"),
    Dimension.CASHIER: ("report_sale_hour", "h.cashier", "sales", "returns"),
    Dimension.DAY: ("report_sale_hour", "d.day", "sales", "returns"),
    None: ("report_sale_hour", "''", "sales", "returns"),
}


async def _from_summaries(db, dimension: Dimension | None, shop_id: int, period: Period,
                          zone: ZoneInfo) -> tuple[dict, dict, dict]:
    """(sold, refunded, points) by key, from the hourly summaries: a few rows an hour, whatever the shop sold."""
    table, key, sales, returns = _SUMMARY[dimension]
    start, end = period.bounds(zone)
    args: list = [shop_id, _utc_hour(start), _utc_hour(end)]
    days, source, where = "", f"FROM {table} h", "h.shop = $1 AND h.utc_hour >= $2 AND h.utc_hour < $3"
    if dimension is Dimension.DAY:
        cast = "::text" if db.engine_type == "postgres" else ""
        rows = []
        for n, day in enumerate(period.each_day()):
            first, last = day_bounds(day, zone)
            rows.append(f"(${4 + 3 * n}{cast}, ${5 + 3 * n}{cast}, ${6 + 3 * n}{cast})")
            args += [day.isoformat(), _utc_hour(first), _utc_hour(last)]
        days = "WITH days(day, start_at, end_at) AS (VALUES " + ", ".join(rows) + ") "
        source = f"FROM days d CROSS JOIN {table} h"
        where = ("h.shop = $1 AND d.start_at >= $2 AND d.end_at <= $3 AND h.utc_hour >= d.start_at "
                 "AND h.utc_hour < d.end_at")
    points = "SUM(h.points)" if table == "report_sale_hour" else "0"
    rows = await run(db, f"""{days}SELECT {key} AS key, SUM(h.{sales}) AS sales, SUM(h.lines) AS lines,
        SUM(h.pieces) AS pieces, SUM(h.gross) AS gross, SUM(h.value) AS value, SUM(h.fund) AS fund,
        SUM(h.maker) AS maker, SUM(h.running) AS running, SUM(h.fund_points) AS fund_points,
        SUM(h.{returns}) AS refunds, SUM(h.refund_value) AS refund_value, SUM(h.refund_fund) AS refund_fund,
        SUM(h.refund_maker) AS refund_maker, SUM(h.refund_running) AS refund_running,
        SUM(h.refund_fund_points) AS refund_fund_points, {points} AS points
        {source} WHERE {where} {"" if dimension is None else f"GROUP BY {key}"}""", *args)
    sold, refunded, spent = {}, {}, {}
    for row in rows:
        if dimension is not None and not (row["lines"] or row["refunds"]):
            continue  # an hour's row that only ever held zeros
        k = str(row["key"])
        sold[k] = {name: row[name] for name in ("sales", "lines", "pieces", "gross", "value", "fund", "maker",
                                                 "running", "fund_points")}
        refunded[k] = {"refunds": row["refunds"], **{name: row[f"refund_{name}"] for name in (
            "value", "fund", "maker", "running", "fund_points")}}
        spent[k] = int(row["points"] or 0)
    return sold, refunded, spent


async def report(*, shop_id: int, period: Period, dimension: Dimension | str, zone: ZoneInfo,
                 from_lines: bool = False) -> Report:
    """The period's figures by `dimension`, and their totals. Sales and refunds count on the day they
    happened (a refund in this period of a sale made earlier lowers this period's figures).

    Read from the hourly summaries when the period's days start on whole UTC hours, else (or `from_lines`)
    summed from the sale lines and returned lines themselves: the same figures either way."""
    try:
        dimension = Dimension(dimension)
    except ValueError:
        raise DomainError(SaleError.BAD_DIMENSION, dimension=str(dimension)[:16]) from None
    db = Sale._meta.db
    big = "BIGINT" if db.engine_type == "postgres" else "INTEGER"
    start, end = period.bounds(zone)
    base = [shop_id, start, end]
    if not from_lines and summarised(period, zone):
        rows_sold, rows_refunded, points = await _from_summaries(db, dimension, shop_id, period, zone)
        if dimension in (Dimension.CATEGORY, Dimension.SOURCE):  # a sale counts in several rows: count again
            total_sold, total_refunded, total_points = await _from_summaries(db, None, shop_id, period, zone)
        else:  # each sale and return is in exactly one row: the totals are the rows' sums
            refund_names = ("refunds", "value", "fund", "maker", "running", "fund_points")
            total_sold = {"": {name: sum(int(r[name] or 0) for r in rows_sold.values())
                               for name in ("sales",) + _ADDITIVE}}
            total_refunded = {"": {name: sum(int(r[name] or 0) for r in rows_refunded.values())
                                   for name in refund_names}}
            total_points = {"": sum(points.values())}
        summed = _figures("", "", total_sold.get(""), total_refunded.get(""),
                          total_points.get("", 0) if _has_points_column() else None)
    else:
        days, day_args = _days_cte(db.engine_type, period, zone, 4) if dimension is Dimension.DAY else ("", [])
        rows_sold = {str(r["key"]): r for r in await _sales_figures(db, dimension, base + day_args, days, big)}
        rows_refunded = {str(r["key"]): r for r in await _refund_figures(db, dimension, base + day_args, days, big)}
        points = await _points_redeemed(db, dimension, base + day_args, days)
        summed = None
    keys = sorted(set(rows_sold) | set(rows_refunded))
    if dimension is Dimension.DAY:
        keys = [day.isoformat() for day in period.each_day()]  # every day, sold on or not: a chart's x axis
    labels = await _labels(dimension, shop_id, keys)
    sale_level = dimension not in (Dimension.CATEGORY, Dimension.SOURCE) and _has_points_column()
    rows = tuple(_figures(k, labels.get(k, k), rows_sold.get(k), rows_refunded.get(k),
                          points.get(k, 0) if sale_level else None) for k in keys)
    if dimension is not Dimension.DAY:
        rows = tuple(sorted(rows, key=lambda f: (-f.net_fen, f.label)))
    totals = summed or await _totals_of(db, rows, dimension, base, rows_sold, rows_refunded, points)
    return Report(period=period, start=start, end=end, dimension=dimension, rows=rows, totals=totals,
                  donations=await donations_received(shop_id=shop_id, period=period),
                  with_returns=_return_tables() is not None, with_points=_has_points_column())
