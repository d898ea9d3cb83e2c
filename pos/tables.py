"""Tills and their sessions, sales, their lines (snapshots with the split applied), tenders, returns and refunds."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from lovebank.tables import Member
from inventory.tables import Item
from shop.tables import Shop, Staff


class Till(Table):
    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=16)
    name = Varchar(length=100)


class TillSession(Table):
    """A till from its opening (a counted float) to its close (a counted drawer).

    One open session per till (a partial unique index on till where closed_at is null).
    Expected cash is derived from the ledger: the till's cash entries in transactions after
    `ledger_mark` (the last ledger transaction id when the session opened).
    """

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False, index=True)
    opened_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    opened_at = Timestamptz(default=TimestamptzNow())
    float_fen = Integer()
    ledger_mark = Integer(default=0)
    closed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    counted_fen = Integer(null=True, default=None)
    expected_fen = Integer(null=True, default=None)
    over_short_fen = Integer(null=True, default=None)  # counted - expected: + over, - short


class Sale(Table):
    """A completed sale. Its number is "S" and its id in 8 digits (see pos.numbers)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    idempotency_key = Varchar(length=64)
    cart_digest = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    total_fen = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()
    session = ForeignKey(TillSession, on_delete=OnDelete.restrict, null=True, default=None)  # null: before sessions


class SaleLine(Table):
    """A snapshot of what was sold: name, code, price and the split rule applied, as they were."""

    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False)
    barcode = Varchar(length=13)
    name = Varchar(length=200)
    category_code = Varchar(length=32)
    source = Varchar(length=16)
    unit_price_fen = Integer()  # what one piece sold for, after any markdown
    list_price_fen = Integer(null=True, default=None)  # its price before a markdown; null: not marked down
    markdown_percent = Integer(default=0)  # the rotation's markdown applied (ageing donated goods)
    quantity = Integer()
    value_fen = Integer()  # the line's net value: what the split divides
    rule_fund = Integer()  # whole percents of the rule applied
    rule_maker = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()
    maker_id = Integer(null=True, default=None)
    oversold = Boolean(default=False)  # sold while the books said none were left
    discount_fen = Integer(default=0)  # the line's discounts (its own and its share of the sale's): value = unit price × quantity − this


class Tender(Table):
    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16)  # cash | points
    amount_fen = Integer()  # what this tender paid of the total
    given_fen = Integer(default=0)  # cash handed over
    change_fen = Integer(default=0)
    # A points tender (pos/tender.py): the points spent, worth amount_fen, from a member's account or,
    # for a household in need, from the community fund's (member null, household_ref set).
    points = Integer(default=0)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)
    household_ref = Varchar(length=16, null=True, default=None)  # "H-2026-017": a reference, no personal data
    points_left = Integer(null=True, default=None)  # the payer's points after this sale, as the receipt printed them


class Override(Table):
    """A price override or a discount given at the till (or the fund's points spent for a household),
    with its reason, who gave it and the manager who approved it (when it was past the limit)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    line = ForeignKey(SaleLine, on_delete=OnDelete.restrict, null=True, default=None)  # null: the whole sale
    kind = Varchar(length=16)  # price | line-discount | sale-discount | fund-points
    before_fen = Integer()  # the value before (a unit price, a line's or the sale's value)
    after_fen = Integer()
    reason = Varchar(length=200)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    approved_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ParkedCart(Table):
    """A cart put aside at a till while the next customer is served; resumed (and removed) at any till of the
    shop. Nothing about stock or money changes while it waits."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False, index=True)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    lines = JSON()  # [{"barcode", "quantity", "name", "price_fen", and any line override}]
    note = Varchar(length=100, default="")


class SaleReturn(Table):
    """Goods brought back: lines of one sale, refunded to the tenders they were paid with.

    A void is a return of everything left of a sale, with reason "void" and the manager who approved it.
    Its number is "R" and its id in 8 digits.
    """

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=False, index=True)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False)
    session = ForeignKey(TillSession, on_delete=OnDelete.restrict, null=False, index=True)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    approved_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # the manager, for a void
    created_at = Timestamptz(default=TimestamptzNow())
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)
    total_fen = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()
    reason = Varchar(length=200)


