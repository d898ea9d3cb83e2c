"""The catalogue: categories and items, and finding an item by the code a scanner sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shop.database import fetch_rows, run, writing
from shop.errors import DomainError

from inventory.barcodes import normalize_barcode
from inventory.errors import InventoryError
from inventory.stock import Movement, MovementKind, record_movements
from inventory.tables import Category, Item

SOURCES = ("donated", "handicraft", "purchased")
MAX_PRICE_FEN = 10_000_000  # ¥100,000.00 for one piece: more is a typing mistake
MAX_QUANTITY = 9_999


def check_price(price_fen: int) -> int:
    if not isinstance(price_fen, int) or isinstance(price_fen, bool) or not 0 <= price_fen <= MAX_PRICE_FEN:
        raise DomainError(InventoryError.BAD_PRICE, price=price_fen, maximum=MAX_PRICE_FEN)
    return price_fen


def check_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(InventoryError.BAD_QUANTITY, quantity=quantity, maximum=MAX_QUANTITY)
    return quantity


async def add_category(*, shop_id: int, code: str, name: str, source: str, name_en: str = "",
                       accepts_points: bool = True, fund_percent: int | None = None,
                       maker_percent: int | None = None) -> int:
    if source not in SOURCES:
        raise DomainError(InventoryError.BAD_SOURCE, source=source)
    rows = await Category.insert(Category(
        shop=shop_id, code=code, name=name, name_en=name_en, source=source,
        accepts_points=accepts_points, fund_percent=fund_percent, maker_percent=maker_percent,
    )).returning(Category.id)
    return rows[0]["id"]


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    name_en: str
    source: str
    accepts_points: bool


async def categories_of(*, shop_id: int) -> list[CategoryInfo]:
    rows = await Category.select(Category.id, Category.code, Category.name, Category.name_en, Category.source,
                                 Category.accepts_points).where(Category.shop == shop_id).order_by(Category.code)
    return [CategoryInfo(**row) for row in rows]


async def add_item(*, shop_id: int, barcode: str, name: str, category_id: int, price_fen: int,
                   quantity: int = 1, one_off: bool = False, staff_id: int | None = None,
                   reason: str = "") -> int:
    """Put an item in the catalogue and its first stock on the shelf (an intake movement)."""
    code = normalize_barcode(barcode)
    check_price(price_fen)
    check_quantity(quantity)
    async with writing(Item._meta.db):
        if not await Category.exists().where((Category.id == category_id) & (Category.shop == shop_id)):
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=category_id)
        if await Item.exists().where((Item.shop == shop_id) & (Item.barcode == code)):
            raise DomainError(InventoryError.BARCODE_TAKEN, status=409, barcode=code)
        rows = await Item.insert(Item(
            shop=shop_id, barcode=code, name=name.strip(), category=category_id,
            price_fen=price_fen, one_off=one_off,
        )).returning(Item.id)
        item_id = rows[0]["id"]
        await record_movements(shop_id=shop_id, staff_id=staff_id, movements=[
            Movement(item_id, quantity, MovementKind.INTAKE, reason=reason)])
    return item_id


@dataclass(frozen=True)
class TillItem:
    """What the till shows when a code is scanned."""

    id: int
    barcode: str
    name: str
    price_fen: int
    category: str
    source: str
    accepts_points: bool
    on_hand: int


_TILL_LOOKUP = """
SELECT i.id, i.barcode, i.name, i.price_fen, i.active, c.name AS category, c.source, c.accepts_points, i.on_hand
FROM item i JOIN category c ON c.id = i.category
WHERE i.shop = $1 AND i.barcode = $2
"""


async def find_for_till(*, shop_id: int, barcode: str) -> TillItem:
    """The item a scanned code names, or DomainError (malformed, wrong check digit, unknown, withdrawn).

    The scanner's hot path: one query on the engine's fastest read path.
    """
    code = normalize_barcode(barcode)
    rows = await fetch_rows(Item._meta.db, _TILL_LOOKUP, shop_id, code)
    if not rows:
        raise DomainError(InventoryError.UNKNOWN_BARCODE, status=404, barcode=code)
    row = rows[0]
    if not row["active"]:
        raise DomainError(InventoryError.ITEM_WITHDRAWN, status=409, barcode=code, name=row["name"])
    return TillItem(id=row["id"], barcode=row["barcode"], name=row["name"], price_fen=row["price_fen"],
                    category=row["category"], source=row["source"],
                    accepts_points=bool(row["accepts_points"]), on_hand=int(row["on_hand"]))


@dataclass(frozen=True)
class LabelItem:
    """What an item's label shows."""

    barcode: str
    name: str
    price_fen: int
    category: str
    created_at: datetime


async def items_for_labels(*, shop_id: int, barcodes: Sequence[str]) -> list[LabelItem]:
    """The items for these codes, in the order asked; DomainError for a bad or unknown code."""
    codes = [normalize_barcode(code) for code in barcodes]
    rows = await Item.select(Item.barcode, Item.name, Item.price_fen, Item.category.name.as_alias("category"),
                             Item.created_at).where((Item.shop == shop_id) & Item.barcode.is_in(codes or [""]))
    found = {row["barcode"]: LabelItem(**row) for row in rows}
    for code in codes:
        if code not in found:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, status=404, barcode=code)
    return [found[code] for code in codes]


@dataclass(frozen=True)
class SellableItem:
    id: int
    barcode: str
    name: str
    price_fen: int
    active: bool
    on_hand: int  # read under the row lock of the sale that reads it
    category_id: int
    category_code: str
    source: str
    fund_percent: int | None
    maker_percent: int | None


async def items_by_barcode(*, shop_id: int, barcodes: Sequence[str]) -> dict[str, SellableItem]:
    """The items for these (normalized) codes, with what the split needs; unknown codes are absent.

    Inside a writing transaction on PostgreSQL the item rows stay locked until it ends (in
    id order, so two tills selling the same goods queue instead of deadlocking); SQLite's
    IMMEDIATE transaction already keeps other writers out. Written in SQL: the checkout's
    hot path.
    """
    if not barcodes:
        return {}
    engine = Item._meta.db
    marks = ", ".join(f"${n}" for n in range(2, len(barcodes) + 2))
    lock = "" if engine.engine_type == "sqlite" else " FOR UPDATE OF i"
    rows = await run(engine, f"""
        SELECT i.id, i.barcode, i.name, i.price_fen, i.active, i.on_hand, c.id AS category_id,
               c.code AS category_code, c.source, c.fund_percent, c.maker_percent
        FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1 AND i.barcode IN ({marks}) ORDER BY i.id{lock}""", shop_id, *barcodes)
    return {row["barcode"]: SellableItem(**{**row, "active": bool(row["active"])}) for row in rows}

