"""Reports over sales: what was sold in a period and where every fen of it went.

`report()` gives any day, week, month or custom period (the shop's local days) broken down by category,
goods source, till, cashier or day: gross, discounts, refunds, net, the fund's, makers' and running-cost
shares, the fund's share paid in cash and in points (FUND_TENDER_RULE), points redeemed and donations
received. Every figure is a SQL aggregate: read from the hourly summaries the database keeps by trigger
(pos's migration), with the outbox rows not folded into them yet (pos/summaries.py), when the period's days
start on whole UTC hours, else summed from the read model of what was sold, net of returns (pos/sold.py);
the two agree (tests/pos/test_reports.py, and a rule of verify()). The manager's day page is `report()` for
one day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from shop import sql
from shop.database import run
from shop.errors import DomainError
from shop.money import allocate
from shop.tables import Staff

from pos.errors import SaleError
from pos.sold import sales_and_returns, sold_sql
from pos.summaries import summed_by
from pos.tables import Sale, Till


# The shop's calendar: a day outside it is a typing mistake, and near year 1 or 9999 its local midnight or the
# week or month around it is past what a datetime can hold. Periods and statements check their days here.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def check_day(day: date) -> date:
    """`day` if it is in the shop's calendar, else BAD_DAY."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(SaleError.BAD_DAY, day=day.isoformat(), first=FIRST_DAY.isoformat(),
                          last=LAST_DAY.isoformat())
    return day


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The shop's local day as a UTC interval [start, end)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


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
    check_day(day)
    if last is not None:
        check_day(last)
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
class WishesFulfilled:
    wishes: int  # wishes on the wall (微心愿) fulfilled in the period, every way
    from_stock_fen: int  # the value of the goods given from stock, paid by the community fund


@dataclass(frozen=True)
class Report:
    period: Period
    start: datetime
    end: datetime
    dimension: Dimension
    rows: tuple[Figures, ...]
    totals: Figures
    donations: DonationsReceived
    wishes: WishesFulfilled


FUND_TENDER_RULE = (
    "The fund's share of a sale paid partly in points is split between cash and points in proportion to the "
    "tenders' amounts, with the shop's one rounding rule (shop.money.allocate, weights: cash, then points), "
    "line by line, so the parts add up exactly in every breakdown; a refund is split as the sale it refunds."
)


def fund_in_points(fund_fen: int, total_fen: int, points_fen: int) -> int:
    """The points part of `fund_fen` for a sale of `total_fen` of which `points_fen` was paid in points:
    allocate(fund, [cash, points])[1]. pos.sold.points_part_sql computes the same in SQL (tests/pos/test_reports.py)."""
    if total_fen == 0 or points_fen == 0:
        return 0
    return allocate(fund_fen, [total_fen - points_fen, points_fen])[1]


# The key of each dimension over the read model's rows (pos/sold.py; a return's till and cashier are its own).
_KEYS = {Dimension.CATEGORY: "x.category_code", Dimension.SOURCE: "x.source", Dimension.TILL: "x.till",
         Dimension.CASHIER: "x.cashier", Dimension.DAY: "x.day", None: "''"}


def _days_cte(db, period: Period, zone: ZoneInfo, first_arg: int) -> tuple[str, list]:
    """A table of the period's days and their UTC bounds: the day of a sale is its local date, exactly, on
    both engines (PostgreSQL's AT TIME ZONE has no match in SQLite)."""
    rows, args = [], []
    for n, day in enumerate(period.each_day()):
        start, end = day_bounds(day, zone)
        i = first_arg + 3 * n
        rows.append(f"({sql.typed(db, f'${i}', 'text')}, {sql.typed(db, f'${i + 1}', 'timestamptz')}, "
                    f"{sql.typed(db, f'${i + 2}', 'timestamptz')})")
        args += [day.isoformat(), start, end]
    return "WITH days(day, start_at, end_at) AS (VALUES " + ", ".join(rows) + ") ", args


_PARTS = ("value", "fund", "maker", "running", "fund_points")  # a return gives back these
_ADDITIVE = ("lines", "pieces", "gross") + _PARTS  # a sale's figures (its count aside), summed over rows


