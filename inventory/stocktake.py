"""Stock takes: count the shelf (the whole shop, one category or one location), see what the books
expected against what was counted, and post the differences as stock-take movements.

Each count keeps the item's on-hand at the moment it was counted (`expected`): a sale made
after the count lowers on-hand, but the shelf the count saw was before that sale, so the
difference posted is counted − expected, never counted − on-hand-now. That is how sales made
during the count are accounted for. A count is a few statements in a short transaction that
locks the stock take's row, reads on-hand without locking the item, and commits at once: the
till is never kept waiting longer than that instant.

One stock take at a time per shop: two open counts covering the same goods would each post
the same difference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum

from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

from inventory.barcodes import normalize_barcode
from inventory.errors import InventoryError
from inventory.stock import Movement, MovementKind, record_movements
from inventory.tables import Category, Item, StockTake

MAX_COUNT = 9_999
MAX_LOCATION = 32


class StockTakeError(StrEnum):
    UNKNOWN_STOCKTAKE = "unknown-stocktake"
    STOCKTAKE_NOT_OPEN = "stocktake-not-open"
    STOCKTAKE_ALREADY_OPEN = "stocktake-already-open"
    BAD_SCOPE = "bad-scope"
    UNKNOWN_LOCATION = "unknown-location"
    ITEM_OUT_OF_SCOPE = "item-out-of-scope"
    BAD_COUNT = "bad-count"
    NOTHING_COUNTED = "nothing-counted"


class Scope(StrEnum):
    SHOP = "shop"
    CATEGORY = "category"
    LOCATION = "location"


class CountMode(StrEnum):
    ADD = "add"  # a scan: one more piece (or `quantity` more)
    SET = "set"  # a typed count: this many pieces in all


def stock_take_number(stock_take_id: int) -> str:
    return f"ST{stock_take_id:06d}"


@dataclass(frozen=True)
class StockTakeInfo:
    id: int
    number: str
    scope: str  # shop | category | location
    scope_value: str  # the category's code or the location; "" for the whole shop
    status: str  # open | posted | cancelled
    opened_by: str
    opened_at: datetime
    closed_by: str  # "" while open
    closed_at: datetime | None
    items_counted: int


@dataclass(frozen=True)
class CountLine:
    """One item of a stock take: what the books say, what was counted, and the difference to post."""

    barcode: str
    name: str
    category: str  # its code
    location: str
    active: bool
    on_hand: int  # the books now
    counted: int | None  # None: not counted yet
    expected: int | None  # the books when it was last counted
    difference: int | None  # counted − expected: what posting writes
    posted: int | None = None  # what the posted stock take moved (None until posted)


@dataclass(frozen=True)
class StockTakeView:
    stock_take: StockTakeInfo
    lines: list[CountLine]  # the items counted
    uncounted: list[CountLine]  # open: the items in scope not counted yet with stock on the books


def _check_count(quantity: int, mode: CountMode) -> int:
    minimum = 1 if mode is CountMode.ADD else 0
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not minimum <= quantity <= MAX_COUNT:
        raise DomainError(StockTakeError.BAD_COUNT, quantity=str(quantity)[:10], minimum=minimum, maximum=MAX_COUNT)
    return quantity


def _scope_sql(scope: str, scope_value: str, args: list) -> str:
    """The condition on item i (joined to its category c) of being in the scope; its value appended to args."""
    if scope == Scope.SHOP:
        return "TRUE"
    args.append(scope_value)
    return f"{'c.code' if scope == Scope.CATEGORY else 'i.location'} = ${len(args)}"


async def _locked(shop_id: int, stock_take_id: int) -> dict:
    """The stock take's row, locked on PostgreSQL until the transaction ends (counts, post and cancel queue on it)."""
    db = StockTake._meta.db
    rows = await run(db, "SELECT id, scope, scope_value, status FROM stock_take WHERE id = $1 AND shop = $2"
                     + sql.for_update(db),
                     stock_take_id, shop_id)
    if not rows:
        raise DomainError(StockTakeError.UNKNOWN_STOCKTAKE, number=stock_take_number(stock_take_id))
    return rows[0]


async def _open(shop_id: int, stock_take_id: int) -> dict:
    take = await _locked(shop_id, stock_take_id)
    if take["status"] != "open":
        raise DomainError(StockTakeError.STOCKTAKE_NOT_OPEN, number=stock_take_number(take["id"]))
    return take


