"""Stock movements: the only way stock changes. On-hand is always the sum of an item's movements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from shop.database import insert_rows, run

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


async def record_movements(*, shop_id: int, movements: Sequence[Movement], staff_id: int | None,
                           at: datetime | None = None) -> None:
    """Write movements inside the caller's transaction (the caller's operation owns it)."""
    at = at or datetime.now(UTC)
    await insert_rows(StockMovement, [
        dict(shop=shop_id, item=m.item_id, quantity=m.quantity, kind=m.kind.value, reason=m.reason, ref=m.ref,
             staff=staff_id, created_at=at)
        for m in movements
    ])


async def on_hand(item_ids: Iterable[int]) -> dict[int, int]:
    """Each item's stock: the sum of its movements (0 for an item that has none)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    rows = await run(StockMovement._meta.db,
                     f"SELECT item, SUM(quantity) AS on_hand FROM stock_movement WHERE item IN ({marks}) GROUP BY item",
                     *ids)
    found = {row["item"]: int(row["on_hand"]) for row in rows}
    return {item_id: found.get(item_id, 0) for item_id in ids}
