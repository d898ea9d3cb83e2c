"""Till sessions: a till is opened with a counted float and closed with a counted drawer.

Opening moves the float from the shop's safe into the drawer (a ledger transaction). While
the session is open the till sells and takes returns; an X report shows where it stands at
any time. Closing records the count: the expected cash is derived from the ledger (the till's
cash entries since the session opened, never a total kept beside it), the difference is booked
as over/short, and the counted cash goes back to the safe, so the drawer's account is at zero
and the next session starts from its own float. A till has one open session at a time (the
database holds to it too: a partial unique index). A sale needs an open session of its till.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol
from datetime import UTC, datetime

import asyncpg

from shop import ledger, sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

from pos.sold import sold_in_session
from pos.errors import SaleError, TillSessionError
from pos.shifts import ShiftRule, record_till_shift
from pos.tables import TillSession

MAX_CASH_FEN = 100_000_000  # ¥1,000,000.00 in a drawer is a typing mistake


def session_number(session_id: int) -> str:
    return f"TS{session_id:08d}"


@dataclass(frozen=True)
class SessionInfo:
    id: int
    number: str
    till_id: int
    till_code: str
    till_name: str
    opened_by: str
    opened_at: datetime
    float_fen: int
    closed_by: str | None = None
    closed_at: datetime | None = None
    counted_fen: int | None = None
    expected_fen: int | None = None
    over_short_fen: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class SessionFigures:
    """What an X or Z report prints: the session's sales, returns, tenders, cash and fund split."""

    session: SessionInfo
    sales_count: int
    gross_fen: int  # the sales' totals
    returns_count: int
    voids_count: int
    refunds_fen: int  # the returns' totals (voids included)
    net_fen: int
    cash_sales_fen: int  # what cash tenders paid (given minus change)
    points_pts: int  # points taken as payment
    points_fen: int  # what they were worth
    cash_refunds_fen: int  # cash given back from the drawer
    points_refunded_pts: int  # points given back to the accounts that paid them
    float_fen: int
    expected_cash_fen: int  # from the ledger: the drawer's cash entries in the session
    counted_fen: int | None
    over_short_fen: int | None
    fund_fen: int  # the split of the net sales (sales less returns)
    maker_fen: int
    running_fen: int
    points_refunded_fen: int = 0  # what the points given back were worth
    offline_count: int = 0  # sales made while the till was offline that reached the server (sold or held)
    offline_held: int = 0  # of those, held for a manager: not sales, their cash not in the expected cash


def check_cash(fen: int) -> int:
    if not isinstance(fen, int) or isinstance(fen, bool) or not 0 <= fen <= MAX_CASH_FEN:
        raise DomainError(TillSessionError.BAD_COUNT, amount=fen, maximum=MAX_CASH_FEN)
    return fen


async def _till_exists(shop_id: int, till_id: int) -> None:
    if not await run(TillSession._meta.db, "SELECT id FROM till WHERE id = $1 AND shop = $2", till_id, shop_id):
        raise DomainError(SaleError.UNKNOWN_TILL, till=till_id)


async def open_session_of(*, shop_id: int, till_id: int, lock: str = "") -> int:
    """The id of the till's open session, inside the caller's transaction; DomainError(till-closed) if none.

    `lock` ("SHARE" for a sale or a return, "UPDATE" for the close) holds the session's row on
    PostgreSQL until the caller commits: a close waits for the sales under way, and a sale that
    waited for a close finds the till closed. SQLite has one writer at a time.
    """
    db = TillSession._meta.db
    suffix = {"": "", "SHARE": sql.for_share(db), "UPDATE": sql.for_update(db)}[lock]
    rows = await run(db, "SELECT id FROM till_session WHERE till = $1 AND shop = $2 AND closed_at IS NULL"
                     + suffix, till_id, shop_id)
    if rows:
        return rows[0]["id"]
    await _till_exists(shop_id, till_id)
    raise DomainError(TillSessionError.TILL_CLOSED, till=till_id)


