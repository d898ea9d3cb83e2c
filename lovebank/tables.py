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


class ServiceOffer(Table):
    """A service on the love bank's menu (以服务换积分，用积分换服务): a haircut, a meal, a repair, for a number of
    points, given by a member (who earns the points when it is done) or by a partner organisation. Withdrawn, it
    leaves the menu; the vouchers already made for it stay valid (each keeps what it was redeemed for)."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=100)
    points_pts = Integer()  # its price in points
    provider_member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None)
    partner = Varchar(length=100, default="")  # a partner organisation's name, when no member provides it
    status = Varchar(length=10, default="active")  # active | withdrawn
    entered_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    entered_at = Timestamptz(default=TimestamptzNow())
    withdrawn_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)


class Redemption(Table):
    """A voucher (服务券, "V000123"): a member's points held for a service on the menu, from the member's account
    into the vouchers' account in the ledger; then delivered (the points go to the providing member, or out of
    circulation for a partner) or cancelled (back to the member), once. It keeps the offer as it was redeemed."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    offer = ForeignKey(ServiceOffer, on_delete=OnDelete.restrict, null=False)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)  # whose points are held
    service = Varchar(length=100)  # the offer's name when redeemed
    points_pts = Integer()  # the offer's price when redeemed
    provider_member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    partner = Varchar(length=100, default="")
    status = Varchar(length=10, default="held")  # held | delivered | cancelled
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)  # the offer and the member asked for: the same key for others is refused
    held_txn = Integer(null=True, default=None)  # the ledger transaction holding the points
    entered_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    entered_at = Timestamptz(default=TimestamptzNow())
    settled_txn = Integer(null=True, default=None)  # delivered or cancelled: the transaction moving the points on
    settled_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    settled_at = Timestamptz(null=True, default=None)


class StaffMember(Table):
    """A staff login linked to the member who works it (issue 20), so their shifts at the till or the intake desk go
    into their passbook. One member per login and one login per member; unlinking deletes the row (a link is a
    setting, not a record of the books: the service it led to keeps its own record). Linked only while the member is
    open. It lives here, not on Staff: shop/ knows nothing of the love bank."""

    staff = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False, unique=True)
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, unique=True)
    linked_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    linked_at = Timestamptz(default=TimestamptzNow())


class MemberSkill(Table):
    """A skill or a service a member offers (理发, 维修水电): free-text tags, a few per member, searched when a wish
    needs someone. Replaced whole when the member's details are edited; each change is in member_change."""

    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)
    skill = Varchar(length=20)


class MemberChange(Table):
    """Each change of a member's details (name, phone, notes, may_contact, skills) or card: the field, from what, to
    what, who and when, so nothing is overwritten silently. Only erasure (on the member's request) blanks the
    personal values kept here, as it blanks the member's own."""

    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)
    field = Varchar(length=16)  # name | phone | notes | may_contact | skills | card_code
    old_value = Varchar(length=300)
    new_value = Varchar(length=300)
    changed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    changed_at = Timestamptz(default=TimestamptzNow())


class ReplacedCard(Table):
    """The code of a member card replaced by a new one (a lost card reissued): the till refuses it, saying so.
    Append-only (triggers), as the books are: a replaced card never becomes valid again."""

    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=True)
    card_code = Varchar(length=32, unique=True)
    replaced_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    replaced_at = Timestamptz(default=TimestamptzNow())


class ServiceEntry(Table):
    """The idempotency key a service record was entered with (a double click on the form sends it twice): the same
    key again gives back that record (shop.idempotency.once), unique per shop."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    idempotency_key = Varchar(length=64)
    request_digest = Varchar(length=64)
    service = ForeignKey(ServiceRecord, on_delete=OnDelete.restrict, null=False, unique=True)


class Wish(Table):
    """A small wish (微心愿) on the wall, for a household known only by its reference ("H-2026-017"): posted by a
    coordinator, claimed by a member or a registered donor, fulfilled (from stock, with the donor's own goods, or
    with service), then thanked; or withdrawn while still posted. Its status only moves forward (a trigger on each
    engine refuses a step back), and it is never deleted."""

    shop = ForeignKey(Shop, on_delete=OnDelete.restrict, null=False)
    household_ref = Varchar(length=16)  # never a name, phone or ID number
    text = Varchar(length=200)
    kind = Varchar(length=8)  # goods | service
    status = Varchar(length=10, default="posted")  # posted | claimed | fulfilled | thanked | withdrawn
    posted_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=False)
    posted_at = Timestamptz(default=TimestamptzNow())
    member = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None, index=True)  # who claimed it
    donor = Integer(null=True, default=None)  # or the donor (donations' donor id) who claimed it
    claimed_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    fulfilled_how = Varchar(length=10, default="")  # stock | donation | service
    value_fen = Integer(default=0)  # the goods given from stock, paid by the community fund
    ledger_txn = Integer(null=True, default=None)  # the fund's payment for the goods from stock
    donation = Integer(null=True, default=None)  # the donor's gift (donations' donation id) that fulfilled it
    service = ForeignKey(ServiceRecord, on_delete=OnDelete.restrict, null=True, default=None)
    fulfilled_by = ForeignKey(Staff, on_delete=OnDelete.restrict, null=True, default=None)
    fulfilled_at = Timestamptz(null=True, default=None)
    thanks = Varchar(length=200, default="")  # the household's thanks, as the coordinator noted it
    thanked_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=200, default="")  # why it was withdrawn
    withdrawn_at = Timestamptz(null=True, default=None)


class WishGoods(Table):
    """One line of goods a wish was fulfilled with from stock: what left the shelf (a "wish" stock movement) and what
    the fund paid for it, split as at a sale (the maker's share owed to the maker). Append-only."""

    wish = ForeignKey(Wish, on_delete=OnDelete.restrict, null=False, index=True)
    item = Integer()  # inventory's item id (the stock movement's)
    barcode = Varchar(length=32)
    name = Varchar(length=200)
    quantity = Integer()
    value_fen = Integer()  # the shelf price × quantity
    maker = Integer(null=True, default=None)  # donations' maker id, for consigned goods
    maker_fen = Integer(default=0)  # owed to the maker
    running_fen = Integer(default=0)  # the rest: the shop's running costs
