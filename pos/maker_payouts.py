"""The manager's view of the makers: what the shop owes each of them, and a payout run that pays several at once.

A payout run is all or nothing: each payout is its own ledger transaction
(donations.makers.record_payout, never more than is owed), all in one database transaction,
so a run with one wrong amount pays nobody and says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from donations.errors import DonationError
from donations.makers import record_payout
from donations.tables import Maker
from pos.sold import sold_by_maker
from shop.database import as_time, run, writing
from shop.errors import DomainError


@dataclass(frozen=True)
class MakerOwed:
    maker_id: int
    name: str
    owed_fen: int  # what the shop owes them now
    earned_fen: int  # their share of every sale so far, net of returns
    paid_fen: int  # paid out so far (0: never paid)
    last_paid_at: datetime | None


@dataclass(frozen=True)
class PayoutLine:
    maker_id: int
    amount_fen: int


async def makers_owed(*, shop_id: int) -> list[MakerOwed]:
    """Every maker of the shop: what is owed to them (their payable account's credit balance in the ledger),
    what they earned (their share of their goods sold, net of returns: pos/sold.py) and were paid (payouts)."""
    rows = await run(Maker._meta.db, """
        SELECT m.id, m.name,
               -COALESCE((SELECT SUM(e.amount) FROM ledger_entry e
                          WHERE e.account = 'liability:maker:' || CAST(m.id AS TEXT) AND e.currency = 'CNY'), 0) AS owed,
               COALESCE((SELECT SUM(p.amount_fen) FROM maker_payout p WHERE p.maker = m.id), 0) AS paid,
               (SELECT MAX(p.created_at) FROM maker_payout p WHERE p.maker = m.id) AS last_paid
        FROM maker m WHERE m.shop = $1 ORDER BY m.name""", shop_id)
    earned = await sold_by_maker(shop_id=shop_id)
    return [MakerOwed(maker_id=row["id"], name=row["name"], owed_fen=int(row["owed"]),
                      earned_fen=earned[row["id"]].maker_fen if row["id"] in earned else 0,
                      paid_fen=int(row["paid"]),
                      last_paid_at=as_time(row["last_paid"]) if row["last_paid"] else None) for row in rows]


async def pay_makers(*, shop_id: int, lines: Sequence[PayoutLine], method: str, staff_id: int,
                     note: str = "") -> list[int]:
    """Pay each maker of `lines` (amounts of at least ¥0.01), all or nothing. Returns the payouts' ids."""
    if not lines:
        raise DomainError(DonationError.BAD_PAYOUT, amount=0)
    if len({line.maker_id for line in lines}) != len(lines):
        raise DomainError(DonationError.BAD_PAYOUT, amount=0)
    async with writing(Maker._meta.db):
        return [await record_payout(shop_id=shop_id, maker_id=line.maker_id, amount_fen=line.amount_fen,
                                    method=method, staff_id=staff_id, note=note)
                for line in sorted(lines, key=lambda line: line.maker_id)]