async def _from_read_model(db, dimension: Dimension | None, shop_id: int, period: Period,
                           zone: ZoneInfo) -> tuple[dict, dict, dict]:
    """(sold, refunded, points) by key, summed from the read model of what was sold (pos/sold.py)."""
    start, end = period.bounds(zone)
    by_day = dimension is Dimension.DAY
    days, args = _days_cte(db, period, zone, 4) if by_day else ("", [])
    key = _KEYS[dimension]
    sold_parts = ", ".join(f"SUM(CASE WHEN x.kind = 'sale' THEN x.{name}_fen ELSE 0 END) AS {name}" for name in _PARTS)
    refunded_parts = ", ".join(f"-SUM(CASE WHEN x.kind = 'return' THEN x.{name}_fen ELSE 0 END) AS refund_{name}"
                               for name in _PARTS)
    rows = await run(db, f"""{days}SELECT {key} AS key,
        COUNT(DISTINCT CASE WHEN x.kind = 'sale' THEN x.sale_id END) AS sales,
        SUM(CASE WHEN x.kind = 'sale' THEN 1 ELSE 0 END) AS lines,
        SUM(CASE WHEN x.kind = 'sale' THEN x.pieces ELSE 0 END) AS pieces, SUM(x.gross_fen) AS gross,
        {sold_parts}, COUNT(DISTINCT CASE WHEN x.kind = 'return' THEN x.return_id END) AS refunds, {refunded_parts}
        FROM ({sold_sql(big=sql.big_integer(db), by_day=by_day)}) x
        {"" if dimension is None else f"GROUP BY {key}"}""", shop_id, start, end, *args)
    sold, refunded = {}, {}
    for row in rows:
        k = str(row["key"])
        sold[k] = {name: row[name] for name in ("sales",) + _ADDITIVE}
        refunded[k] = {"refunds": row["refunds"], **{name: row[f"refund_{name}"] for name in _PARTS}}
    return sold, refunded, await _points_redeemed(db, dimension, shop_id, period, zone)


async def _points_redeemed(db, dimension: Dimension | None, shop_id: int, period: Period,
                           zone: ZoneInfo) -> dict[str, int]:
    """Points spent at the tills by key (a sale's tenders: a category or source cannot say)."""
    if dimension in (Dimension.CATEGORY, Dimension.SOURCE):
        return {}
    start, end = period.bounds(zone)
    by_day = dimension is Dimension.DAY
    days, args = _days_cte(db, period, zone, 4) if by_day else ("", [])
    key = {Dimension.TILL: "s.till", Dimension.CASHIER: "s.cashier", Dimension.DAY: "d.day", None: "''"}[dimension]
    source = "FROM days d CROSS JOIN sale s" if by_day else "FROM sale s"
    where = ("s.shop = $1 AND d.start_at >= $2 AND d.end_at <= $3 AND s.created_at >= d.start_at "
             "AND s.created_at < d.end_at") if by_day else "s.shop = $1 AND s.created_at >= $2 AND s.created_at < $3"
    rows = await run(db, f"""{days}SELECT {key} AS key, SUM(t.points) AS points {source}
        JOIN tender t ON t.sale = s.id WHERE t.kind = 'points' AND {where}
        {"" if dimension is None else f"GROUP BY {key}"}""", shop_id, start, end, *args)
    return {str(row["key"]): int(row["points"] or 0) for row in rows}


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


_WISHES = """SELECT COUNT(*) AS wishes, COALESCE(SUM(value_fen), 0) AS wishes_value FROM wish
    WHERE shop = $1 AND fulfilled_at >= ${start} AND fulfilled_at < ${end}"""
_DONATIONS = """SELECT COUNT(DISTINCT d.id) AS donations,
        COALESCE(SUM(CASE WHEN i.item IS NOT NULL THEN i.quantity ELSE 0 END), 0) AS pieces,
        COALESCE(SUM(CASE WHEN i.item IS NULL THEN i.quantity ELSE 0 END), 0) AS refused
    FROM donation d LEFT JOIN donated_item i ON i.donation = d.id
    WHERE d.shop = $1 AND d.received_on >= ${first} AND d.received_on <= ${last}"""


def _wishes(row: dict) -> WishesFulfilled:
    return WishesFulfilled(wishes=int(row["wishes"] or 0), from_stock_fen=int(row["wishes_value"] or 0))


def _donations(row: dict) -> DonationsReceived:
    return DonationsReceived(donations=int(row["donations"] or 0), pieces=int(row["pieces"] or 0),
                             refused_pieces=int(row["refused"] or 0))


async def wishes_fulfilled(*, shop_id: int, start: datetime, end: datetime) -> WishesFulfilled:
    """Wishes fulfilled in [start, end), and the goods given from stock for them (pos/wishes.py)."""
    return _wishes((await run(Sale._meta.db, _WISHES.format(start=2, end=3), shop_id, start, end))[0])


