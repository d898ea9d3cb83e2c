"""The catalogue: categories and items, and finding an item by the code a scanner sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

import msgspec

from inventory.barcodes import IN_STORE_PREFIX, in_store_code, normalize_barcode
from inventory.rotation import Rotation, marked_down
from inventory.search import pinyin_keys, search_terms
from inventory.errors import InventoryError
from inventory.stock import Movement, MovementKind, record_movements
from inventory.tables import Category, CategoryRuleChange, Item, PriceChange
from shop import sql
from shop.database import as_date, as_time, fetch_by_key, run, writing
from shop.errors import DomainError

SOURCES = ("donated", "handicraft", "purchased")
MAX_PRICE_FEN = 10_000_000  # ¥100,000.00 for one piece: more is a typing mistake
MAX_QUANTITY = 9_999


class Condition(StrEnum):
    """The condition of a donated piece, as the intake desk grades it (全新 / 九成新 / 良好 / 一般)."""

    NEW = "new"
    LIKE_NEW = "like-new"
    GOOD = "good"
    FAIR = "fair"


def check_price(price_fen: int, *, minimum: int = 0) -> int:
    if (not isinstance(price_fen, int) or isinstance(price_fen, bool)
            or not minimum <= price_fen <= MAX_PRICE_FEN):
        raise DomainError(InventoryError.BAD_PRICE, price=price_fen, minimum=minimum, maximum=MAX_PRICE_FEN)
    return price_fen


def check_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(InventoryError.BAD_QUANTITY, quantity=quantity, maximum=MAX_QUANTITY)
    return quantity


_PRICE_COLUMNS = {Condition.NEW: "price_new_fen", Condition.LIKE_NEW: "price_like_new_fen",
                  Condition.GOOD: "price_good_fen", Condition.FAIR: "price_fair_fen"}


def _checked_prices(prices: dict[Condition, int | None] | None) -> dict[str, int | None]:
    prices = prices or {}
    return {column: None if prices.get(condition) is None else check_price(prices[condition], minimum=1)
            for condition, column in _PRICE_COLUMNS.items()}


async def add_category(*, shop_id: int, code: str, name: str, source: str, name_en: str = "",
                       accepts_points: bool = True, fund_percent: int | None = None,
                       maker_percent: int | None = None, perishable: bool = False,
                       prices: dict[Condition, int | None] | None = None) -> int:
    """A category; `prices`: the intake desk's starting price of a piece in each condition."""
    if source not in SOURCES:
        raise DomainError(InventoryError.BAD_SOURCE, source=source)
    rows = await Category.insert(Category(
        shop=shop_id, code=code, name=name, name_en=name_en, source=source,
        accepts_points=accepts_points, fund_percent=fund_percent, maker_percent=maker_percent,
        perishable=perishable, **_checked_prices(prices),
    )).returning(Category.id)
    return rows[0]["id"]


async def set_default_prices(*, shop_id: int, code: str, prices: dict[Condition, int | None]) -> None:
    """A manager sets the starting price of a piece of this category in each condition (None: no default)."""
    values = _checked_prices(prices)
    async with writing(Category._meta.db):
        category = await Category.select(Category.id).where(
            (Category.shop == shop_id) & (Category.code == code)).first()
        if category is None:
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=code)
        await Category.update({getattr(Category, column): value for column, value in values.items()}).where(
            Category.id == category["id"])


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    name_en: str
    source: str
    accepts_points: bool
    perishable: bool
    default_prices: dict[str, int]  # condition → fen, for the conditions that have one
    fund_percent: int | None = None  # the category's own split; None: its goods source's
    maker_percent: int | None = None


async def categories_of(*, shop_id: int) -> list[CategoryInfo]:
    rows = await Category.select().where(Category.shop == shop_id).order_by(Category.code)
    return [CategoryInfo(
        id=row["id"], code=row["code"], name=row["name"], name_en=row["name_en"], source=row["source"],
        accepts_points=bool(row["accepts_points"]), perishable=bool(row["perishable"]),
        fund_percent=row["fund_percent"], maker_percent=row["maker_percent"],
        default_prices={str(condition): row[column] for condition, column in _PRICE_COLUMNS.items()
                        if row[column] is not None},
    ) for row in rows]