async def open_stock_take(*, shop_id: int, scope: str, scope_value: str, staff_id: int) -> int:
    """A manager opens a count of the whole shop, one category (its code) or one location. Returns its id."""
    try:
        scope = Scope(scope)
    except ValueError:
        raise DomainError(StockTakeError.BAD_SCOPE, scope=str(scope)[:16], maximum=MAX_LOCATION) from None
    value = " ".join((scope_value or "").split()) if scope is not Scope.SHOP else ""
    if scope is not Scope.SHOP and not 1 <= len(value) <= MAX_LOCATION:
        raise DomainError(StockTakeError.BAD_SCOPE, scope=scope.value, maximum=MAX_LOCATION)
    db = StockTake._meta.db
    async with writing(db):
        await sql.advisory_lock(db, f"stock-take:{shop_id}")  # two managers opening at once: one after the other
        if scope is Scope.CATEGORY and not await Category.exists().where(
                (Category.shop == shop_id) & (Category.code == value)):
            raise DomainError(InventoryError.UNKNOWN_CATEGORY, category=value)
        if scope is Scope.LOCATION and not await Item.exists().where(
                (Item.shop == shop_id) & (Item.location == value)):
            raise DomainError(StockTakeError.UNKNOWN_LOCATION, location=value)
        still_open = await run(db, "SELECT id FROM stock_take WHERE shop = $1 AND status = 'open'", shop_id)
        if still_open:
            raise DomainError(StockTakeError.STOCKTAKE_ALREADY_OPEN,
                              number=stock_take_number(still_open[0]["id"]))
        rows = await StockTake.insert(StockTake(
            shop=shop_id, scope=scope.value, scope_value=value, status="open", opened_by=staff_id,
            opened_at=datetime.now(UTC),
        )).returning(StockTake.id)
    return rows[0]["id"]


async def count_item(*, shop_id: int, stock_take_id: int, barcode: str, quantity: int, staff_id: int,
                     mode: CountMode | str = CountMode.ADD) -> CountLine:
    """A scan adds pieces (mode add), a typed count sets them (mode set). The books' on-hand is read
    at this moment, without locking the item, and kept as what the count expected."""
    try:
        mode = CountMode(mode)
    except ValueError:
        raise DomainError(StockTakeError.BAD_COUNT, quantity=str(quantity)[:10], minimum=0, maximum=MAX_COUNT) from None
    _check_count(quantity, mode)
    code = normalize_barcode(barcode)
    db = StockTake._meta.db
    async with writing(db):
        take = await _open(shop_id, stock_take_id)
        args = [shop_id, code]
        in_scope = _scope_sql(take["scope"], take["scope_value"], args)
        rows = await run(db, f"""
            SELECT i.id, i.name, ({in_scope}) AS in_scope FROM item i JOIN category c ON c.id = i.category
            WHERE i.shop = $1 AND i.barcode = $2""", *args)
        if not rows:
            raise DomainError(InventoryError.UNKNOWN_BARCODE, barcode=code)
        item = rows[0]
        if not item["in_scope"]:
            raise DomainError(StockTakeError.ITEM_OUT_OF_SCOPE, barcode=code, name=item["name"],
                              scope=take["scope_value"])
        counted = "stock_take_count.counted + excluded.counted" if mode is CountMode.ADD else "excluded.counted"
        saved = await run(db, f"""
            INSERT INTO stock_take_count (stock_take, item, counted, expected, counted_by, counted_at)
            VALUES ($1, $2, $3, (SELECT on_hand FROM item WHERE id = $2), $4, $5)
            ON CONFLICT (stock_take, item) DO UPDATE SET counted = {counted}, expected = excluded.expected,
                counted_by = excluded.counted_by, counted_at = excluded.counted_at
            RETURNING counted""", take["id"], item["id"], quantity, staff_id, datetime.now(UTC))
        if saved[0]["counted"] > MAX_COUNT:
            raise DomainError(StockTakeError.BAD_COUNT, quantity=saved[0]["counted"], minimum=0, maximum=MAX_COUNT)
    (line,) = await _lines(shop_id, take, barcode=code)
    return line


async def _lines(shop_id: int, take: dict, *, barcode: str | None = None) -> list[CountLine]:
    """The lines of a stock take (only `barcode`'s if given): the items counted, and while it is open the
    items in scope with stock on the books; once posted, also those the post moved."""
    args: list = [shop_id, take["id"], stock_take_number(take["id"])]
    if take["status"] == "open":
        shown = f"k.id IS NOT NULL OR (i.on_hand <> 0 AND {_scope_sql(take['scope'], take['scope_value'], args)})"
    else:
        shown = "k.id IS NOT NULL OR m.item IS NOT NULL"
    one = ""
    if barcode is not None:
        args.append(barcode)
        one = f" AND i.barcode = ${len(args)}"
    rows = await run(StockTake._meta.db, f"""
        SELECT i.barcode, i.name, c.code AS category, i.location, i.active, i.on_hand, k.counted, k.expected,
               m.posted
        FROM item i JOIN category c ON c.id = i.category
        LEFT JOIN stock_take_count k ON k.item = i.id AND k.stock_take = $2
        LEFT JOIN (SELECT item, SUM(quantity) AS posted FROM stock_movement
                   WHERE shop = $1 AND kind = 'stock-take' AND ref = $3 GROUP BY item) m ON m.item = i.id
        WHERE i.shop = $1{one} AND ({shown})
        ORDER BY i.location, i.name, i.id""", *args)
    posted = take["status"] == "posted"
    return [CountLine(
        barcode=r["barcode"], name=r["name"], category=r["category"], location=r["location"],
        active=bool(r["active"]), on_hand=int(r["on_hand"]), counted=r["counted"], expected=r["expected"],
        difference=None if r["counted"] is None else r["counted"] - r["expected"],
        posted=int(r["posted"] or 0) if posted else None,
    ) for r in rows]


