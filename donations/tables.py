"""Donors and their donations, handicraft makers, their consigned goods and their payouts."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from inventory.tables import Category, Item
from shop.tables import Shop, Staff


class Donor(Table):
    """Someone who gives goods. The least is kept: a name (or nothing), a phone if they wish; no ID numbers."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100, default="")  # "": anonymous
    phone = Varchar(length=20, default="")  # digits only; shown masked except to managers
    may_contact = Boolean(default=False)  # consented to be contacted (thanks, news of the shop)
    created_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Donation(Table):
    """One gift at the intake desk: its number is "D" and its id in 8 digits (see intake.donation_number)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    donor = ForeignKey(Donor, on_delete=OnDelete.restrict, null=True, default=None)  # null: anonymous gift
    received_on = Date()
    volunteer = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)  # what was asked: the same key with other items is refused
    created_at = Timestamptz(default=TimestamptzNow())


class DonatedItem(Table):
    """A line of a donation as it was given: accepted into stock (item set) or refused at the door (reason set)."""

    donation = ForeignKey(Donation, on_delete=OnDelete.restrict, null=False, index=True)
    category = ForeignKey(Category, on_delete=OnDelete.restrict, null=False)
    description = Varchar(length=200)
    condition = Varchar(length=16)  # new | like-new | good | fair
    quantity = Integer()
    price_fen = Integer(null=True, default=None)  # one piece; null when refused
    expires_on = Date(null=True, default=None)
    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    refused_reason = Varchar(length=200, default="")


class Maker(Table):
    """A resident who makes handicrafts (手工艺人) sold on consignment."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100)
    phone = Varchar(length=32, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # A manager's terms for this maker's goods (whole percents); null: the category's rule.
    fund_percent = Integer(null=True, default=None)
    maker_percent = Integer(null=True, default=None)


class MakerTermsChange(Table):
    """A maker's terms changed by a manager: from what to what, who, when (append-only). Percents null: no terms (the
    category's rule). The terms in force at a past moment are the old ones of the first change after it, else the
    maker's terms now (an offline sale arriving late is split by them: pos/offline.py)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    maker = ForeignKey(Maker, on_delete=OnDelete.restrict, null=False, index=True)
    old_fund_percent = Integer(null=True, default=None)
    old_maker_percent = Integer(null=True, default=None)
    new_fund_percent = Integer(null=True, default=None)
    new_maker_percent = Integer(null=True, default=None)
    changed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Consignment(Table):
    """An item that belongs to a maker until it sells; the maker's share is paid out to them."""

    item = ForeignKey(Item, on_delete=OnDelete.restrict, null=False, unique=True)
    maker = ForeignKey(Maker, on_delete=OnDelete.restrict, null=False, index=True)


class MakerPayout(Table):
    """Money paid to a maker against what the shop owes them; its ledger transaction moves the payable to cash."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    maker = ForeignKey(Maker, on_delete=OnDelete.restrict, null=False, index=True)
    amount_fen = Integer()
    method = Varchar(length=16)  # cash | transfer
    note = Varchar(length=200, default="")
    ledger_txn = Integer()
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class IntakeShift(Table):
    """An intake volunteer's shift at the desk (issue 20): opened and closed by them, so their hours there can go into
    their love-bank passbook (pos/shifts.py records it; donations knows nothing of the love bank). One open shift per
    person (a partial unique index)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False, index=True)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