async def category_by_code(*, shop_id: int, code: str) -> CategoryInfo:
    for category in await categories_of(shop_id=shop_id):
        if category.code == code:
            return category
    raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=code[:32])


async def next_in_store_codes(*, shop_id: int, count: int) -> list[str]:
    """`count` new in-store EAN-13s for this shop, inside the caller's writing transaction.

    The shop's counter row is locked by its UPDATE until the transaction ends, so two
    intake desks never get the same code; it also never falls behind a code already in
    the catalogue (the demo's, or an import's).
    """
    if count <= 0:
        return []
    db = Item._meta.db
    await run(db, "INSERT INTO in_store_sequence (shop, last) VALUES ($1, 0) ON CONFLICT (shop) DO NOTHING",
              shop_id)
    # An UPDATE, not a SELECT: it locks the counter's row on PostgreSQL until the transaction ends.
    rows = await run(db, "UPDATE in_store_sequence SET last = last WHERE shop = $1 RETURNING last", shop_id)
    last = int(rows[0]["last"])
    highest = await run(db, "SELECT MAX(barcode) AS code FROM item WHERE shop = $1 AND barcode >= $2 AND barcode < $3",
                        shop_id, IN_STORE_PREFIX + "0" * 11, str(int(IN_STORE_PREFIX) + 1) + "0" * 11)
    if highest[0]["code"]:
        last = max(last, int(highest[0]["code"][len(IN_STORE_PREFIX):12]))
    await run(db, "UPDATE in_store_sequence SET last = $2 WHERE shop = $1", shop_id, last + count)
    return [in_store_code(number) for number in range(last + 1, last + count + 1)]


@dataclass(frozen=True)
class NewItem:
    item_id: int
    barcode: str


async def add_item(*, shop_id: int, name: str, category_id: int, price_fen: int, barcode: str | None = None,
                   quantity: int = 1, one_off: bool = False, staff_id: int | None = None, reason: str = "",
                   ref: str = "", condition: Condition | None = None, expires_on: date | None = None) -> NewItem:
    """Put an item in the catalogue and its first stock on the shelf (an intake movement).

    Without a barcode the item gets the shop's next in-store code (next_in_store_codes).
    """
    code = normalize_barcode(barcode) if barcode else None
    check_price(price_fen)
    check_quantity(quantity)
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise DomainError(InventoryError.BAD_NAME, maximum=200)
    initials, full = pinyin_keys(name)
    async with writing(Item._meta.db):
        if not await Category.exists().where((Category.id == category_id) & (Category.shop == shop_id)):
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=category_id)
        if code is None:
            (code,) = await next_in_store_codes(shop_id=shop_id, count=1)
        elif await Item.exists().where((Item.shop == shop_id) & (Item.barcode == code)):
            raise DomainError(InventoryError.BARCODE_TAKEN, barcode=code)
        rows = await sql.insert_rows(Item, [dict(
            shop=shop_id, barcode=code, name=name, category=category_id, price_fen=price_fen, one_off=one_off,
            active=True, created_at=datetime.now(UTC), on_hand=0, condition=str(condition or ""),
            expires_on=expires_on, location="", low_stock_at=None,
            search_initials=initials, search_pinyin=full,
        )], returning="id")
        item_id = rows[0]["id"]
        await record_movements(shop_id=shop_id, staff_id=staff_id, movements=[
            Movement(item_id, quantity, MovementKind.INTAKE, reason=reason, ref=ref)])
    return NewItem(item_id, code)


@dataclass(frozen=True)
class StockedItem:
    """An item as the intake desk sees it when goods with its code come in again."""

    id: int
    barcode: str
    name: str
    price_fen: int
    category_id: int
    category_code: str
    source: str
    active: bool
    on_hand: int
    expires_on: date | None
    condition: str
    location: str
    low_stock_at: int | None