_INFO = """
SELECT t.id, t.scope, t.scope_value, t.status, o.display_name AS opened_by, t.opened_at,
       COALESCE(x.display_name, '') AS closed_by, t.closed_at,
       (SELECT COUNT(*) FROM stock_take_count k WHERE k.stock_take = t.id) AS items_counted
FROM stock_take t JOIN staff o ON o.id = t.opened_by LEFT JOIN staff x ON x.id = t.closed_by
WHERE t.shop = $1"""


def _info(row: dict) -> StockTakeInfo:
    return StockTakeInfo(
        id=row["id"], number=stock_take_number(row["id"]), scope=row["scope"], scope_value=row["scope_value"],
        status=row["status"], opened_by=row["opened_by"], opened_at=as_time(row["opened_at"]),
        closed_by=row["closed_by"], closed_at=as_time(row["closed_at"]) if row["closed_at"] else None,
        items_counted=int(row["items_counted"]))


async def stock_takes_of(*, shop_id: int, limit: int = 100) -> list[StockTakeInfo]:
    """The shop's stock takes, newest first."""
    rows = await run(StockTake._meta.db, f"{_INFO} ORDER BY t.id DESC LIMIT {int(limit)}", shop_id)
    return [_info(row) for row in rows]


async def stock_take_by_id(*, shop_id: int, stock_take_id: int) -> StockTakeInfo:
    rows = await run(StockTake._meta.db, f"{_INFO} AND t.id = $2", shop_id, stock_take_id)
    if not rows:
        raise DomainError(StockTakeError.UNKNOWN_STOCKTAKE, number=stock_take_number(stock_take_id))
    return _info(rows[0])


async def stock_take_view(*, shop_id: int, stock_take_id: int) -> StockTakeView:
    """A stock take with what was counted against what the books expected, and what is still to count."""
    info = await stock_take_by_id(shop_id=shop_id, stock_take_id=stock_take_id)
    lines = await _lines(shop_id, asdict(info))
    return StockTakeView(stock_take=info, lines=[line for line in lines if line.counted is not None],
                         uncounted=[line for line in lines if line.counted is None])


async def post_stock_take(*, shop_id: int, stock_take_id: int, staff_id: int, zero_uncounted: bool) -> int:
    """Post the differences as stock-take movements, all or nothing; with `zero_uncounted`, an item in
    scope nobody counted is not on the shelf: its stock goes to 0. Returns how many items were corrected."""
    db = StockTake._meta.db
    async with writing(db):
        take = await _open(shop_id, stock_take_id)
        number = stock_take_number(take["id"])
        if not await run(db, "SELECT id FROM stock_take_count WHERE stock_take = $1 LIMIT 1", take["id"]):
            raise DomainError(StockTakeError.NOTHING_COUNTED, number=number)
        args: list = [shop_id, take["id"]]
        uncounted = (f"(k.id IS NULL AND i.on_hand <> 0 AND {_scope_sql(take['scope'], take['scope_value'], args)})"
                     if zero_uncounted else "FALSE")
        # Every item moved, locked in one statement in id order on PostgreSQL (as a sale locks its
        # items), so its on-hand cannot change between reading it and zeroing it, and no deadlock.
        rows = await run(db, f"""
            SELECT i.id, i.on_hand, k.counted, k.expected
            FROM item i JOIN category c ON c.id = i.category
            LEFT JOIN stock_take_count k ON k.item = i.id AND k.stock_take = $2
            WHERE i.shop = $1 AND (k.id IS NOT NULL OR {uncounted}) ORDER BY i.id{sql.for_update(db, of="i")}""", *args)
        movements = [
            Movement(row["id"], (row["counted"] - row["expected"]) if row["counted"] is not None else -row["on_hand"],
                     MovementKind.STOCK_TAKE, reason="stock take", ref=number)
            for row in rows]
        movements = [m for m in movements if m.quantity != 0]
        now = datetime.now(UTC)
        await record_movements(shop_id=shop_id, movements=movements, staff_id=staff_id, at=now, items_locked=True)
        await run(db, "UPDATE stock_take SET status = 'posted', closed_by = $2, closed_at = $3 WHERE id = $1",
                  take["id"], staff_id, now)
    return len(movements)


async def cancel_stock_take(*, shop_id: int, stock_take_id: int, staff_id: int) -> None:
    """Close an open stock take without posting anything (its counts stay on record)."""
    db = StockTake._meta.db
    async with writing(db):
        take = await _open(shop_id, stock_take_id)
        await run(db, "UPDATE stock_take SET status = 'cancelled', closed_by = $2, closed_at = $3 WHERE id = $1",
                  take["id"], staff_id, datetime.now(UTC))


async def locations_in_use(*, shop_id: int) -> list[str]:
    """The locations items are at, for choosing what to count."""
    rows = await run(Item._meta.db, "SELECT DISTINCT location FROM item WHERE shop = $1 AND location <> '' "
                                    "ORDER BY location", shop_id)
    return [row["location"] for row in rows]
