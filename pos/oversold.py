"""Goods sold beyond stock: the items whose sale lines were flagged oversold (two tills selling the last
piece: the shop sells it, the goods are in the customer's hand) and that nobody has settled yet.

A sale line is settled by what comes after it for its item: a stock correction (an adjustment
movement), a posted stock take's movement, or a posted stock take that counted the item after the
sale (a count that found the books right moves nothing, and settles it all the same). A line whose
pieces have all come back is settled by the return. An item leaves the list when all its oversold
lines are settled: a correction after its latest oversold sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inventory.stock import MovementKind
from shop.database import as_time, run

from pos.numbers import sale_number
from pos.tables import SaleLine

# The sale's number as pos.numbers.sale_number writes it in its stock movements' ref, in SQL both engines speak.
_SALE_NUMBER = "'S' || SUBSTR('00000000' || CAST(s.id AS TEXT), LENGTH(CAST(s.id AS TEXT)) + 1)"


@dataclass(frozen=True)
class OversoldSale:
    number: str  # the sale's number (S00000042)
    at: datetime
    till_code: str
    till_name: str
    pieces: int  # pieces of the line not brought back


@dataclass(frozen=True)
class OversoldItem:
    barcode: str
    name: str
    on_hand: int  # the books now, below zero when more were sold than they held
    sales: tuple[OversoldSale, ...]  # oldest first


async def oversold(*, shop_id: int) -> list[OversoldItem]:
    """The items sold beyond stock and not settled since, with the sales that did it; by name."""
    rows = await run(SaleLine._meta.db, f"""
        SELECT i.id AS item_id, i.barcode, i.name, i.on_hand, s.id AS sale_id, s.created_at,
               t.code AS till_code, t.name AS till_name, l.quantity - l.returned AS pieces
        FROM (SELECT l.id, l.sale, l.item, l.quantity,
                     (SELECT COALESCE(SUM(r.quantity), 0) FROM return_line r WHERE r.sale_line = l.id) AS returned
              FROM sale_line l WHERE l.oversold) l
        JOIN sale s ON s.id = l.sale
        JOIN item i ON i.id = l.item
        JOIN till t ON t.id = s.till
        WHERE s.shop = $1 AND l.quantity > l.returned
          AND NOT EXISTS (
              SELECT 1 FROM stock_movement m
              WHERE m.item = l.item AND m.kind IN ($2, $3)
                AND m.id > (SELECT MAX(sold.id) FROM stock_movement sold
                            WHERE sold.item = l.item AND sold.kind = $4 AND sold.ref = {_SALE_NUMBER}))
          AND NOT EXISTS (
              SELECT 1 FROM stock_take_count k JOIN stock_take st ON st.id = k.stock_take
              WHERE k.item = l.item AND st.status = 'posted' AND k.counted_at > s.created_at)
        ORDER BY i.name, i.id, s.id""",
        shop_id, MovementKind.ADJUSTMENT.value, MovementKind.STOCK_TAKE.value, MovementKind.SALE.value)
    items: dict[int, OversoldItem] = {}
    for row in rows:
        sale = OversoldSale(number=sale_number(row["sale_id"]), at=as_time(row["created_at"]),
                            till_code=row["till_code"], till_name=row["till_name"], pieces=int(row["pieces"]))
        item = items.get(row["item_id"])
        items[row["item_id"]] = OversoldItem(
            barcode=row["barcode"], name=row["name"], on_hand=int(row["on_hand"]),
            sales=(item.sales if item else ()) + (sale,))
    return list(items.values())
