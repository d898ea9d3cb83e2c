"""The ledger: one append-only, double-entry book for cash, points and fund money.

An entry's amount is positive for a debit and negative for a credit; each transaction's
entries sum to zero per currency. Balances are derived from entries, never stored.
Nothing is edited or deleted (database triggers refuse it): a mistake is corrected by a
reversing transaction that names the original. Once committed, each transaction is sealed into
its shop's hash chain (shop/seal.py), so a change made past the triggers is found by verify().

Accounts are paths: asset:till:3:cash, liability:fund:community, liability:fund:shop:2:points, liability:maker:7,
liability:member:42:points, income:shop:running-costs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from piccolo.query.functions.aggregate import Sum

from shop import sql
from shop.errors import DomainError, ShopError
from shop.tables import LedgerEntry, LedgerTxn


class Currency(StrEnum):
    CNY = "CNY"  # fen
    PTS = "PTS"  # love-bank points


FUND = "liability:fund:community"
RUNNING_COSTS = "income:shop:running-costs"

# The love bank's points (currency PTS). Approved service issues points: debit POINTS_ISSUED,
# credit the member. Points spent at the till: debit the member (or the shop's fund_points, for a
# household in need), credit POINTS_REDEEMED; the sale's value in fen is then debited to POINTS_HONOURED
# (CNY) and credited to the fund, the makers and running costs as for cash. So the points held by
# members and the funds always equal the points issued minus the points redeemed.
# A member's account is the district's (one per member, whichever shop or station they use); the fund's
# points are each shop's (community's): given to it there, spent there for households in need.
POINTS_ISSUED = "equity:lovebank:issued"
POINTS_REDEEMED = "equity:lovebank:redeemed"
POINTS_HONOURED = "expense:lovebank:points-honoured"
# The one fund points account of all shops before each shop had its own (issue 19): the love bank's migration
# 2026-12-07T07 moved its points to each shop's; verify() reports any left in it.
FUND_POINTS_SHARED = "liability:fund:community:points"


# Till sessions (pos/sessions.py): opening moves the counted float from the shop's safe into the drawer
# (debit the till's cash, credit SAFE); closing books the difference between counted and expected cash
# to CASH_OVER_SHORT (a shortage is a debit there, an overage a credit) and moves the counted cash back to
# the safe, so a closed till's cash account is at zero and the next session starts from its own float.
SAFE = "asset:shop:safe"
CASH_OVER_SHORT = "expense:shop:cash-over-short"

# Returns (pos/returns.py, pos/refunds.py): a refund is the value of what came back, in whole points and
# cash. The rare fraction of a point's worth that no whole number of points can pay back while the sale's
# cash is all refunded stays owed to the customer here (a credit), until the sale's last return pays it.
REFUNDS_OWED = "liability:shop:refunds-owed"


def till_cash(till_id: int) -> str:
    return f"asset:till:{till_id}:cash"


def fund_points(shop_id: int) -> str:
    """The points the community fund of one shop (or station) holds."""
    return f"liability:fund:shop:{shop_id}:points"


def fund_points_shop(account: str) -> int | None:
    """The shop whose fund's points account this is (None: another account)."""
    parts = account.split(":")
    if len(parts) == 5 and parts[:3] == ["liability", "fund", "shop"] and parts[4] == "points" and parts[3].isdigit():
        return int(parts[3])
    return None


def maker_payable(maker_id: int) -> str:
    return f"liability:maker:{maker_id}"


def member_points(member_id: int) -> str:
    return f"liability:member:{member_id}:points"


def must_stay_covered(account: str, currency: Currency) -> bool:
    """Points held (a member's, the fund's: a credit balance) may never go below zero."""
    return currency is Currency.PTS and account.startswith("liability:")


@dataclass(frozen=True)
class Entry:
    account: str
    currency: Currency
    amount: int


@dataclass(frozen=True)
class Txn:
    kind: str
    ref: str
    entries: tuple[Entry, ...]
    reverses: int | None = None


def imbalance(txn: Txn) -> dict[Currency, int]:
    """Per currency, what the entries fail to sum to zero by ({} when balanced)."""
    sums: dict[Currency, int] = defaultdict(int)
    for entry in txn.entries:
        sums[entry.currency] += entry.amount
    return {currency: total for currency, total in sums.items() if total != 0}


def reversal(original: Txn, original_id: int, *, kind: str, ref: str) -> Txn:
    """The transaction that undoes `original` exactly."""
    return Txn(kind=kind, ref=ref, reverses=original_id,
               entries=tuple(Entry(e.account, e.currency, -e.amount) for e in original.entries))


async def post(txn: Txn, *, shop_id: int, staff_id: int | None = None) -> int:
    """Write `txn` into the ledger inside the caller's transaction; return its id.

    Refuses an unbalanced transaction, and one that would take a member's points
    below zero (checked after writing, inside the same transaction, so a refusal
    rolls the caller's whole transaction back).
    """
    if not txn.entries or imbalance(txn):
        raise DomainError(ShopError.LEDGER_UNBALANCED, kind=txn.kind, ref=txn.ref)
    entries = [e for e in txn.entries if e.amount != 0]
    db = LedgerTxn._meta.db
    async with db.transaction():
        guarded = sorted({e.account for e in entries if must_stay_covered(e.account, e.currency)})
        for account in guarded:  # serialise spends from one account across connections
            await sql.advisory_lock(db, account)
        row = await sql.insert_rows(LedgerTxn, [dict(shop=shop_id, kind=txn.kind, ref=txn.ref, reverses=txn.reverses,
                                                  staff=staff_id, created_at=datetime.now(UTC))], returning="id")
        txn_id = row[0]["id"]
        await sql.insert_rows(LedgerEntry, [
            dict(txn=txn_id, account=e.account, currency=e.currency.value, amount=e.amount) for e in entries
        ])
        for account in guarded:
            if await balance(account, Currency.PTS) > 0:
                raise DomainError(ShopError.BALANCE_BELOW_ZERO, account=account)
    return txn_id


async def balance(account: str, currency: Currency = Currency.CNY) -> int:
    """The account's balance: debits minus credits (a liability's balance is negative)."""
    rows = await LedgerEntry.select(Sum(LedgerEntry.amount, alias="total")).where(
        (LedgerEntry.account == account) & (LedgerEntry.currency == currency.value)
    )
    return int(rows[0]["total"] or 0)


async def ledger_problems() -> list[str]:
    """What is wrong with the ledger: unbalanced transactions, points held (members', the fund's) below zero."""
    problems = []
    rows = await LedgerEntry.raw(
        "SELECT txn, currency, SUM(amount) AS total FROM ledger_entry "
        "GROUP BY txn, currency HAVING SUM(amount) <> 0"
    )
    for row in rows:
        problems.append(f"ledger transaction {row['txn']} is off by {row['total']} {row['currency']}")
    rows = await LedgerEntry.select(
        LedgerEntry.account, Sum(LedgerEntry.amount, alias="total")
    ).where(
        (LedgerEntry.currency == Currency.PTS.value) & LedgerEntry.account.like("liability:%")
    ).group_by(LedgerEntry.account)
    for row in rows:
        if int(row["total"]) > 0:
            problems.append(f"{row['account']} is {row['total']} points below zero")
    return problems
