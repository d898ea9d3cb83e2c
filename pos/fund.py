"""The community fund (社区慈善基金): what it holds in cash and in points, what came in from where, and
what a manager spent from it, with the reason.

The fund's cash is the credit balance of ledger.FUND (fen) counted per shop (the shop's own ledger
transactions); its points are the shop's own account, ledger.fund_points(shop). Spending cash is a ledger transaction from
the fund to the shop's cash or bank (kind "fund-disbursement", its reference the manager's reason);
never more than the fund holds, even with two managers at once. Points spent for a household in
need are a points tender at the till (pos/tender.py) and are listed here from the tenders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from donations.makers import PAYOUT_METHODS
from shop import ledger, sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

from pos.numbers import sale_number
from pos.errors import FundError
from pos.tables import Sale

DISBURSEMENT = "fund-disbursement"
MAX_REASON = 64  # kept as the ledger transaction's reference
MAX_DISBURSEMENT_FEN = 10**10  # ¥100,000,000.00


@dataclass(frozen=True)
class FundBalance:
    cash_fen: int
    points: int


@dataclass(frozen=True)
class FundMovement:
    """The fund's movements of one kind in a period: sales' shares, refunds, points given, spending…"""

    kind: str  # the ledger transaction's kind
    currency: str  # CNY (fen) | PTS (points)
    transactions: int
    received: int  # credits to the fund
    spent: int  # debits from the fund


@dataclass(frozen=True)
class Disbursement:
    txn_id: int
    at: datetime
    amount_fen: int
    method: str  # cash | transfer
    reason: str
    staff: str


@dataclass(frozen=True)
class HouseholdSpending:
    sale: str  # the sale's number
    at: datetime
    household_ref: str
    points: int
    amount_fen: int


async def fund_balance(*, shop_id: int) -> FundBalance:
    rows = await run(Sale._meta.db, """
        SELECT e.account, e.currency, COALESCE(SUM(e.amount), 0) AS total
        FROM ledger_entry e JOIN ledger_txn t ON t.id = e.txn
        WHERE t.shop = $1 AND ((e.account = $2 AND e.currency = 'CNY') OR (e.account = $3 AND e.currency = 'PTS'))
        GROUP BY e.account, e.currency""", shop_id, ledger.FUND, ledger.fund_points(shop_id))
    totals = {(row["account"], row["currency"]): -int(row["total"]) for row in rows}
    return FundBalance(cash_fen=totals.get((ledger.FUND, "CNY"), 0),
                       points=totals.get((ledger.fund_points(shop_id), "PTS"), 0))


async def fund_movements(*, shop_id: int, start: datetime, end: datetime) -> list[FundMovement]:
    """The fund's movements in [start, end), by kind of transaction and currency."""
    rows = await run(Sale._meta.db, """
        SELECT t.kind, e.currency, COUNT(DISTINCT t.id) AS txns,
               COALESCE(SUM(CASE WHEN e.amount < 0 THEN -e.amount ELSE 0 END), 0) AS received,
               COALESCE(SUM(CASE WHEN e.amount > 0 THEN e.amount ELSE 0 END), 0) AS spent
        FROM ledger_entry e JOIN ledger_txn t ON t.id = e.txn
        WHERE t.shop = $1 AND t.created_at >= $2 AND t.created_at < $3
          AND ((e.account = $4 AND e.currency = 'CNY') OR (e.account = $5 AND e.currency = 'PTS'))
        GROUP BY t.kind, e.currency ORDER BY e.currency, t.kind""", shop_id, start, end, ledger.FUND,
                     ledger.fund_points(shop_id))
    return [FundMovement(kind=row["kind"], currency=row["currency"], transactions=int(row["txns"]),
                         received=int(row["received"]), spent=int(row["spent"])) for row in rows]