async def item_by_barcode(*, shop_id: int, barcode: str) -> StockedItem | None:
    """The item with this (normalized) code, or None; its row locked until the transaction ends on PostgreSQL.

    A writer that locks an item goes on to change it, and a change takes the shop's catalogue version
    (inventory/catalogue_feed.py), whose counter row stays locked until commit. So, on PostgreSQL, the version
    is taken first, before the item's row: a catalogue import or a category change takes the counter and then
    items, and two writers taking the two locks in opposite orders would deadlock."""
    db = Item._meta.db
    if sql.locks_rows(db) and db.transaction_exists():
        await run(db, "SELECT aixin_catalogue_version($1)", shop_id)
    lock = sql.for_update(db, of="i")
    rows = await run(db, f"""
        SELECT i.id, i.barcode, i.name, i.price_fen, i.category AS category_id, c.code AS category_code, c.source,
               i.active, i.on_hand, i.expires_on, i.condition, i.location, i.low_stock_at
        FROM item i JOIN category c ON c.id = i.category WHERE i.shop = $1 AND i.barcode = $2{lock}""",
                     shop_id, barcode)
    if not rows:
        return None
    row = rows[0]
    return StockedItem(**{**row, "active": bool(row["active"]), "expires_on": as_date(row["expires_on"])})


async def receive_stock(*, shop_id: int, item: StockedItem, quantity: int, staff_id: int | None, reason: str,
                        ref: str, expires_on: date | None = None) -> None:
    """More pieces of a known item come in (an intake movement); its expiry becomes the earliest it holds."""
    check_quantity(quantity)
    db = Item._meta.db
    async with writing(db):
        await record_movements(shop_id=shop_id, staff_id=staff_id, movements=[
            Movement(item.id, quantity, MovementKind.INTAKE, reason=reason, ref=ref)])
        if expires_on is not None and (item.expires_on is None or expires_on < item.expires_on):
            await run(db, "UPDATE item SET expires_on = $2 WHERE id = $1", item.id, expires_on)


class TillItem(msgspec.Struct, frozen=True):
    """What the till shows when a code is scanned (a Struct: made and encoded five times faster than a dataclass, on
    the scanner's hot path)."""

    id: int
    barcode: str
    name: str
    price_fen: int  # what it sells for now: after the rotation's markdown, if any
    list_price_fen: int  # its price before any markdown
    markdown_percent: int
    category: str
    source: str
    accepts_points: bool
    on_hand: int
    expires_on: date | None
    expired: bool  # the till warns; the shelf is the truth, so it still sells
    removal_due: bool  # ageing stock that should have come off the shelf: the till warns


_TILL_LOOKUP = """
SELECT i.id, i.barcode, i.name, i.price_fen, i.active, c.name AS category, c.source, c.accepts_points, i.on_hand,
       i.created_at, i.expires_on, c.perishable
FROM item i JOIN category c ON c.id = i.category
WHERE i.shop = $1 AND i.barcode = $2
"""
_TILL_LOOKUPS = """
SELECT k.shop AS key_shop, k.barcode AS key_barcode,
       i.id, i.barcode, i.name, i.price_fen, i.active, c.name AS category, c.source, c.accepts_points, i.on_hand,
       i.created_at, i.expires_on, c.perishable
FROM unnest($1::integer[], $2::text[]) AS k(shop, barcode)
JOIN item i ON i.shop = k.shop AND i.barcode = k.barcode JOIN category c ON c.id = i.category
"""  # PostgreSQL's: the lookups of tills that scanned at the same moment, in one statement (fetch_by_key)


def price_now(*, price_fen: int, source: str, perishable: bool, came_in: datetime | str, rotation: Rotation,
              now: datetime) -> tuple[int, int]:
    """(price after markdown, markdown percent) of an item as the rotation ages it: by the shop-local day of `now`
    (a step moves at the shop's midnight, so the price is the same all day)."""
    if not rotation.applies_to(source=source, perishable=bool(perishable)):
        return price_fen, 0
    percent = rotation.markdown_percent(came_in=as_time(came_in), now=now)
    return marked_down(price_fen, percent), percent


