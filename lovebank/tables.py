"""The love bank's tables: members (their passbooks), service records, points gifts and their reversals.
Points are never stored here: they live in the ledger."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from shop.tables import Shop, Staff


class Member(Table):
    """A love-bank member (爱心储户) and their passbook (爱心存折). The least is kept: a name, a phone if they
    wish; no ID numbers. Their points live in the ledger (lovebank.points_of), never here."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    number = Varchar(length=16)  # "M000123": printed on the card, typed at the till; unique per shop
    name = Varchar(length=100)
    phone = Varchar(length=20, default="")  # digits only; shown masked except to managers
    notes = Varchar(length=200, default="")  # e.g. a volunteer team, availability; never ID numbers
    may_contact = Boolean(default=False)
    card_code = Varchar(length=32, unique=True)  # what the card's barcode / QR code encodes
    status = Varchar(length=8, default="open")  # open | closed
    opened_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class ServiceRecord(Table):
    """One line of the passbook: a service as the coordinator entered it, then approved (points issued in the
    ledger) or rejected by another coordinator; an approval may later be reversed with a reason."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)
    served_on = Date()
    start_time = Varchar(length=5)  # "HH:MM"
    place = Varchar(length=100)
    content = Varchar(length=200)
    service_type = Varchar(length=32)  # a key of [lovebank] service types in config
    half_hours = Integer()  # hours in half-hour steps: 3 = 1.5 h
    witness = Varchar(length=50)  # 见证人
    status = Varchar(length=10, default="pending")  # pending | approved | rejected | reversed
    entered_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    entered_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    rate_pts = Integer(null=True, default=None)  # points per hour applied at approval
    points_pts = Integer(null=True, default=None)  # points issued at approval
    ledger_txn = Integer(null=True, default=None)  # the approval's ledger transaction
    reason = Varchar(length=200, default="")  # why it was rejected or reversed
    reversal_txn = Integer(null=True, default=None)
    reversed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    reversed_at = Timestamptz(null=True, default=None)


class PointsGift(Table):
    """Points given by a member to another member, or to the community fund (积分捐赠) when `to_member` is null.

    A gift to another member waits (pending) until a second coordinator approves it: only then is its ledger
    transaction posted. A gift to the fund takes effect at once (approved, decided_by null)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    from_member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)
    to_member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    points_pts = Integer()
    note = Varchar(length=200, default="")
    ledger_txn = Integer()  # 0 until it is approved (pending or rejected: no transaction)
    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)  # who entered it
    created_at = Timestamptz(default=TimestamptzNow())
    reason = Varchar(length=200, default="")  # why it was rejected or reversed
    reversal_txn = Integer(null=True, default=None)
    reversed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # who asked for it
    reversed_at = Timestamptz(null=True, default=None)
    status = Varchar(length=10, default="approved")  # pending | approved | rejected (gifts before 2026-12: approved)
    decided_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # never `staff`
    decided_at = Timestamptz(null=True, default=None)


class PointsReversal(Table):
    """A correction of an approved service or points gift, asked for by one coordinator with its reason; it takes
    effect (the reversing ledger transaction) only when another coordinator, a manager or an admin approves it."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    service = ForeignKey(ServiceRecord, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    gift = ForeignKey(PointsGift, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    reason = Varchar(length=200)
    status = Varchar(length=10, default="pending")  # pending | approved | rejected
    entered_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    entered_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)  # never entered_by
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Varchar(length=200, default="")  # why it was rejected
    ledger_txn = Integer(null=True, default=None)  # the reversing transaction, once approved (none for 0 points)