def check_disbursement(*, amount_fen: int, method: str, reason: str) -> str:
    """The reason, tidied; DomainError for a bad amount, method or reason."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not 1 <= amount_fen <= MAX_DISBURSEMENT_FEN:
        raise DomainError(FundError.BAD_DISBURSEMENT, amount=amount_fen if isinstance(amount_fen, int) else 0)
    if method not in PAYOUT_METHODS:
        raise DomainError(FundError.BAD_DISBURSEMENT_METHOD, method=str(method)[:16])
    reason = " ".join((reason or "").split())
    if not 1 <= len(reason) <= MAX_REASON:
        raise DomainError(FundError.DISBURSEMENT_REASON, maximum=MAX_REASON)
    return reason


async def disburse_cash(*, shop_id: int, amount_fen: int, method: str, reason: str, staff_id: int) -> int:
    """A manager pays out of the fund's cash (to a household, a project), with the reason. Returns the ledger
    transaction's id. Never more than the fund holds: one disbursement of a shop's fund at a time."""
    reason = check_disbursement(amount_fen=amount_fen, method=method, reason=reason)
    db = Sale._meta.db
    async with writing(db):
        await sql.advisory_lock(db, f"{ledger.FUND}:{shop_id}")  # the shop's disbursements, one at a time
        held = (await fund_balance(shop_id=shop_id)).cash_fen
        if amount_fen > held:
            raise DomainError(FundError.DISBURSEMENT_TOO_LARGE, amount=amount_fen, balance=held)
        return await ledger.post(ledger.Txn(kind=DISBURSEMENT, ref=reason, entries=(
            ledger.Entry(ledger.FUND, ledger.Currency.CNY, amount_fen),
            ledger.Entry(PAYOUT_METHODS[method], ledger.Currency.CNY, -amount_fen),
        )), shop_id=shop_id, staff_id=staff_id)


async def disbursements(*, shop_id: int, limit: int = 200, start: datetime | None = None,
                        end: datetime | None = None) -> list[Disbursement]:
    """The fund's cash disbursements, newest first; only those made in [start, end) when given (the public
    notice's month, pos/notice.py)."""
    methods = {account: method for method, account in PAYOUT_METHODS.items()}
    between = "" if start is None or end is None else " AND t.created_at >= $4 AND t.created_at < $5"
    rows = await run(Sale._meta.db, f"""
        SELECT t.id, t.created_at, t.ref, s.display_name, e.account, e.amount
        FROM ledger_txn t JOIN ledger_entry e ON e.txn = t.id AND e.amount < 0 AND e.currency = 'CNY'
        LEFT JOIN staff s ON s.id = t.staff
        WHERE t.shop = $1 AND t.kind = $2{between} ORDER BY t.id DESC LIMIT $3""", shop_id, DISBURSEMENT, limit,
                     *(() if not between else (start, end)))
    return [Disbursement(txn_id=row["id"], at=as_time(row["created_at"]), amount_fen=-int(row["amount"]),
                         method=methods.get(row["account"], row["account"]), reason=row["ref"],
                         staff=row["display_name"] or "") for row in rows]


async def household_spending(*, shop_id: int, start: datetime, end: datetime) -> list[HouseholdSpending]:
    """The fund's points spent at the till for households in need (points tenders with no member)."""
    rows = await run(Sale._meta.db, """
        SELECT s.id, s.created_at, t.household_ref, t.points, t.amount_fen
        FROM tender t JOIN sale s ON s.id = t.sale
        WHERE s.shop = $1 AND s.created_at >= $2 AND s.created_at < $3 AND t.kind = 'points'
          AND t.member IS NULL AND t.household_ref IS NOT NULL
        ORDER BY s.id DESC""", shop_id, start, end)
    return [HouseholdSpending(sale=sale_number(row["id"]), at=as_time(row["created_at"]),
                              household_ref=row["household_ref"], points=int(row["points"]),
                              amount_fen=int(row["amount_fen"])) for row in rows]