async def donations_received(*, shop_id: int, period: Period) -> DonationsReceived:
    """Gifts recorded at the intake desk on the period's days (their date of receipt)."""
    return _donations((await run(Sale._meta.db, _DONATIONS.format(first=2, last=3), shop_id, period.first,
                                 period.last))[0])


def _utc_hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


@lru_cache(maxsize=64)
def summarised(period: Period, zone: ZoneInfo) -> bool:
    """Whether the hourly summaries can answer for this period: every day of it starts on a whole UTC hour."""
    return all(bound.astimezone(UTC).minute == 0 and bound.second == 0 and bound.microsecond == 0
               for day in period.each_day() for bound in day_bounds(day, zone))


# The hourly summaries (the migration that makes them explains them), by dimension: the table, the key, and
# the columns counting sales and returns once per row of that dimension (the key of a day: _local_day).
_SUMMARY = {
    Dimension.CATEGORY: ("report_line_hour", "h.category_code", "sales_in_category", "returns_in_category"),
    Dimension.SOURCE: ("report_line_hour", "h.source", "sales_in_source", "returns_in_source"),
    Dimension.TILL: ("report_sale_hour", "h.till", "sales", "returns"),
    Dimension.CASHIER: ("report_sale_hour", "h.cashier", "sales", "returns"),
    Dimension.DAY: ("report_sale_hour", None, "sales", "returns"),
    None: ("report_sale_hour", None, "sales", "returns"),
}
_SUMMED = ("lines", "pieces", "gross", "value", "fund", "maker", "running", "fund_points", "refund_value",
           "refund_fund", "refund_maker", "refund_running", "refund_fund_points")


@lru_cache(maxsize=64)
def _offsets(period: Period, zone: ZoneInfo) -> tuple[tuple[str, int], ...]:
    """The zone's UTC offset in minutes over the period's hours, from the first: ((UTC hour it holds from, minutes),
    …), a second entry only where daylight saving time begins or ends in the period."""
    held: list[tuple[str, int]] = []

    def minutes(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds()) // 60

    for day in period.each_day():
        first, last = day_bounds(day, zone)
        if held and minutes(first) == held[-1][1] == minutes(last - timedelta(hours=1)):
            continue
        hour = first
        while hour < last:  # a day the clocks change (or the first): hour by hour
            if not held or minutes(hour) != held[-1][1]:
                held.append((_utc_hour(hour), minutes(hour)))
            hour += timedelta(hours=1)
    return tuple(held)


def _local_day(db, period: Period, zone: ZoneInfo) -> str:
    """The shop's local day (YYYY-MM-DD) of a summary row's UTC hour `h.utc_hour`, as SQL: the hour plus the zone's
    offset then, exact as each day of a summarised period starts on a whole UTC hour."""
    def shifted(minutes: int) -> str:
        return sql.hour_date(db, "h.utc_hour", minutes)

    (_, first), *changes = _offsets(period, zone)
    if not changes:
        return shifted(first)
    whens = [f"WHEN h.utc_hour < '{hour}' THEN {shifted(minutes)}"
             for (hour, _), (_, minutes) in zip(changes, ((None, first), *changes[:-1]))]
    return f"CASE {' '.join(whens)} ELSE {shifted(changes[-1][1])} END"


async def _from_summaries(db, dimension: Dimension | None, shop_id: int, period: Period,
                          zone: ZoneInfo) -> tuple[dict, dict, dict]:
    """(sold, refunded, points) by key, from the hourly summaries: a few rows an hour, whatever the shop sold."""
    table, key, sales, returns = _SUMMARY[dimension]
    if dimension is Dimension.DAY:
        key = _local_day(db, period, zone)
    start, end = period.bounds(zone)
    sums = {"sales": f"h.{sales}", **{name: f"h.{name}" for name in _SUMMED}, "refunds": f"h.{returns}"}
    if table == "report_sale_hour":
        sums["points"] = "h.points"
    rows = await run(db, summed_by(table, key, sums, "h.shop = $1 AND h.utc_hour >= $2 AND h.utc_hour < $3"),
                     shop_id, _utc_hour(start), _utc_hour(end))
    sold, refunded, spent = {}, {}, {}
    for row in rows:
        if dimension is not None and not (row["lines"] or row["refunds"]):
            continue  # an hour's row that only ever held zeros
        k = str(row["key"])
        sold[k] = {name: row[name] for name in ("sales", "lines", "pieces", "gross", "value", "fund", "maker",
                                                 "running", "fund_points")}
        refunded[k] = {"refunds": row["refunds"], **{name: row[f"refund_{name}"] for name in (
            "value", "fund", "maker", "running", "fund_points")}}
        spent[k] = int(row.get("points") or 0)
    return sold, refunded, spent


