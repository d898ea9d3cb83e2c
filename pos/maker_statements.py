"""A maker's statement: what of theirs sold and came back, when and for how much, what they were paid, and what
is owed. The goods come from the read model of what was sold (pos/sold.py), net of returns; the balances from
the ledger (the maker's payable account), so the closing balance is the ledger's at the end of the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from donations.makers import owed_to
from donations.tables import MakerPayout
from pos.numbers import return_number, sale_number
from pos.sold import sold_lines
from pos.tables import SaleLine
from shop import ledger
from shop.database import run


@dataclass(frozen=True)
class StatementEntry:
    at: datetime
    kind: str  # sale | return | payout
    ref: str  # the sale's or the return's number, or the payout's method
    description: str  # the goods sold or brought back, or the payout's note
    quantity: int  # pieces sold; pieces brought back, negative (0 for a payout)
    value_fen: int  # what the goods sold for; given back, negative (0 for a payout)
    rule_maker: int  # the maker's percent applied (0 for a payout)
    owed_fen: int  # + the maker's share of a sale, - the share of a return, - a payout
    balance_fen: int  # owed to the maker after this entry


@dataclass(frozen=True)
class MakerStatement:
    maker_id: int
    start: datetime
    end: datetime
    opening_fen: int  # owed at the start
    entries: tuple[StatementEntry, ...]
    sold_pieces: int  # net of the pieces brought back
    sold_value_fen: int  # net of returns
    earned_fen: int  # their share, net of returns
    paid_fen: int
    closing_fen: int  # owed at the end: the ledger's balance then
    owed_now_fen: int  # owed today, whatever the period


async def maker_statement(*, shop_id: int, maker_id: int, start: datetime, end: datetime) -> MakerStatement:
    """The statement for [start, end); the opening balance is read from the ledger before `start`."""
    db = SaleLine._meta.db
    opening = await run(db, """
        SELECT COALESCE(SUM(e.amount), 0) AS total FROM ledger_entry e JOIN ledger_txn t ON t.id = e.txn
        WHERE e.account = $1 AND e.currency = 'CNY' AND t.shop = $2 AND t.created_at < $3""",
                        ledger.maker_payable(maker_id), shop_id, start)
    goods = await sold_lines(shop_id=shop_id, start=start, end=end, maker_id=maker_id)
    paid = await MakerPayout.select(MakerPayout.created_at, MakerPayout.amount_fen, MakerPayout.method,
                                    MakerPayout.note).where(
        (MakerPayout.maker == maker_id) & (MakerPayout.shop == shop_id) & (MakerPayout.created_at >= start)
        & (MakerPayout.created_at < end))
    events = [(row.at, 0, StatementEntry(
        at=row.at, kind=row.kind, ref=return_number(row.return_id) if row.kind == "return" else sale_number(row.sale_id),
        description=row.name, quantity=row.pieces, value_fen=row.value_fen, rule_maker=row.rule_maker,
        owed_fen=row.maker_fen, balance_fen=0)) for row in goods]
    events += [(row["created_at"], 1, StatementEntry(
        at=row["created_at"], kind="payout", ref=row["method"], description=row["note"], quantity=0, value_fen=0,
        rule_maker=0, owed_fen=-row["amount_fen"], balance_fen=0)) for row in paid]
    events.sort(key=lambda event: (event[0], event[1]))  # stable: the read model's own order within a moment
    balance = opening_fen = -int(opening[0]["total"])
    entries = []
    for _, _, entry in events:
        balance += entry.owed_fen
        entries.append(StatementEntry(**{**entry.__dict__, "balance_fen": balance}))
    goods_entries = [e for e in entries if e.kind != "payout"]
    return MakerStatement(
        maker_id=maker_id, start=start, end=end, opening_fen=opening_fen, entries=tuple(entries),
        sold_pieces=sum(e.quantity for e in goods_entries), sold_value_fen=sum(e.value_fen for e in goods_entries),
        earned_fen=sum(e.owed_fen for e in goods_entries),
        paid_fen=-sum(e.owed_fen for e in entries if e.kind == "payout"), closing_fen=balance,
        owed_now_fen=await owed_to(maker_id),
    )