async def open_session(*, shop_id: int, till_id: int, staff_id: int, float_fen: int,
                       now: datetime | None = None) -> SessionInfo:
    """Open the till with the float counted into its drawer (moved from the safe in the ledger); `now`, the
    moment it opened (a test's back-dated sales are sold in a session opened before them)."""
    check_cash(float_fen)
    db = TillSession._meta.db
    try:
        async with writing(db):
            await _till_exists(shop_id, till_id)
            if await run(db, "SELECT id FROM till_session WHERE till = $1 AND closed_at IS NULL", till_id):
                raise DomainError(TillSessionError.TILL_ALREADY_OPEN, till=till_id)
            mark = await run(db, "SELECT COALESCE(MAX(id), 0) AS mark FROM ledger_txn")
            rows = await sql.insert_rows(TillSession, [dict(
                shop=shop_id, till=till_id, opened_by=staff_id, opened_at=now or datetime.now(UTC),
                float_fen=float_fen,
                ledger_mark=int(mark[0]["mark"]))], returning="id")
            session_id = rows[0]["id"]
            if float_fen:
                await ledger.post(ledger.Txn(kind="till-open", ref=session_number(session_id), entries=(
                    ledger.Entry(ledger.till_cash(till_id), ledger.Currency.CNY, float_fen),
                    ledger.Entry(ledger.SAFE, ledger.Currency.CNY, -float_fen),
                )), shop_id=shop_id, staff_id=staff_id)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # Another till screen opened this till at the same moment (the partial unique index said no).
        raise DomainError(TillSessionError.TILL_ALREADY_OPEN, till=till_id) from None
    return await load_session(shop_id=shop_id, session_id=session_id)


class SessionPaper(Protocol):
    """What a till prints when it closes (pos/paper.py: TillPaper), in the close's transaction: the Z report."""

    async def print_till_report(self, figures: SessionFigures) -> int: ...


async def close_session(*, shop_id: int, till_id: int, staff_id: int, counted_fen: int,
                        paper: SessionPaper | None = None, shift: ShiftRule | None = None) -> SessionFigures:
    """Close the till with its drawer counted: expected cash from the ledger, over/short booked, cash to the safe.
    `paper` prints the Z report with the close: no closed till without its report in the print queue. `shift`: the
    cashier's hours go into their linked member's passbook (pos/shifts.py), once the close is committed."""
    check_cash(counted_fen)
    db = TillSession._meta.db
    async with writing(db):
        session_id = await open_session_of(shop_id=shop_id, till_id=till_id, lock="UPDATE")
        row = (await run(db, "SELECT ledger_mark FROM till_session WHERE id = $1", session_id))[0]
        expected = await _drawer_cash(till_id, row["ledger_mark"])
        over_short = counted_fen - expected
        ref = session_number(session_id)
        cash = ledger.till_cash(till_id)
        if over_short:
            await ledger.post(ledger.Txn(kind="cash-over-short", ref=ref, entries=(
                ledger.Entry(cash, ledger.Currency.CNY, over_short),
                ledger.Entry(ledger.CASH_OVER_SHORT, ledger.Currency.CNY, -over_short),
            )), shop_id=shop_id, staff_id=staff_id)
        if counted_fen:
            await ledger.post(ledger.Txn(kind="till-close", ref=ref, entries=(
                ledger.Entry(ledger.SAFE, ledger.Currency.CNY, counted_fen),
                ledger.Entry(cash, ledger.Currency.CNY, -counted_fen),
            )), shop_id=shop_id, staff_id=staff_id)
        await run(db, "UPDATE till_session SET closed_by = $1, closed_at = $2, counted_fen = $3, expected_fen = $4, "
                      "over_short_fen = $5 WHERE id = $6",
                  staff_id, datetime.now(UTC), counted_fen, expected, over_short, session_id)
        figures = await session_figures(shop_id=shop_id, session_id=session_id)
        if paper is not None:
            await paper.print_till_report(figures)
    if shift is not None:
        await record_till_shift(shift, shop_id=shop_id, session_id=session_id, number=figures.session.number)
    return figures


async def _drawer_cash(till_id: int, mark: int) -> int:
    """The till's cash entries in the ledger since the session opened (before a close moves it out)."""
    rows = await run(TillSession._meta.db, """
        SELECT COALESCE(SUM(amount), 0) AS cash FROM ledger_entry
        WHERE account = $1 AND currency = 'CNY' AND txn > $2 AND NOT EXISTS (
            SELECT 1 FROM ledger_txn x WHERE x.id = ledger_entry.txn AND x.kind IN ('cash-over-short', 'till-close'))""",
        ledger.till_cash(till_id), mark)
    return int(rows[0]["cash"])


_SESSION = """
    SELECT s.id, s.till, t.code AS till_code, t.name AS till_name, o.display_name AS opened_by, s.opened_at,
           s.float_fen, c.display_name AS closed_by, s.closed_at, s.counted_fen, s.expected_fen, s.over_short_fen,
           s.ledger_mark
    FROM till_session s JOIN till t ON t.id = s.till JOIN staff o ON o.id = s.opened_by
    LEFT JOIN staff c ON c.id = s.closed_by"""