async def _besides(db, shop_id: int, period: Period, zone: ZoneInfo, counted: bool) -> dict:
    """What a report shows besides its rows, in one statement: the donations received and wishes fulfilled, and when
    `counted` the period's sales, returns and points spent from the summaries (a breakdown by category or goods
    source counts a sale in each of its rows, so cannot sum them)."""
    start, end = period.bounds(zone)
    args: list = [shop_id, start, end, period.first, period.last]
    counts = ""
    if counted:
        counts = (" CROSS JOIN (" + summed_by("report_sale_hour", None, {
            "sales": "h.sales", "refunds": "h.returns", "points": "h.points"},
            "h.shop = $1 AND h.utc_hour >= $6 AND h.utc_hour < $7") + ") c")
        args += [_utc_hour(start), _utc_hour(end)]
    rows = await run(db, f"SELECT * FROM ({_WISHES.format(start=2, end=3)}) w "
                         f"CROSS JOIN ({_DONATIONS.format(first=4, last=5)}) d{counts}", *args)
    return rows[0]


async def _both(db, first: Coroutine, second: Coroutine) -> tuple:
    """Two reads that need nothing of each other: at once, on two connections, outside a transaction (a year's report
    by category waits for the longer of its two scans, not for both: bench/report_bench.py); one after the other on
    the transaction's one connection inside one."""
    if db.current_transaction.get() is not None:
        return await first, await second
    tasks = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        return tuple(await asyncio.gather(*tasks))
    except BaseException:  # the first error as it was raised, the other read stopped
        for task in tasks:
            task.cancel()
        raise


async def report(*, shop_id: int, period: Period, dimension: Dimension | str, zone: ZoneInfo,
                 from_lines: bool = False) -> Report:
    """The period's figures by `dimension`, and their totals. Sales and refunds count on the day they
    happened (a refund in this period of a sale made earlier lowers this period's figures).

    Read from the hourly summaries when the period's days start on whole UTC hours, else (or `from_lines`)
    summed from the read model of what was sold (pos/sold.py): the same figures either way."""
    try:
        dimension = Dimension(dimension)
    except ValueError:
        raise DomainError(SaleError.BAD_DIMENSION, dimension=str(dimension)[:16]) from None
    db = Sale._meta.db
    start, end = period.bounds(zone)
    summaries = not from_lines and summarised(period, zone)
    read = _from_summaries if summaries else _from_read_model
    sale_level = dimension not in (Dimension.CATEGORY, Dimension.SOURCE)
    (rows_sold, rows_refunded, points), besides = await _both(
        db, read(db, dimension, shop_id, period, zone),
        _besides(db, shop_id, period, zone, counted=summaries and not sale_level))
    if sale_level or summaries:  # each line and returned line is in exactly one row: the totals are the rows' sums
        total_sold = {"": {name: sum(int(r[name] or 0) for r in rows_sold.values()) for name in ("sales",) + _ADDITIVE}}
        total_refunded = {"": {name: sum(int(r[name] or 0) for r in rows_refunded.values())
                               for name in ("refunds",) + _PARTS}}
        total_points = {"": sum(points.values())}
        if not sale_level:  # but a sale or return counts in each category or source it has: counted by the sale
            total_sold[""]["sales"], total_refunded[""]["refunds"] = besides["sales"], besides["refunds"]
            total_points[""] = int(besides["points"] or 0)
    else:  # from the lines, by category or source: count again
        total_sold, total_refunded, total_points = await read(db, None, shop_id, period, zone)
    totals = _figures("", "", total_sold.get(""), total_refunded.get(""), total_points.get("", 0))
    keys = sorted(set(rows_sold) | set(rows_refunded))
    if dimension is Dimension.DAY:
        keys = [day.isoformat() for day in period.each_day()]  # every day, sold on or not: a chart's x axis
    labels = await _labels(dimension, shop_id, keys)
    rows = tuple(_figures(k, labels.get(k, k), rows_sold.get(k), rows_refunded.get(k),
                          points.get(k, 0) if sale_level else None) for k in keys)
    if dimension is not Dimension.DAY:
        rows = tuple(sorted(rows, key=lambda f: (-f.net_fen, f.label)))
    return Report(period=period, start=start, end=end, dimension=dimension, rows=rows, totals=totals,
                  donations=_donations(besides), wishes=_wishes(besides))


