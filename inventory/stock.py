"""Stock movements: the only way stock changes. On-hand is always the sum of an item's movements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from piccolo.query.functions.aggregate import Sum

from inventory.tables import StockMovement


class MovementKind(StrEnum):
    INTAKE = "intake"
    SALE = "sale"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write-off"
    STOCK_TAKE = "stock-take"


@dataclass(frozen=True)
class Movement:
    item_id: int
    quantity: int  # + in, - out
    kind: MovementKind
    reason: str = ""
    ref: str = ""


async def record_movements(*, shop_id: int, movements: Sequence[Movement], staff_id: int | None) -> None:
    """Write movements inside the caller's transaction (the caller's operation owns it)."""
    if movements:
        await StockMovement.insert(*[
            StockMovement(shop=shop_id, item=m.item_id, quantity=m.quantity, kind=m.kind.value,
                          reason=m.reason, ref=m.ref, staff=staff_id)
            for m in movements
        ])


async def on_hand(item_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(item_ids))
    if not ids:
        return {}
    rows = await StockMovement.select(
        StockMovement.item, Sum(StockMovement.quantity, alias="on_hand")
    ).where(StockMovement.item.is_in(ids)).group_by(StockMovement.item)
    found = {row["item"]: int(row["on_hand"]) for row in rows}
    return {item_id: found.get(item_id, 0) for item_id in ids}
