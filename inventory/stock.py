"""Stock movements: the only way stock changes. An item's on-hand is kept equal to the sum of its movements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

from inventory.barcodes import normalize_barcode
from inventory.errors import InventoryError
from inventory.tables import Item, StockMovement


class MovementKind(StrEnum):
    INTAKE = "intake"
    SALE = "sale"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write-off"
    STOCK_TAKE = "stock-take"
    TRANSFER_OUT = "transfer-out"  # sent to another shop of the district (inventory/transfers.py)
    TRANSFER_IN = "transfer-in"  # received from another shop
    TRANSFER_BACK = "transfer-back"  # a transfer cancelled in transit: the pieces back where they were sent from
    WISH = "wish"  # given to a household for its wish (微心愿, pos/wishes.py): from stock, or a donor's goods


class WriteOffReason(StrEnum):
    DAMAGED = "damaged"
    EXPIRED = "expired"
    UNSELLABLE = "unsellable"


@dataclass(frozen=True)
class Movement:
    item_id: int
    quantity: int  # + in, - out
    kind: MovementKind
    reason: str = ""
    ref: str = ""


async def record_movements(*, shop_id: int, movements: Sequence[Movement], staff_id: int | None,
                           at: datetime | None = None, items_locked: bool = False) -> dict[int, int]:
    """Write movements inside the caller's transaction (the caller's operation owns it); each item's stock before
    them, as read under the lock that holds it until the transaction ends.

    `items_locked`: the caller already holds the items' rows locked.
    """
    if not movements:
        return {}
    # Lock the items' rows first, in id order, on PostgreSQL: inserting a movement takes a
    # share lock on its item (the foreign key), and two writers then both waiting to update
    # on_hand would deadlock. SQLite has one writer at a time.
    db = Item._meta.db
    moved = sorted({m.item_id for m in movements})
    if sql.locks_rows(db) and not items_locked:
        marks = sql.placeholders(1, len(moved))
        await run(db, f"SELECT id FROM item WHERE id IN ({marks}) ORDER BY id{sql.for_update(db)}", *moved)
    at = at or datetime.now(UTC)
    await sql.insert_rows(StockMovement, [
        dict(shop=shop_id, item=m.item_id, quantity=m.quantity, kind=m.kind.value, reason=m.reason, ref=m.ref,
             staff=staff_id, created_at=at)
        for m in movements
    ])
    # item.on_hand follows in the same transaction: one statement for all the items moved.
    change: dict[int, int] = {}
    for m in movements:
        change[m.item_id] = change.get(m.item_id, 0) + m.quantity
    cases, args = [], []
    for item_id, quantity in change.items():
        cases.append(f"WHEN CAST(${len(args) + 1} AS INTEGER) THEN CAST(${len(args) + 2} AS INTEGER)")
        args += [item_id, quantity]
    ids = ", ".join(f"${n}" for n in range(1, len(args), 2))
    after = await run(db, f"UPDATE item SET on_hand = on_hand + CASE id {' '.join(cases)} END WHERE id IN ({ids}) "
                          "RETURNING id, on_hand", *args)
    return {row["id"]: int(row["on_hand"]) - change[row["id"]] for row in after}


async def on_hand(item_ids: Iterable[int]) -> dict[int, int]:
    """Each item's stock (kept equal to the sum of its movements)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    marks = sql.placeholders(1, len(ids))
    rows = await run(Item._meta.db, f"SELECT id, on_hand FROM item WHERE id IN ({marks})", *ids)
    return {row["id"]: int(row["on_hand"]) for row in rows}


async def stock_problems() -> list[str]:
    """Items whose on-hand differs from the sum of their movements."""
    rows = await run(Item._meta.db, """
        SELECT i.id, i.on_hand, COALESCE(SUM(m.quantity), 0) AS moved
        FROM item i LEFT JOIN stock_movement m ON m.item = i.id
        GROUP BY i.id, i.on_hand HAVING i.on_hand <> COALESCE(SUM(m.quantity), 0)""")
    return [f"item {row['id']} has {row['on_hand']} on hand but its movements sum to {row['moved']}" for row in rows]


MAX_CHANGE = 9_999
MAX_WRITE_OFF_NOTE = 150


def _reason(text: str) -> str:
    text = " ".join((text or "").split())
    if not 1 <= len(text) <= 200:
        raise DomainError(InventoryError.BAD_REASON, maximum=200)
    return text


async def _item_id(shop_id: int, barcode: str) -> int:
    code = normalize_barcode(barcode)
    rows = await run(Item._meta.db, "SELECT id FROM item WHERE shop = $1 AND barcode = $2", shop_id, code)
    if not rows:
        raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
    return rows[0]["id"]


async def adjust_stock(*, shop_id: int, barcode: str, quantity: int, reason: str, staff_id: int) -> None:
    """A manager corrects the books by `quantity` pieces (+ found, - missing), saying why."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0 or abs(quantity) > MAX_CHANGE:
        raise DomainError(InventoryError.BAD_ADJUSTMENT, quantity=quantity, maximum=MAX_CHANGE)
    reason = _reason(reason)
    async with writing(Item._meta.db):
        item_id = await _item_id(shop_id, barcode)
        await record_movements(shop_id=shop_id, staff_id=staff_id, movements=[
            Movement(item_id, quantity, MovementKind.ADJUSTMENT, reason=reason)])


async def write_off(*, shop_id: int, barcode: str, quantity: int, reason: WriteOffReason | str, staff_id: int,
                    note: str = "") -> None:
    """Pieces taken off the shelf for good: damaged, expired or unsellable."""
    try:
        reason = WriteOffReason(reason)
    except ValueError:
        raise DomainError(InventoryError.BAD_REASON, maximum=200) from None
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_CHANGE:
        raise DomainError(InventoryError.BAD_QUANTITY, quantity=quantity, maximum=MAX_CHANGE)
    note = " ".join((note or "").split())
    if len(note) > MAX_WRITE_OFF_NOTE:  # refused, never cut
        raise DomainError(InventoryError.BAD_NOTE, maximum=MAX_WRITE_OFF_NOTE)
    async with writing(Item._meta.db):
        item_id = await _item_id(shop_id, barcode)
        await record_movements(shop_id=shop_id, staff_id=staff_id, movements=[
            Movement(item_id, -quantity, MovementKind.WRITE_OFF, reason=f"{reason.value}: {note}" if note else reason.value)])


@dataclass(frozen=True)
class MovementRow:
    at: datetime
    kind: str
    quantity: int
    reason: str
    ref: str
    staff: str
    on_hand_after: int


async def movements_of(*, shop_id: int, barcode: str, limit: int = 500) -> list[MovementRow]:
    """An item's movements, newest first, with who made them and the on-hand after each."""
    item_id = await _item_id(shop_id, barcode)
    rows = await run(Item._meta.db, """
        SELECT m.id, m.created_at, m.kind, m.quantity, m.reason, m.ref, COALESCE(s.display_name, '') AS staff,
               SUM(m.quantity) OVER (ORDER BY m.id) AS after
        FROM stock_movement m LEFT JOIN staff s ON s.id = m.staff WHERE m.item = $1 ORDER BY m.id DESC""", item_id)
    return [MovementRow(at=as_time(r["created_at"]), kind=r["kind"], quantity=r["quantity"], reason=r["reason"],
                        ref=r["ref"], staff=r["staff"], on_hand_after=int(r["after"])) for r in rows[:limit]]