async def find_for_till(*, shop_id: int, barcode: str, rotation: Rotation, today: date,
                        now: datetime | None = None) -> TillItem:
    """The item a scanned code names, or DomainError (malformed, wrong check digit, unknown, withdrawn).

    `today` is the shop's local date (for expiry). The scanner's hot path: one query on the
    engine's fastest read path.
    """
    code = normalize_barcode(barcode)
    rows = await fetch_by_key(Item._meta.db, _TILL_LOOKUP, _TILL_LOOKUPS, shop_id, code)
    if not rows:
        raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
    row = rows[0]
    if not row["active"]:
        raise DomainError(InventoryError.ITEM_WITHDRAWN, barcode=code, name=row["name"])
    now = now or datetime.now(UTC)
    price, percent = price_now(price_fen=row["price_fen"], source=row["source"], perishable=row["perishable"],
                               came_in=row["created_at"], rotation=rotation, now=now)
    expires = as_date(row["expires_on"])
    ageing = rotation.applies_to(source=row["source"], perishable=bool(row["perishable"]))
    return TillItem(id=row["id"], barcode=row["barcode"], name=row["name"], price_fen=price,
                    list_price_fen=row["price_fen"], markdown_percent=percent,
                    category=row["category"], source=row["source"],
                    accepts_points=bool(row["accepts_points"]), on_hand=int(row["on_hand"]), expires_on=expires,
                    expired=expires is not None and expires < today,
                    removal_due=ageing and rotation.removal_due(came_in=as_time(row["created_at"]), now=now))


@dataclass(frozen=True)
class FoundItem:
    """An item found by name, part of its code or pinyin, as a list shows it."""

    barcode: str
    name: str
    price_fen: int  # the catalogue's price (a markdown applies when it is scanned or sold)
    category: str
    on_hand: int
    location: str
    active: bool


MAX_FOUND = 30


async def find_items(*, shop_id: int, text: str, include_withdrawn: bool = False,
                     limit: int = MAX_FOUND) -> list[FoundItem]:
    """Items whose name contains `text`, whose code contains its digits (4 or more), or whose pinyin
    initials or full pinyin contain its letters: "axb" and "aixin" both find 爱心杯. In stock first."""
    name, keys = search_terms(text)
    name = name.replace("%", "").replace("_", "").lower()
    if not name:
        return []
    conditions, args = ["LOWER(i.name) LIKE $2"], [shop_id, f"%{name}%"]
    if keys:
        args.append(f"%{keys}%")
        conditions += [f"i.search_initials LIKE ${len(args)}", f"i.search_pinyin LIKE ${len(args)}"]
    digits = "".join(ch for ch in name if ch.isdigit())
    if len(digits) >= 4 and digits == name.replace(" ", ""):
        args.append(f"%{digits}%")
        conditions.append(f"i.barcode LIKE ${len(args)}")
    active = "" if include_withdrawn else " AND i.active"
    rows = await run(Item._meta.db, f"""
        SELECT i.barcode, i.name, i.price_fen, c.name AS category, i.on_hand, i.location, i.active
        FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1{active} AND ({" OR ".join(conditions)})
        ORDER BY CASE WHEN i.on_hand > 0 THEN 0 ELSE 1 END, i.name LIMIT {int(limit)}""", *args)
    return [FoundItem(**{**row, "active": bool(row["active"])}) for row in rows]


@dataclass(frozen=True)
class LabelItem:
    """What an item's label shows."""

    barcode: str
    name: str
    price_fen: int
    category: str
    condition: str  # a Condition, or "" (goods that are not graded)
    created_at: datetime


async def items_for_labels(*, shop_id: int, barcodes: Sequence[str]) -> list[LabelItem]:
    """The items for these codes, in the order asked; DomainError for a bad or unknown code."""
    codes = [normalize_barcode(code) for code in barcodes]
    rows = await Item.select(Item.barcode, Item.name, Item.price_fen, Item.category.name.as_alias("category"),
                             Item.condition, Item.created_at).where((Item.shop == shop_id) & Item.barcode.is_in(codes or [""]))
    found = {row["barcode"]: LabelItem(**row) for row in rows}
    for code in codes:
        if code not in found:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
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
    created_at: datetime
    perishable: bool
    accepts_points: bool = True  # its category takes love-bank points at the till


