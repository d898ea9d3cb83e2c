"""What was sold, net of returns: the one read model every figure a person reads is taken from.

A row for each sale line, and a row for each returned line with its pieces, value and split parts negated,
so a plain SUM over any rows is net of returns. Each row carries its kind ("sale" or "return"), the sale,
the return, the line, when it happened, the till and cashier (the return's own for a return), the item,
its name, category, goods source, maker and the maker's percent, the pieces, the gross (unit price ×
pieces, sales only), the value, the fund's, maker's and running-cost parts, and the fund's part paid in
points (reports.FUND_TENDER_RULE: a refund split as the sale it refunds).

`sold_sql()` builds the SQL text (pure); the readers below run it. The reports' sales figures, the
manager's day page, a maker's statement and earnings, a donor's impact, and two rules of verify() read it.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import UTC, datetime

from shop import sql
from shop.database import as_time, run

from pos.numbers import return_number, sale_number
from pos.tables import Sale

# All of time, for a reader that wants every sale of a shop.
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


def points_part_sql(fund: str, total: str, points: str, big: str) -> str:
    """reports.fund_in_points() in SQL: the floor of the points' exact share, plus the fen left over when its
    remainder is strictly the larger (a tie goes to cash, the earlier part). Works for a negative
    `fund` too, as allocate() does (the opposite's parts, negated)."""
    f = f"ABS(CAST({fund} AS {big}))"
    p, c = f"CAST({points} AS {big})", f"CAST({total} - {points} AS {big})"
    part = (f"({f} * {p}) / {total} + CASE WHEN {f} - ({f} * {c}) / {total} - ({f} * {p}) / {total} > 0 "
            f"AND ({f} * {p}) % {total} > ({f} * {c}) % {total} THEN 1 ELSE 0 END")
    sign = f"CASE WHEN {fund} < 0 THEN -1 ELSE 1 END"
    return f"CASE WHEN {points} IS NULL OR {points} = 0 OR {total} = 0 THEN 0 ELSE {sign} * ({part}) END"


_IN_PERIOD = "{t}.shop = $1 AND {t}.created_at >= $2 AND {t}.created_at < $3"
# By day: the days table (d: day, start_at, end_at) leads, each day an index range of sales or returns.
_IN_DAY = "{t}.shop = $1 AND d.start_at >= $2 AND d.end_at <= $3 AND {t}.created_at >= d.start_at " \
          "AND {t}.created_at < d.end_at"


def sold_sql(*, big: str, period: bool = True, by_day: bool = False, lines: str = "", session: bool = False) -> str:
    """The read model as a SELECT (a UNION ALL of sold lines and returned lines, negated).

    period: only the sales and returns of shop $1 made in [$2, $3); else every shop's, ever (verify()).
    session: instead, the sales and returns made in till session $1 (an X or Z report).
    by_day: the caller's WITH days(day, start_at, end_at) table is joined, and each row has its `day`.
    lines: a further condition on the sale line `l` (its maker, its item), with the caller's own $4….
    """
    also = f" AND ({lines})" if lines else ""
    day_column, days = (", d.day AS day", "days d CROSS JOIN ") if by_day else ("", "")
    if session:
        sale_where, return_where = "s.session = $1", "r.session = $1"
        paid_sales = "JOIN sale s2 ON s2.id = t.sale WHERE s2.session = $1 AND"
        paid_returns = "WHERE t.sale IN (SELECT r2.sale FROM sale_return r2 WHERE r2.session = $1) AND"
    elif period:
        sale_where = (_IN_DAY if by_day else _IN_PERIOD).format(t="s")
        return_where = (_IN_DAY if by_day else _IN_PERIOD).format(t="r")
        paid_sales = f"JOIN sale s2 ON s2.id = t.sale WHERE {_IN_PERIOD.format(t='s2')} AND"
        paid_returns = f"WHERE t.sale IN (SELECT r2.sale FROM sale_return r2 WHERE {_IN_PERIOD.format(t='r2')}) AND"
    else:
        sale_where = return_where = "1 = 1"
        paid_sales = paid_returns = "WHERE"
    points = "SELECT t.sale, SUM(t.amount_fen) AS fen FROM tender t {filter} t.kind = 'points' GROUP BY t.sale"
    return f"""
        SELECT 'sale' AS kind, s.shop, s.id AS sale_id, NULL AS return_id, l.id AS line_id, s.created_at AS at,
               s.till, s.cashier, l.item, l.name, l.category_code, l.source, l.maker_id, l.rule_maker,
               l.quantity AS pieces, CAST(l.unit_price_fen AS {big}) * l.quantity AS gross_fen,
               l.value_fen, l.fund_fen, l.maker_fen, l.running_fen,
               {points_part_sql('l.fund_fen', 's.total_fen', 'p.fen', big)} AS fund_points_fen{day_column}
        FROM {days}sale s JOIN sale_line l ON l.sale = s.id
        LEFT JOIN ({points.format(filter=paid_sales)}) p ON p.sale = s.id
        WHERE {sale_where}{also}
        UNION ALL
        SELECT 'return' AS kind, r.shop, r.sale AS sale_id, r.id AS return_id, l.id AS line_id, r.created_at AS at,
               r.till, r.cashier, l.item, l.name, l.category_code, l.source, l.maker_id, l.rule_maker,
               -rl.quantity AS pieces, CAST(0 AS {big}) AS gross_fen,
               -rl.value_fen AS value_fen, -rl.fund_fen AS fund_fen, -rl.maker_fen AS maker_fen,
               -rl.running_fen AS running_fen,
               -({points_part_sql('rl.fund_fen', 's.total_fen', 'p.fen', big)}) AS fund_points_fen{day_column}
        FROM {days}sale_return r JOIN return_line rl ON rl."return" = r.id JOIN sale_line l ON l.id = rl.sale_line
        JOIN sale s ON s.id = r.sale
        LEFT JOIN ({points.format(filter=paid_returns)}) p ON p.sale = s.id
        WHERE {return_where}{also}"""


# --- readers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoldRow:
    """One row of the read model: a sold line, or a returned line (its figures negative)."""

    kind: str  # sale | return
    sale_id: int
    return_id: int | None
    line_id: int
    at: datetime
    till: int
    cashier: int
    item: int
    name: str
    category_code: str
    source: str
    maker_id: int | None
    rule_maker: int
    pieces: int
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    fund_points_fen: int


def _db():
    return Sale._meta.db


async def sold_lines(*, shop_id: int, start: datetime, end: datetime, maker_id: int | None = None) -> list[SoldRow]:
    """The rows of [start, end), in the order they happened (a sale's lines, then a return's, by id);
    only a maker's goods when `maker_id` is given."""
    db = _db()
    args: list = [shop_id, start, end]
    lines = ""
    if maker_id is not None:
        lines, args = "l.maker_id = $4", args + [maker_id]
    rows = await run(db, f"SELECT * FROM ({sold_sql(big=sql.big_integer(db), lines=lines)}) x "
                         "ORDER BY x.at, x.kind DESC, x.line_id", *args)
    return [SoldRow(
        kind=row["kind"], sale_id=row["sale_id"], return_id=row["return_id"], line_id=row["line_id"],
        at=as_time(row["at"]), till=row["till"], cashier=row["cashier"], item=row["item"], name=row["name"],
        category_code=row["category_code"], source=row["source"], maker_id=row["maker_id"],
        rule_maker=row["rule_maker"], pieces=int(row["pieces"]), value_fen=int(row["value_fen"]),
        fund_fen=int(row["fund_fen"]), maker_fen=int(row["maker_fen"]), running_fen=int(row["running_fen"]),
        fund_points_fen=int(row["fund_points_fen"])) for row in rows]


@dataclass(frozen=True)
class SoldTotals:
    """Sums over rows of the read model: net of returns."""

    pieces: int
    value_fen: int
    fund_fen: int
    maker_fen: int
    running_fen: int
    fund_points_fen: int


def _totals(row: dict) -> SoldTotals:
    return SoldTotals(*(int(row[name] or 0) for name in (
        "pieces", "value_fen", "fund_fen", "maker_fen", "running_fen", "fund_points_fen")))


_SUMS = ("SUM(x.pieces) AS pieces, SUM(x.value_fen) AS value_fen, SUM(x.fund_fen) AS fund_fen, "
         "SUM(x.maker_fen) AS maker_fen, SUM(x.running_fen) AS running_fen, SUM(x.fund_points_fen) AS fund_points_fen")


async def sold_totals(*, shop_id: int, start: datetime = EVER[0], end: datetime = EVER[1]) -> SoldTotals:
    """What the shop sold in [start, end) (default: ever), net of returns."""
    db = _db()
    rows = await run(db, f"SELECT {_SUMS} FROM ({sold_sql(big=sql.big_integer(db))}) x",
                     shop_id, start, end)
    return _totals(rows[0])


async def sold_in_session(*, session_id: int) -> tuple[SoldTotals, SoldTotals]:
    """What a till session sold, and what came back in it (its figures positive): an X or Z report's split."""
    db = _db()
    rows = {row["kind"]: row for row in await run(
        db, f"SELECT x.kind, {_SUMS} FROM ({sold_sql(big=sql.big_integer(db), session=True)}) x "
            "GROUP BY x.kind", session_id)}
    sold = _totals(rows["sale"]) if "sale" in rows else SoldTotals(0, 0, 0, 0, 0, 0)
    back = _totals(rows["return"]) if "return" in rows else SoldTotals(0, 0, 0, 0, 0, 0)
    return sold, SoldTotals(*(-value for value in astuple(back)))


async def sold_by_item(*, shop_id: int, items: list[int]) -> dict[int, SoldTotals]:
    """Each of these items' pieces sold and split parts, ever, net of returns."""
    if not items:
        return {}
    db = _db()
    marks = sql.placeholders(4, len(items))
    rows = await run(db, f"""SELECT x.item, {_SUMS}
        FROM ({sold_sql(big=sql.big_integer(db), lines=f"l.item IN ({marks})")}) x GROUP BY x.item""",
                     shop_id, *EVER, *items)
    return {row["item"]: _totals(row) for row in rows}


async def sold_by_maker(*, shop_id: int) -> dict[int, SoldTotals]:
    """Each maker's goods sold, ever, net of returns: their share is what they earned."""
    db = _db()
    rows = await run(db, f"""SELECT x.maker_id, {_SUMS}
        FROM ({sold_sql(big=sql.big_integer(db), lines="l.maker_id IS NOT NULL")}) x GROUP BY x.maker_id""",
                     shop_id, *EVER)
    return {row["maker_id"]: _totals(row) for row in rows}


@dataclass(frozen=True)
class SaleOrReturn:
    """A sale or a return of a period, as the manager's day page lists them: a return's figures negative."""

    kind: str  # sale | return
    number: str  # S0000… or R0000…
    sale_number: str
    at: datetime
    cashier_id: int
    value_fen: int
    fund_fen: int


async def sales_and_returns(*, shop_id: int, start: datetime, end: datetime, limit: int = 500) -> list[SaleOrReturn]:
    """The period's sales and returns, newest first, each with its value and fund share (net: a return negative)."""
    db = _db()
    rows = await run(db, f"""SELECT x.kind, x.sale_id, x.return_id, MIN(x.at) AS at, MIN(x.cashier) AS cashier,
               SUM(x.value_fen) AS value_fen, SUM(x.fund_fen) AS fund_fen
        FROM ({sold_sql(big=sql.big_integer(db))}) x
        GROUP BY x.kind, x.sale_id, x.return_id ORDER BY MIN(x.at) DESC, x.kind LIMIT {int(limit)}""",
                     shop_id, start, end)
    return [SaleOrReturn(kind=row["kind"], number=return_number(row["return_id"]) if row["kind"] == "return"
                    else sale_number(row["sale_id"]), sale_number=sale_number(row["sale_id"]), at=as_time(row["at"]),
                    cashier_id=row["cashier"], value_fen=int(row["value_fen"] or 0), fund_fen=int(row["fund_fen"] or 0))
            for row in rows]