async def totals_by_shop(*, period: Period, zone: ZoneInfo) -> dict[int, tuple[Figures, DonationsReceived]]:
    """Every shop's report totals and donations received for the period, by the shop's id, in two queries over the
    whole district (one per shop would cost a district of 20 shops 8× the SQL by hand: bench/district_figures_bench.py).
    Each entry equals report(shop_id=…).totals and .donations; a place that sold and received nothing has none."""
    db = Sale._meta.db
    if summarised(period, zone):
        start, end = period.bounds(zone)
        sums = {"sales": "h.sales", **{name: f"h.{name}" for name in _SUMMED}, "refunds": "h.returns",
                "points": "h.points"}
        rows = await run(db, summed_by("report_sale_hour", "h.shop", sums, "h.utc_hour >= $1 AND h.utc_hour < $2"),
                         _utc_hour(start), _utc_hour(end))
        figures = {row["key"]: _figures("", "", row, {"refunds": row["refunds"], **{
            name: row[f"refund_{name}"] for name in ("value", "fund", "maker", "running", "fund_points")}},
            int(row["points"] or 0)) for row in rows if row["lines"] or row["refunds"]}
    else:  # a zone whose midnight is not on a whole UTC hour: each shop's sales from the read model
        figures = {}
        for row in await run(db, "SELECT DISTINCT shop FROM sale"):
            sold, refunded, points = await _from_read_model(db, None, row["shop"], period, zone)
            figures[row["shop"]] = _figures("", "", sold.get(""), refunded.get(""), points.get("", 0))
    given = {row["shop"]: DonationsReceived(donations=int(row["donations"] or 0), pieces=int(row["pieces"] or 0),
                                            refused_pieces=int(row["refused"] or 0))
             for row in await run(db, """
        SELECT d.shop AS shop, COUNT(DISTINCT d.id) AS donations,
               COALESCE(SUM(CASE WHEN i.item IS NOT NULL THEN i.quantity ELSE 0 END), 0) AS pieces,
               COALESCE(SUM(CASE WHEN i.item IS NULL THEN i.quantity ELSE 0 END), 0) AS refused
        FROM donation d LEFT JOIN donated_item i ON i.donation = d.id
        WHERE d.received_on >= $1 AND d.received_on <= $2 GROUP BY d.shop""", period.first, period.last)}
    nothing, none_given = _figures("", "", None, None, 0), DonationsReceived(donations=0, pieces=0, refused_pieces=0)
    return {shop: (figures.get(shop, nothing), given.get(shop, none_given)) for shop in set(figures) | set(given)}


@dataclass(frozen=True)
class DayEntry:
    """A sale or a return of the day as the manager's day page lists it (a return's figures negative)."""

    kind: str  # sale | return
    number: str  # S0000… or R0000…
    sale_number: str  # the sale's, for a return too
    at: datetime
    cashier: str
    value_fen: int
    fund_fen: int


@dataclass(frozen=True)
class DayReport:
    """The manager's day page: the day's figures net of returns (report() for one day) by goods source,
    category and cashier, and every sale and return of the day."""

    day: date
    start: datetime
    end: datetime
    totals: Figures
    by_source: tuple[Figures, ...]
    by_category: tuple[Figures, ...]
    by_cashier: tuple[Figures, ...]
    entries: tuple[DayEntry, ...]  # newest first


async def day_report(*, shop_id: int, day: date, zone: ZoneInfo, list_limit: int = 500) -> DayReport:
    period = period_of("day", day)
    by = {dimension: await report(shop_id=shop_id, period=period, dimension=dimension, zone=zone)
          for dimension in (Dimension.SOURCE, Dimension.CATEGORY, Dimension.CASHIER)}
    start, end = period.bounds(zone)
    listed = await sales_and_returns(shop_id=shop_id, start=start, end=end, limit=list_limit)
    names = await _labels(Dimension.CASHIER, shop_id, sorted({str(r.cashier_id) for r in listed}))
    return DayReport(
        day=day, start=start, end=end, totals=by[Dimension.SOURCE].totals, by_source=by[Dimension.SOURCE].rows,
        by_category=by[Dimension.CATEGORY].rows, by_cashier=by[Dimension.CASHIER].rows,
        entries=tuple(DayEntry(kind=r.kind, number=r.number, sale_number=r.sale_number, at=r.at,
                               cashier=names.get(str(r.cashier_id), "?"), value_fen=r.value_fen, fund_fen=r.fund_fen)
                      for r in listed))