async def items_by_barcode(*, shop_id: int, barcodes: Sequence[str], lock: bool = True) -> dict[str, SellableItem]:
    """The items for these (normalized) codes, with what the split needs; unknown codes are absent.

    Inside a writing transaction on PostgreSQL the item rows stay locked until it ends (in
    id order, so two tills selling the same goods queue instead of deadlocking), unless `lock` is
    False; SQLite's IMMEDIATE transaction already keeps other writers out. Written in SQL: the
    checkout's hot path.
    """
    if not barcodes:
        return {}
    engine = Item._meta.db
    marks = sql.placeholders(2, len(barcodes))
    lock = sql.for_update(engine, of="i") if lock else ""
    rows = await run(engine, f"""
        SELECT i.id, i.barcode, i.name, i.price_fen, i.active, i.on_hand, c.id AS category_id,
               c.code AS category_code, c.source, c.fund_percent, c.maker_percent, i.created_at, c.perishable,
               c.accepts_points
        FROM item i JOIN category c ON c.id = i.category
        WHERE i.shop = $1 AND i.barcode IN ({marks}) ORDER BY i.id{lock}""", shop_id, *barcodes)
    return {row["barcode"]: SellableItem(**{**row, "active": bool(row["active"]), "perishable": bool(row["perishable"]),
                                            "accepts_points": bool(row["accepts_points"]),
                                            "created_at": as_time(row["created_at"])}) for row in rows}



async def change_price(*, shop_id: int, barcode: str, price_fen: int, staff_id: int, reason: str = "") -> None:
    """A manager changes an item's price; the change is kept with who, when and why (past sales keep theirs)."""
    check_price(price_fen, minimum=1)
    reason = " ".join((reason or "").split())
    if len(reason) > 200:  # refused, never cut: the person sees what was kept
        raise DomainError(InventoryError.BAD_REASON, maximum=200)
    code = normalize_barcode(barcode)
    db = Item._meta.db
    async with writing(db):
        item = await item_by_barcode(shop_id=shop_id, barcode=code)
        if item is None:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
        if item.price_fen == price_fen:
            raise DomainError(InventoryError.SAME_PRICE, price=price_fen)
        await run(db, "UPDATE item SET price_fen = $2 WHERE id = $1", item.id, price_fen)
        await sql.insert_rows(PriceChange, [dict(shop=shop_id, item=item.id, old_price_fen=item.price_fen,
                                             new_price_fen=price_fen, reason=reason,
                                             staff=staff_id, created_at=datetime.now(UTC))])


@dataclass(frozen=True)
class PriceChangeRow:
    at: datetime
    old_price_fen: int
    new_price_fen: int
    reason: str
    staff: str


async def price_changes_of(*, shop_id: int, barcode: str) -> list[PriceChangeRow]:
    rows = await run(Item._meta.db, """
        SELECT p.created_at, p.old_price_fen, p.new_price_fen, p.reason, COALESCE(s.display_name, '') AS staff
        FROM price_change p JOIN item i ON i.id = p.item LEFT JOIN staff s ON s.id = p.staff
        WHERE i.shop = $1 AND i.barcode = $2 ORDER BY p.id DESC""", shop_id, normalize_barcode(barcode))
    return [PriceChangeRow(at=as_time(r["created_at"]), old_price_fen=r["old_price_fen"],
                           new_price_fen=r["new_price_fen"], reason=r["reason"], staff=r["staff"]) for r in rows]


