"""The catalogue and the stock: categories, items, stock movements. On-hand always equals the sum of an item's movements."""

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from shop.tables import Shop, Staff


class Category(Table):
    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=32)
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    source = Varchar(length=16)  # donated | handicraft | purchased
    accepts_points = Boolean(default=True)
    # A manager's override of the source's split rule (whole percents); null: the source's rule.
    fund_percent = Integer(null=True, default=None)
    maker_percent = Integer(null=True, default=None)
    # The intake desk's starting price for a piece in each condition (fen); null: none set.
    price_new_fen = Integer(null=True, default=None)
    price_like_new_fen = Integer(null=True, default=None)
    price_good_fen = Integer(null=True, default=None)
    price_fair_fen = Integer(null=True, default=None)
    perishable = Boolean(default=False)  # food: intake asks for an expiry date


class Item(Table):
    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    barcode = Varchar(length=13)
    name = Varchar(length=200)
    category = ForeignKey(Category, on_delete=OnDelete.restrict, null=False)
    price_fen = Integer()
    one_off = Boolean(default=False)  # a single donated piece with its own code
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # The sum of the item's stock movements, kept by the same transaction that writes each
    # movement (verify() checks it), so a scan reads one row however long its history.
    on_hand = Integer(default=0)
    condition = Varchar(length=16, default="")  # donated goods: new | like-new | good | fair
    expires_on = Date(null=True, default=None)  # the earliest expiry of the stock brought in
    location = Varchar(length=32, default="")  # where it sits: a shelf, a rail, the back room
    low_stock_at = Integer(null=True, default=None)  # packaged goods: on the low-stock list at or below this
    # What search matches besides the name: its pinyin initials ("axb" for 爱心杯) and full pinyin, kept with the name.
    search_initials = Varchar(length=200, default="")
    search_pinyin = Varchar(length=800, default="")
    # The shop's catalogue version when what a till's copy shows of it last changed (catalogue_feed.py): set by
    # triggers on item and category, never written by the code.
    catalogue_version = BigInt(default=0)


class PriceChange(Table):
    """A price changed by a manager: who, when, why, from what to what (append-only)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False, index=True)
    old_price_fen = Integer()
    new_price_fen = Integer()
    reason = Varchar(length=200, default="")
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CategoryRuleChange(Table):
    """A category's own split changed by a manager: from what to what, who, when (append-only). Percents null: the
    goods source's rule. The split in force at a past moment is the old one of the first change after it, else the
    category's split now (an offline sale arriving late is split by it: pos/offline.py)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    category = ForeignKey(Category, on_delete=OnDelete.restrict, null=False, index=True)
    old_fund_percent = Integer(null=True, default=None)
    old_maker_percent = Integer(null=True, default=None)
    new_fund_percent = Integer(null=True, default=None)
    new_maker_percent = Integer(null=True, default=None)
    changed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class StockTake(Table):
    """A count of the shelf: the whole shop, one category or one location. open → posted (or cancelled)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    scope = Varchar(length=16)  # shop | category | location
    scope_value = Varchar(length=64, default="")  # the category's code or the location
    status = Varchar(length=16, default="open")  # open | posted | cancelled
    opened_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class StockTakeCount(Table):
    """What was counted of one item in a stock take, and what the books said at that moment
    (so sales made while the count goes on are not counted as missing)."""

    stock_take = ForeignKey(StockTake, on_delete=OnDelete.restrict, null=False, index=True)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False)
    counted = Integer()
    expected = Integer()  # the item's on-hand when it was last counted
    counted_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    counted_at = Timestamptz(default=TimestamptzNow())


class InStoreSequence(Table):
    """The last in-store code number a shop has given out (codes 20 + number + check digit)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False, unique=True)
    last = BigInt(default=0)


class CatalogueCounter(Table):
    """A shop's catalogue version: it only grows, moved on by the triggers that stamp changed items with it."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False, unique=True)
    version = BigInt(default=0)


class StockMovement(Table):
    """+ in, - out. kind: intake | sale | return | adjustment | write-off | stock-take | transfer-out | transfer-in
    | transfer-back."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False, index=True)
    quantity = Integer()
    kind = Varchar(length=16)
    reason = Varchar(length=200, default="")
    ref = Varchar(length=64, default="")
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Transfer(Table):
    """Goods sent from one shop of the district to another (调拨), numbered DB-000123 district-wide (its id).
    sent → received, or cancelled while in transit; its pieces are on hand nowhere in between."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)  # the sending shop
    to_shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=16, default="sent")  # sent | received | cancelled
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)  # what was asked: the same key with other lines is refused
    sent_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    sent_at = Timestamptz(default=TimestamptzNow())
    closed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # who received or cancelled
    closed_at = Timestamptz(null=True, default=None)


class TransferLine(Table):
    """A line of a transfer: the sending shop's item and its pieces; once received, the receiving shop's item."""

    transfer = ForeignKey(Transfer, on_delete=OnDelete.restrict, null=False, index=True)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False)
    quantity = Integer()
    received_item = ForeignKey(Item, on_delete=OnDelete.restrict, null=True, default=None, index=True)


class CatalogueImport(Table):
    """A catalogue file being written, or written, in the background (web/catalogue_io.py): its progress kept here,
    so any server process answers for it, and one running per shop (a unique index on running ones) across them."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False, index=True)
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=16, default="running")  # running | done | failed
    total = Integer()  # rows to write
    done = Integer()  # rows written so far (committed only when done)
    summary = Text(default="")  # done: the ImportSummary, as JSON
    error_code = Varchar(length=64, default="")  # failed: why, if a person can do something about it
    error_params = Text(default="")  # as JSON
    started_at = Timestamptz(default=TimestamptzNow())
    beat_at = Timestamptz(default=TimestamptzNow())  # the process writing it, alive: renewed every second or so
