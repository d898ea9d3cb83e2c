"""The override log for managers: every price change and discount given at the till, and every spending of
the fund's points for a household, with its reason, the cashier and the manager who approved it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shop.database import as_time, run

from pos.numbers import sale_number
from pos.tables import Override


@dataclass(frozen=True)
class OverrideInfo:
    sale: str  # the sale's number
    line: str  # the line's item name; "" for the whole sale
    kind: str  # price | line-discount | sale-discount | fund-points
    before_fen: int
    after_fen: int
    reason: str
    cashier: str
    approved_by: str  # "" when it was within the limit
    at: datetime


async def overrides_between(*, shop_id: int, start: datetime, end: datetime) -> list[OverrideInfo]:
    rows = await run(Override._meta.db, """
        SELECT o.sale, l.name AS line, o.kind, o.before_fen, o.after_fen, o.reason, c.display_name AS cashier,
               m.display_name AS approved_by, o.created_at
        FROM override o JOIN staff c ON c.id = o.cashier LEFT JOIN staff m ON m.id = o.approved_by
        LEFT JOIN sale_line l ON l.id = o.line
        WHERE o.shop = $1 AND o.created_at >= $2 AND o.created_at < $3 ORDER BY o.id""", shop_id, start, end)
    return [OverrideInfo(sale=sale_number(row["sale"]), line=row["line"] or "", kind=row["kind"],
                         before_fen=row["before_fen"], after_fen=row["after_fen"], reason=row["reason"],
                         cashier=row["cashier"], approved_by=row["approved_by"] or "", at=as_time(row["created_at"]))
            for row in rows]