class ReturnLine(Table):
    """Pieces of one sale line brought back, with the part of the line's value and split they reverse."""

    sale_return = ForeignKey(SaleReturn, on_delete=OnDelete.restrict, null=False, index=True,
                             db_column_name="return")
    sale_line = ForeignKey(SaleLine, on_delete=OnDelete.restrict, null=False, index=True)
    quantity = Integer()
    value_fen = Integer()
    fund_fen = Integer()
    maker_fen = Integer()
    running_fen = Integer()
    restock = Boolean(default=True)  # False: written off (damaged, expired, unsellable)
    write_off_reason = Varchar(length=32, default="")


class Refund(Table):
    """What a return gave back on one tender of the sale: cash from the drawer, or points to their account."""

    sale_return = ForeignKey(SaleReturn, on_delete=OnDelete.restrict, null=False, index=True,
                             db_column_name="return")
    kind = Varchar(length=16)  # cash | points
    amount_fen = Integer()
    points = Integer(default=0)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)  # null: cash, or the fund's points


class OfflineSale(Table):
    """A sale made at a till while the server was out of reach, as it arrived (pos/offline.py): sold (then `sale` is
    the sale it became), or held for a manager when it could not be a sale (a code the shop does not know; the till
    session it was made in closed), until it is settled as a sale or written off. Never deleted. Its number is the
    till's own (T1-0000123), given when the sale was made."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    till = ForeignKey(Till, on_delete=OnDelete.restrict, null=False)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    offline_number = Varchar(length=24)
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)
    made_at = Timestamptz()  # when the till made it, by its clock
    received_at = Timestamptz(default=TimestamptzNow())
    lines = JSON()  # [{"barcode", "quantity", "unit_price_fen"}] as charged
    total_fen = Integer()  # what the till charged: the lines' quantity × unit price charged
    cash_given_fen = Integer()
    session = ForeignKey(TillSession, on_delete=OnDelete.restrict, null=True, default=None)  # open at made_at
    sale = ForeignKey(Sale, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=16)  # sold | held | settled (a held one sold) | written-off | checked (seen by a manager)
    reason = Varchar(length=32, default="")  # held: unknown-barcode | session-closed | no-session
    detail = Varchar(length=200, default="")  # held: what it names (the code); sold: what differed, comma-separated
    decided_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # the manager who settled
    decided_at = Timestamptz(null=True, default=None)
    note = Varchar(length=200, default="")  # a write-off's reason
    # The number the till gave it first and printed on the customer's paper, when the server had that number from
    # another sale and the till renumbered it (null: the number it has is the one printed).
    printed_number = Varchar(length=24, null=True, default=None)


class OfflineRefusal(Table):
    """A sale made offline that the server refused outright (its time far ahead or too old, its key used for another
    sale, an amount not possible...), reported by the till so a manager sees it (pos/offline_refusals.py): kept whole
    as the till sent it, once per key, until a manager settles it by hand with a note of what was done. Nothing in
    the books is written for it. Never deleted."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    till_code = Varchar(length=32)  # the till as the sale named it (perhaps a till the shop does not know)
    cashier = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)  # who was logged in at the till reporting
    idempotency_key = Varchar(length=64)  # the sale's own key, or the hash of the sale when its key was malformed
    offline_number = Varchar(length=32)  # as the till had it
    made_at = Varchar(length=64)  # as the till had it (perhaps not a time at all)
    body = JSON()  # the sale whole, as the till sent it
    code = Varchar(length=64)  # the refusal's error code (bad-made-at, offline-key-reused, ...)
    detail = Varchar(length=500, default="")  # the refusal in the words the till was given
    params = JSON()  # the refusal's parameters, to say it again in a manager's language
    received_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=16)  # open | settled
    decided_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # the manager who settled it
    decided_at = Timestamptz(null=True, default=None)
    note = Varchar(length=200, default="")  # what was done about it, by hand