def _info(row: dict) -> SessionInfo:
    return SessionInfo(
        id=row["id"], number=session_number(row["id"]), till_id=row["till"], till_code=row["till_code"],
        till_name=row["till_name"], opened_by=row["opened_by"], opened_at=as_time(row["opened_at"]),
        float_fen=row["float_fen"], closed_by=row["closed_by"],
        closed_at=as_time(row["closed_at"]) if row["closed_at"] is not None else None,
        counted_fen=row["counted_fen"], expected_fen=row["expected_fen"], over_short_fen=row["over_short_fen"])


async def load_session(*, shop_id: int, session_id: int) -> SessionInfo:
    rows = await run(TillSession._meta.db, _SESSION + " WHERE s.id = $1 AND s.shop = $2", session_id, shop_id)
    if not rows:
        raise DomainError(TillSessionError.UNKNOWN_SESSION, session=session_id)
    return _info(rows[0])


async def current_session(*, shop_id: int, till_id: int) -> SessionInfo | None:
    """The till's open session, or None when the till is closed."""
    rows = await run(TillSession._meta.db, _SESSION + " WHERE s.till = $1 AND s.shop = $2 AND s.closed_at IS NULL",
                     till_id, shop_id)
    return _info(rows[0]) if rows else None


async def last_sessions(*, shop_id: int, till_id: int, limit: int = 20) -> list[SessionInfo]:
    rows = await run(TillSession._meta.db, _SESSION + " WHERE s.till = $1 AND s.shop = $2 ORDER BY s.id DESC",
                     till_id, shop_id)
    return [_info(row) for row in rows[:limit]]


async def session_figures(*, shop_id: int, session_id: int) -> SessionFigures:
    """The session's figures for an X report (open) or a Z report (closed)."""
    db = TillSession._meta.db
    rows = await run(db, _SESSION + " WHERE s.id = $1 AND s.shop = $2", session_id, shop_id)
    if not rows:
        raise DomainError(TillSessionError.UNKNOWN_SESSION, session=session_id)
    info = _info(rows[0])
    sales = (await run(db, "SELECT COUNT(*) AS n FROM sale WHERE session = $1", session_id))[0]
    sold, back = await sold_in_session(session_id=session_id)  # the read model: what sold and came back
    tenders = {row["kind"]: row for row in await run(db, """
        SELECT t.kind, COALESCE(SUM(t.amount_fen), 0) AS amount, COALESCE(SUM(t.points), 0) AS points
        FROM tender t JOIN sale s ON s.id = t.sale WHERE s.session = $1 GROUP BY t.kind""", session_id)}
    returns = (await run(db, """
        SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN reason = 'void' THEN 1 ELSE 0 END), 0) AS voids
        FROM sale_return WHERE session = $1""", session_id))[0]
    refunds = {row["kind"]: row for row in await run(db, """
        SELECT f.kind, COALESCE(SUM(f.amount_fen), 0) AS amount, COALESCE(SUM(f.points), 0) AS points
        FROM refund f JOIN sale_return r ON r.id = f."return" WHERE r.session = $1 GROUP BY f.kind""", session_id)}
    offline = (await run(db, "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END), 0) "
                             "AS held FROM offline_sale WHERE session = $1", session_id))[0]
    expected = info.expected_fen if info.expected_fen is not None else await _drawer_cash(
        info.till_id, rows[0]["ledger_mark"])

    def of(table: dict, kind: str, column: str) -> int:
        return int(table[kind][column]) if kind in table else 0

    gross, refunded = sold.value_fen, back.value_fen
    return SessionFigures(
        session=info, sales_count=int(sales["n"]), gross_fen=gross, returns_count=int(returns["n"]),
        voids_count=int(returns["voids"]), refunds_fen=refunded, net_fen=gross - refunded,
        cash_sales_fen=of(tenders, "cash", "amount"), points_pts=of(tenders, "points", "points"),
        points_fen=of(tenders, "points", "amount"), cash_refunds_fen=of(refunds, "cash", "amount"),
        points_refunded_pts=of(refunds, "points", "points"), float_fen=info.float_fen, expected_cash_fen=expected,
        counted_fen=info.counted_fen, over_short_fen=info.over_short_fen,
        fund_fen=sold.fund_fen - back.fund_fen, maker_fen=sold.maker_fen - back.maker_fen,
        running_fen=sold.running_fen - back.running_fen,
        points_refunded_fen=of(refunds, "points", "amount"),
        offline_count=int(offline["n"]), offline_held=int(offline["held"]))