async def update_item(*, shop_id: int, barcode: str, name: str, category: str, location: str,
                      low_stock_at: int | None, active: bool) -> None:
    """A manager corrects an item's details (its price has change_price, its stock has movements)."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 200:
        raise DomainError(InventoryError.BAD_NAME, maximum=200)
    location = " ".join((location or "").split())
    if len(location) > 32:
        raise DomainError(InventoryError.BAD_LOCATION, maximum=32)
    if low_stock_at is not None and not 0 <= low_stock_at <= MAX_QUANTITY:
        raise DomainError(InventoryError.BAD_LEVEL, maximum=MAX_QUANTITY)
    code = normalize_barcode(barcode)
    initials, full = pinyin_keys(name)
    db = Item._meta.db
    async with writing(db):
        found = await category_by_code(shop_id=shop_id, code=category)
        item = await item_by_barcode(shop_id=shop_id, barcode=code)
        if item is None:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
        await run(db, """UPDATE item SET name = $2, category = $3, location = $4, low_stock_at = $5, active = $6,
                         search_initials = $7, search_pinyin = $8 WHERE id = $1""",
                  item.id, name, found.id, location, low_stock_at, active, initials, full)


async def set_category_rules(*, shop_id: int, code: str, accepts_points: bool, perishable: bool,
                             fund_percent: int | None, maker_percent: int | None, by: int | None = None) -> None:
    """A manager (`by`, a staff id) sets a category's rules: whether points pay for it, whether it expires, and its
    own split (both percents, or neither for the goods source's rule). Past sales keep the rule they had; a change of
    the split is kept (category_rule_change: from what, to what, who, when) in the same transaction, so a sale made
    before it and arriving after it (offline) is split by the rule of its time (split_changed_since)."""
    if (fund_percent is None) != (maker_percent is None) or (fund_percent is not None and not (
            0 <= fund_percent <= 100 and 0 <= maker_percent <= 100 and fund_percent + maker_percent <= 100)):
        raise DomainError(InventoryError.BAD_SPLIT, fund=fund_percent, maker=maker_percent)
    db = Category._meta.db
    async with writing(db):
        # Its row held until the change commits: two managers at once make two changes, the second from the first's.
        rows = await run(db, "SELECT id, fund_percent, maker_percent FROM category WHERE shop = $1 AND code = $2"
                         + sql.for_no_key_update(db), shop_id, code)
        if not rows:
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=code[:32])
        found = rows[0]
        await Category.update({Category.accepts_points: accepts_points, Category.perishable: perishable,
                               Category.fund_percent: fund_percent, Category.maker_percent: maker_percent}).where(
            Category.id == found["id"])
        if (found["fund_percent"], found["maker_percent"]) != (fund_percent, maker_percent):
            await sql.insert_rows(CategoryRuleChange, [dict(
                shop=shop_id, category=found["id"], old_fund_percent=found["fund_percent"],
                old_maker_percent=found["maker_percent"], new_fund_percent=fund_percent,
                new_maker_percent=maker_percent, changed_by=by, created_at=datetime.now(UTC))])


Percents = tuple[int | None, int | None]  # a split's fund and maker percents; None: not set (the next rule down)


async def split_changed_since(category_ids: Sequence[int], at: datetime) -> dict[int, Percents]:
    """The own split of each of these categories that a manager changed after `at`, as it was at `at`: the old split
    of its first change after `at`. A category not in the answer has had its split of now since then. One query
    (as pos/offline.py _list_prices_at reads the prices of a past time)."""
    ids = sorted(set(category_ids))
    if not ids:
        return {}
    rows = await run(Category._meta.db, sql.as_it_was("category_rule_change", "category",
                                                      "c.old_fund_percent, c.old_maker_percent",
                                                      sql.placeholders(2, len(ids))), at, *ids)
    return {row["category"]: (row["old_fund_percent"], row["old_maker_percent"]) for row in rows}


@dataclass(frozen=True)
class SplitChangeRow:
    """A change of a category's split as a manager reads it: "changed by X on date from a/b to c/d"."""

    category: str  # its code
    at: datetime
    old_fund_percent: int | None  # None: the goods source's rule
    old_maker_percent: int | None
    new_fund_percent: int | None
    new_maker_percent: int | None
    staff: str  # who changed it; "" when not known


async def split_changes_of(*, shop_id: int, limit: int = 50) -> list[SplitChangeRow]:
    """The shop's latest changes of its categories' splits, newest first."""
    rows = await run(Category._meta.db, """
        SELECT c.code, r.created_at, r.old_fund_percent, r.old_maker_percent, r.new_fund_percent,
               r.new_maker_percent, COALESCE(s.display_name, '') AS staff
        FROM category_rule_change r JOIN category c ON c.id = r.category LEFT JOIN staff s ON s.id = r.changed_by
        WHERE r.shop = $1 ORDER BY r.id DESC LIMIT $2""", shop_id, limit)
    return [SplitChangeRow(category=r["code"], at=as_time(r["created_at"]), old_fund_percent=r["old_fund_percent"],
                           old_maker_percent=r["old_maker_percent"], new_fund_percent=r["new_fund_percent"],
                           new_maker_percent=r["new_maker_percent"], staff=r["staff"]) for r in rows]
