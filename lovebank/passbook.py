"""The love bank (爱心银行): members and their passbooks, service hours banked as points, points gifts.

"以服务换积分，用积分换服务": a coordinator opens a member's passbook (爱心存折) and records the service
they gave; another coordinator approves it, and the approval issues points into the member's account
in the ledger at the service type's rate (config). Members give points to each other or to the
community fund (积分捐赠); the till spends them (pos). A mistake is corrected by a reversing
transaction with its reason. Points are never stored here: a member's points are the balance of
ledger.member_points(id), which post() never lets go below zero.

One love bank for the district (issue 19): a member is registered once, at any shop or station, and is found at
every shop of the database (numbers are M + the id, unique district-wide); they earn points at any station and
spend them at any shop, and their one account holds them all. Each service, gift and correction keeps the shop
where it was recorded (its `shop`), and is decided there; the passbook shows where each entry happened. The
account's own life (closing, erasing, export) is kept by the shop that opened it. Each shop's community fund keeps
its own points (ledger.fund_points(shop)): given to it there, spent there.

No one moves value between members alone: a service, a gift from one member to another and every
correction (reversal) is entered by one coordinator and takes effect only when another coordinator, a
manager or an admin approves it — never the one who entered it. A gift to the community fund takes
effect at once: it leaves the members' hands for households in need, and no member gains by it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from shop.people import last_four, name_contains, normalize_phone, phone_ends_with, search_text
from lovebank.errors import LoveBankError
from lovebank.tables import Member, MemberChange, MemberSkill, PointsGift, PointsReversal, ReplacedCard, ServiceRecord
from printing.queue import MEMBER_CARD, PASSBOOK_STATEMENT, VOUCHER, redact
from shop import ledger, sql
from shop.database import as_date, as_time, forget_erased, run, writing
from shop.errors import DomainError, ShopError
from shop.settings import ServiceType
from shop.tables import LedgerEntry, Shop

MAX_FOUND = 20
MAX_GIFT = 1_000_000  # points in one gift: more is a typing mistake
MAX_BACKDATE_DAYS = 366  # a paper passbook's backlog of up to a year may be typed in
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")

# Ledger transaction kinds of the love bank (the till's points tender posts its own, in pos).
SERVICE = "service"
SERVICE_REVERSAL = "service-reversal"
GIFT = "points-gift"
GIFT_REVERSAL = "points-gift-reversal"
_NUMBER = re.compile(r"^M?0*(\d{1,9})$")


def member_number(member_id: int) -> str:
    """The member's number, printed on their card and typed at the till: "M" and at least six digits."""
    return f"M{member_id:06d}"


def new_card_code() -> str:
    """What a member card's barcode / QR code encodes: "LB" and 12 random digits (compact in CODE128,
    never mistaken for a goods barcode, not guessable from the member number)."""
    return f"LB{secrets.randbelow(10**12):012d}"


@dataclass(frozen=True)
class MemberAtTill:
    """What the till needs of a member who pays in points."""

    id: int
    number: str
    name: str
    points: int  # the member's balance, never below zero


async def points_of(member_id: int) -> int:
    """The points a member holds now (their account's credit balance in the ledger)."""
    return -await ledger.balance(ledger.member_points(member_id), ledger.Currency.PTS)


async def fund_points(shop_id: int) -> int:
    """The points a shop's community fund holds (given by members there, spent by its manager for households in
    need)."""
    return -await ledger.balance(ledger.fund_points(shop_id), ledger.Currency.PTS)


def _lookup_keys(code: str) -> tuple[str, str | None]:
    """A scanned card code or typed member number as (code, number): trimmed, upper case; "123",
    "m123" and "M000123" are all member M000123."""
    text = "".join((code or "").split()).upper()
    match = _NUMBER.match(text)
    return text, member_number(int(match.group(1))) if match else None


async def member_for_till(*, code: str) -> MemberAtTill:
    """The open member whose card was scanned (card code) or whose number was typed, wherever in the district
    they were registered.

    DomainError "unknown-member" (404) when nobody has it, "member-closed" (409) when their account is closed.
    """
    text, number = _lookup_keys(code)
    if not text or len(text) > 32:
        raise DomainError(LoveBankError.UNKNOWN_MEMBER, member=text[:32])
    match = Member.card_code == text
    if number is not None:
        match = match | (Member.number == number)
    row = await Member.select(Member.id, Member.number, Member.name, Member.status).where(match).first()
    if row is None:
        replaced = await ReplacedCard.select(ReplacedCard.member.number).where(ReplacedCard.card_code == text).first()
        if replaced is not None:  # a lost card, reissued (lovebank/members.py): its old code never pays again
            raise DomainError(LoveBankError.CARD_REPLACED, number=replaced["member.number"])
        raise DomainError(LoveBankError.UNKNOWN_MEMBER, member=text)
    if row["status"] != "open":
        raise DomainError(LoveBankError.MEMBER_CLOSED, number=row["number"])
    return MemberAtTill(id=row["id"], number=row["number"], name=row["name"], points=await points_of(row["id"]))


# --- members -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberInfo:
    id: int
    number: str
    name: str
    phone: str  # digits; the web layer masks it for everyone but managers
    notes: str
    may_contact: bool
    card_code: str
    status: str  # open | closed
    opened_at: datetime
    closed_at: datetime | None
    shop_id: int = 0  # the shop or station that opened the account (and keeps its closing, erasing, export)
    opened_where: str = ""  # its name

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _member(row: dict) -> MemberInfo:
    return MemberInfo(id=row["id"], number=row["number"], name=row["name"], phone=row["phone"], notes=row["notes"],
                      may_contact=bool(row["may_contact"]), card_code=row["card_code"], status=row["status"],
                      opened_at=row["opened_at"], closed_at=row["closed_at"], shop_id=row["shop"],
                      opened_where=row["shop_name"])


_MEMBER_COLUMNS = (*Member.all_columns(), Member.shop.name.as_alias("shop_name"))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(LoveBankError.BAD_MEMBER_NAME, maximum=100)
    return name


def _clean_notes(notes: str) -> str:
    notes = " ".join((notes or "").split())
    if len(notes) > 200:
        raise DomainError(LoveBankError.BAD_NOTES, maximum=200)
    return notes


async def open_member(*, shop_id: int, name: str, phone: str = "", notes: str = "", may_contact: bool = False,
                      staff_id: int | None = None) -> MemberInfo:
    """A new member's passbook, with its number (M + the id in six digits) and a new card code."""
    name = _clean_name(name)
    digits = normalize_phone(phone)
    notes = _clean_notes(notes)
    async with writing(Member._meta.db):
        placeholder = f"-{secrets.token_hex(6)}"  # the number needs the id; unique meanwhile
        rows = await Member.insert(Member(
            shop=shop_id, number=placeholder, name=name, phone=digits, notes=notes,
            may_contact=may_contact and bool(digits), card_code=new_card_code(), status="open", opened_by=staff_id,
            opened_at=datetime.now(UTC))).returning(Member.id)
        member_id = rows[0]["id"]
        await Member.update({Member.number: member_number(member_id)}).where(Member.id == member_id)
    return await member_by_id(member_id=member_id)


async def member_by_id(*, member_id: int) -> MemberInfo:
    """A member of the district, whichever shop or station opened their account."""
    row = await Member.select(*_MEMBER_COLUMNS).where(Member.id == member_id).first()
    if row is None:
        raise DomainError(LoveBankError.UNKNOWN_MEMBER, member=str(member_id))
    return _member(row)


async def member_kept_at(*, shop_id: int, member_id: int) -> MemberInfo:
    """The member, when `shop_id` opened their account: only that shop closes, erases or exports it
    ("member-of-another-shop" elsewhere)."""
    member = await member_by_id(member_id=member_id)
    if member.shop_id != shop_id:
        raise DomainError(LoveBankError.MEMBER_ELSEWHERE, number=member.number, shop=member.opened_where)
    return member


async def find_members(*, text: str) -> list[MemberInfo]:
    """The district's members by number or card code (exact), part of their name, or their phone's last four digits
    (exactly four: never digits inside the phone, which would let a search uncover a masked phone)."""
    text = search_text(text)
    if not text:
        return []
    code, number = _lookup_keys(text)
    query = (Member.card_code == code) | name_contains(Member, text)
    if number is not None:
        query = query | (Member.number == number)
    if (digits := last_four(text)) is not None:
        query = query | phone_ends_with(Member, digits)
    rows = await Member.select(*_MEMBER_COLUMNS).where(query).order_by(Member.id, ascending=False).limit(MAX_FOUND)
    return [_member(row) for row in rows]


async def close_member(*, shop_id: int, member_id: int, staff_id: int, give_rest_to_fund: bool = False) -> MemberInfo:
    """Close a member's account, at the shop that opened it. Only at a zero balance, unless what is left is given to
    that shop's community fund first (in the same transaction). A closed account cannot earn, receive or spend."""
    await member_kept_at(shop_id=shop_id, member_id=member_id)
    db = Member._meta.db
    async with _refusing_overdraft(member_id, 0), writing(db):
        member = await _lock_open_members([member_id])
        # no till spends from the account between reading and closing it
        await sql.advisory_lock(db, ledger.member_points(member_id))
        held = await points_of(member_id)
        if held and not give_rest_to_fund:
            raise DomainError(LoveBankError.MEMBER_HAS_POINTS, number=member[member_id], points=held)
        if held:
            await _give(shop_id=shop_id, from_id=member_id, to_id=None, points=held, note="", staff_id=staff_id)
        await Member.update({Member.status: "closed", Member.closed_at: datetime.now(UTC)}).where(
            Member.id == member_id)
    return await member_by_id(member_id=member_id)


async def erase_member(*, shop_id: int, member_id: int) -> MemberInfo:
    """On the member's request, at the shop that opened their account: their name, phone and notes are erased; the
    account stays, anonymous, with its number, so its service and points stay in the books."""
    member = await member_kept_at(shop_id=shop_id, member_id=member_id)
    db = Member._meta.db
    async with writing(db):
        await Member.update({Member.name: "", Member.phone: "", Member.notes: "", Member.may_contact: False}).where(
            Member.id == member_id)
        # the history of their details (lovebank/members.py) kept them too; their cards' codes are no one's data
        await MemberChange.update({MemberChange.old_value: "", MemberChange.new_value: ""}).where(
            (MemberChange.member == member_id) & (MemberChange.field != "card_code"))
        await MemberSkill.delete().where(MemberSkill.member == member_id)
        # their card and statements, printed or waiting at any shop of the district, named them: no queue keeps it
        for shop in await Shop.select(Shop.id):
            for document in (MEMBER_CARD, PASSBOOK_STATEMENT):
                await redact(shop_id=shop["id"], document=document, refs=[member.number])
        # and the vouchers for their service printed their name as the provider's
        from lovebank.vouchers import voucher_number  # lovebank.vouchers builds on this module

        provided = await run(db, "SELECT id, shop FROM redemption WHERE provider_member = $1", member_id)
        for shop_id_of_voucher in {row["shop"] for row in provided}:
            await redact(shop_id=shop_id_of_voucher, document=VOUCHER,
                         refs=[voucher_number(row["id"]) for row in provided if row["shop"] == shop_id_of_voucher])
    await forget_erased(db)
    return await member_by_id(member_id=member_id)


async def _lock_open_members(member_ids: Sequence[int]) -> dict[int, str]:
    """Inside a writing transaction: the members (id → number), each open, their rows locked on PostgreSQL
    (in id order, so two transactions never wait for each other) until the transaction ends."""
    db = Member._meta.db
    ids = sorted(set(member_ids))
    marks = sql.placeholders(1, len(ids))
    # NO KEY UPDATE: it serialises the love bank's own writers, but not a till's sale, whose tender row only needs
    # the member to exist (FOR KEY SHARE); the till holds the account's advisory lock meanwhile, so a stronger
    # lock here could wait for a till that waits for it.
    rows = await run(db, f"SELECT id, number, status FROM member WHERE id IN ({marks}) "
                     f"ORDER BY id{sql.for_no_key_update(db)}", *ids)
    found = {row["id"]: row for row in rows}
    for member_id in ids:
        if member_id not in found:
            raise DomainError(LoveBankError.UNKNOWN_MEMBER, member=str(member_id))
        if found[member_id]["status"] != "open":
            raise DomainError(LoveBankError.MEMBER_CLOSED, number=found[member_id]["number"])
    return {member_id: row["number"] for member_id, row in found.items()}


# --- service -------------------------------------------------------------------------------------

def points_for(half_hours: int, points_per_hour: int) -> int:
    """The points a service earns: the rate × its hours, rounded down to a whole point (never a fraction,
    never more than the hours earned). 3 half-hours at 15 points an hour: 22 points."""
    return points_per_hour * half_hours // 2


def hours_text(half_hours: int) -> str:
    """Half-hours as hours, as shown and printed: 3 → "1.5", 4 → "2.0", -1 → "-0.5"."""
    sign = "-" if half_hours < 0 else ""
    whole, half = divmod(abs(half_hours), 2)
    return f"{sign}{whole}.{5 if half else 0}"


@dataclass(frozen=True)
class ServiceInfo:
    """One passbook line, with the passbook's own columns."""

    id: int
    member_id: int
    member_number: str
    member_name: str
    served_on: date
    start_time: str  # HH:MM
    place: str
    content: str
    service_type: str  # its code
    half_hours: int
    witness: str
    status: str  # pending | approved | rejected | reversed
    entered_by: int
    entered_by_name: str
    entered_at: datetime
    decided_by: int | None
    decided_by_name: str
    decided_at: datetime | None
    points: int | None  # issued at approval
    reason: str  # why it was rejected or reversed
    cumulative_half_hours: int | None = None  # approved service so far (the passbook's 累计时长), approved rows only
    shop_id: int = 0  # where it was recorded (and is decided): a shop or a station of the district
    where: str = ""  # that shop's name

    @property
    def hours(self) -> str:
        return hours_text(self.half_hours)


def _service(row: dict) -> ServiceInfo:
    return ServiceInfo(
        id=row["id"], member_id=row["member"], member_number=row["member_number"], member_name=row["member_name"],
        served_on=as_date(row["served_on"]), start_time=row["start_time"], place=row["place"],
        content=row["content"], service_type=row["service_type"], half_hours=row["half_hours"],
        witness=row["witness"], status=row["status"], entered_by=row["entered_by"],
        entered_by_name=row["entered_by_name"] or "", entered_at=as_time(row["entered_at"]),
        decided_by=row["decided_by"], decided_by_name=row["decided_by_name"] or "",
        decided_at=as_time(row["decided_at"]) if row["decided_at"] else None, points=row["points_pts"],
        reason=row["reason"], shop_id=row["shop"], where=row["shop_name"])


_SERVICE_SELECT = """
    SELECT r.id, r.member, m.number AS member_number, m.name AS member_name, r.served_on, r.start_time, r.place,
           r.content, r.service_type, r.half_hours, r.witness, r.status, r.entered_by, e.display_name AS entered_by_name,
           r.entered_at, r.decided_by, d.display_name AS decided_by_name, r.decided_at, r.points_pts, r.reason,
           r.shop, s.name AS shop_name
    FROM service_record r JOIN member m ON m.id = r.member JOIN shop s ON s.id = r.shop
    JOIN staff e ON e.id = r.entered_by LEFT JOIN staff d ON d.id = r.decided_by"""


def _text(value: str, code: LoveBankError, maximum: int, *, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if (required and not value) or len(value) > maximum:
        raise DomainError(code, maximum=maximum)
    return value


def _service_type(types: Sequence[ServiceType], code: str) -> ServiceType:
    for service_type in types:
        if service_type.code == code:
            return service_type
    raise DomainError(LoveBankError.UNKNOWN_SERVICE_TYPE, service_type=str(code)[:32])


async def record_service(*, shop_id: int, member_id: int, served_on: date, start_time: str, place: str, content: str,
                         service_type: str, half_hours: int, witness: str, staff_id: int, today: date,
                         types: Sequence[ServiceType], max_hours: int) -> ServiceInfo:
    """A coordinator writes a service into a member's passbook; it waits for another coordinator's approval."""
    if not isinstance(served_on, date) or served_on > today or served_on < today - timedelta(days=MAX_BACKDATE_DAYS):
        raise DomainError(LoveBankError.BAD_SERVICE_DATE, date=str(served_on)[:10])
    match = _TIME.match((start_time or "").strip())
    if not match:
        raise DomainError(LoveBankError.BAD_SERVICE_TIME, time=str(start_time)[:10])
    start_time = f"{int(match.group(1)):02d}:{match.group(2)}"
    place = _text(place, LoveBankError.BAD_PLACE, 100)
    content = _text(content, LoveBankError.BAD_CONTENT, 200)
    witness = _text(witness, LoveBankError.BAD_WITNESS, 50)
    kind = _service_type(types, service_type)
    if not isinstance(half_hours, int) or isinstance(half_hours, bool) or not 1 <= half_hours <= 2 * max_hours:
        raise DomainError(LoveBankError.BAD_HOURS, maximum=max_hours)
    async with writing(ServiceRecord._meta.db):
        await _lock_open_members([member_id])
        rows = await ServiceRecord.insert(ServiceRecord(
            shop=shop_id, member=member_id, served_on=served_on, start_time=start_time, place=place, content=content,
            service_type=kind.code, half_hours=half_hours, witness=witness, status="pending", entered_by=staff_id,
            entered_at=datetime.now(UTC))).returning(ServiceRecord.id)
    return await service_by_id(shop_id=shop_id, record_id=rows[0]["id"])


async def service_by_id(*, shop_id: int, record_id: int) -> ServiceInfo:
    rows = await run(ServiceRecord._meta.db, _SERVICE_SELECT + " WHERE r.shop = $1 AND r.id = $2", shop_id, record_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_SERVICE, record=record_id)
    return _service(rows[0])


async def pending_service(*, shop_id: int) -> list[ServiceInfo]:
    """The service records waiting for approval, oldest first."""
    rows = await run(ServiceRecord._meta.db, _SERVICE_SELECT + " WHERE r.shop = $1 AND r.status = 'pending' "
                     "ORDER BY r.id LIMIT 500", shop_id)
    return [_service(row) for row in rows]


async def service_of(*, member_id: int) -> list[ServiceInfo]:
    """A member's passbook lines in the order served, at every shop and station of the district (each with where),
    each approved line with the hours approved so far."""
    rows = await run(ServiceRecord._meta.db, _SERVICE_SELECT + " WHERE r.member = $1 "
                     "ORDER BY r.served_on, r.start_time, r.id", member_id)
    lines, so_far = [], 0
    for row in rows:
        line = _service(row)
        if line.status == "approved":
            so_far += line.half_hours
            line = _replace_cumulative(line, so_far)
        lines.append(line)
    return lines


def _replace_cumulative(line: ServiceInfo, half_hours: int) -> ServiceInfo:
    return replace(line, cumulative_half_hours=half_hours)


async def approved_half_hours(member_id: int) -> int:
    """The member's cumulative hours (in half-hours): approved service only (reversed or rejected never counts)."""
    rows = await run(ServiceRecord._meta.db, "SELECT COALESCE(SUM(half_hours), 0) AS total FROM service_record "
                     "WHERE member = $1 AND status = 'approved'", member_id)
    return int(rows[0]["total"])


def _decided_by_another(record: ServiceInfo, staff_id: int) -> None:
    if record.entered_by == staff_id:
        raise DomainError(LoveBankError.OWN_SERVICE, record=record.id)


async def approve_service(*, shop_id: int, record_id: int, staff_id: int, types: Sequence[ServiceType]) -> ServiceInfo:
    """Another coordinator (never the one who entered it) approves a service: its points are issued into the
    member's account at its type's rate now, in one ledger transaction. Exactly once, even when two approve
    it at the same moment: the second is told it is already decided."""
    record = await service_by_id(shop_id=shop_id, record_id=record_id)
    _decided_by_another(record, staff_id)
    kind = _service_type(types, record.service_type)
    points = points_for(record.half_hours, kind.points_per_hour)
    db = ServiceRecord._meta.db
    async with writing(db):
        await _lock_open_members([record.member_id])
        claimed = await run(db, "UPDATE service_record SET status = 'approved', decided_by = $1, decided_at = $2, "
                            "rate_pts = $3, points_pts = $4 WHERE id = $5 AND shop = $6 AND status = 'pending' "
                            "RETURNING id", staff_id, datetime.now(UTC), kind.points_per_hour, points, record_id,
                            shop_id)
        if not claimed:
            raise DomainError(LoveBankError.ALREADY_DECIDED, record=record_id)
        if points:
            txn_id = await ledger.post(ledger.Txn(kind=SERVICE, ref=f"service:{record_id}", entries=(
                ledger.Entry(ledger.POINTS_ISSUED, ledger.Currency.PTS, points),
                ledger.Entry(ledger.member_points(record.member_id), ledger.Currency.PTS, -points),
            )), shop_id=shop_id, staff_id=staff_id)
            await run(db, "UPDATE service_record SET ledger_txn = $1 WHERE id = $2", txn_id, record_id)
    return await service_by_id(shop_id=shop_id, record_id=record_id)


async def reject_service(*, shop_id: int, record_id: int, staff_id: int, reason: str) -> ServiceInfo:
    """Another coordinator rejects a service, saying why; it never earns points nor counts as hours."""
    reason = _text(reason, LoveBankError.BAD_REASON, 200)
    record = await service_by_id(shop_id=shop_id, record_id=record_id)
    _decided_by_another(record, staff_id)
    db = ServiceRecord._meta.db
    async with writing(db):
        claimed = await run(db, "UPDATE service_record SET status = 'rejected', decided_by = $1, decided_at = $2, "
                            "reason = $3 WHERE id = $4 AND shop = $5 AND status = 'pending' RETURNING id",
                            staff_id, datetime.now(UTC), reason, record_id, shop_id)
        if not claimed:
            raise DomainError(LoveBankError.ALREADY_DECIDED, record=record_id)
    return await service_by_id(shop_id=shop_id, record_id=record_id)


async def _post_reversal(txn_id: int, *, kind: str, ref: str, shop_id: int, staff_id: int) -> int:
    rows = await LedgerEntry.select(LedgerEntry.account, LedgerEntry.currency, LedgerEntry.amount).where(
        LedgerEntry.txn == txn_id)
    original = ledger.Txn(kind="", ref="", entries=tuple(
        ledger.Entry(row["account"], ledger.Currency(row["currency"]), int(row["amount"])) for row in rows))
    return await ledger.post(ledger.reversal(original, txn_id, kind=kind, ref=ref), shop_id=shop_id,
                             staff_id=staff_id)


class _refusing_overdraft:
    """Turns the ledger's "below zero" into the love bank's words: whose points, how many they hold, how many
    were asked (read after the failed transaction has rolled back)."""

    def __init__(self, member_id: int | None, asked: int) -> None:
        self.member_id, self.asked = member_id, asked

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind, error, traceback) -> bool:
        if isinstance(error, DomainError) and error.code is ShopError.BALANCE_BELOW_ZERO:
            account = str(error.params.get("account", ""))
            if (fund_shop := ledger.fund_points_shop(account)) is not None:
                held, number = await fund_points(fund_shop), ""
            else:
                member_id = int(account.split(":")[2]) if account.startswith("liability:member:") else self.member_id
                row = await Member.select(Member.number).where(Member.id == member_id).first()
                held, number = await points_of(member_id), row["number"] if row else ""
            raise DomainError(LoveBankError.NOT_ENOUGH_POINTS, number=number, points=held,
                              asked=self.asked) from error
        return False


# --- points gifts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GiftInfo:
    id: int
    from_member_id: int
    from_number: str
    to_member_id: int | None  # None: the community fund
    to_number: str  # "" for the fund
    points: int
    note: str
    created_at: datetime
    reversed: bool
    reason: str  # why it was rejected or reversed
    status: str = "approved"  # pending (another coordinator approves it) | approved | rejected
    entered_by: int = 0
    entered_by_name: str = ""
    decided_by: int | None = None  # None for a gift to the fund (it needs no second person)
    decided_by_name: str = ""
    shop_id: int = 0  # where it was given (a gift to the fund: that shop's fund)
    where: str = ""  # that shop's name


_GIFT_SELECT = """
    SELECT g.id, g.from_member, f.number AS from_number, g.to_member, t.number AS to_number, g.points_pts, g.note,
           g.created_at, g.reversed_at, g.reason, g.status, g.staff, e.display_name AS entered_by_name, g.decided_by,
           d.display_name AS decided_by_name, g.shop, s.name AS shop_name
    FROM points_gift g JOIN shop s ON s.id = g.shop
    JOIN member f ON f.id = g.from_member LEFT JOIN member t ON t.id = g.to_member
    JOIN staff e ON e.id = g.staff LEFT JOIN staff d ON d.id = g.decided_by"""


def _gift(row: dict) -> GiftInfo:
    return GiftInfo(id=row["id"], from_member_id=row["from_member"], from_number=row["from_number"],
                    to_member_id=row["to_member"], to_number=row["to_number"] or "", points=row["points_pts"],
                    note=row["note"], created_at=as_time(row["created_at"]), reversed=row["reversed_at"] is not None,
                    reason=row["reason"], status=row["status"], entered_by=row["staff"],
                    entered_by_name=row["entered_by_name"] or "", decided_by=row["decided_by"],
                    decided_by_name=row["decided_by_name"] or "", shop_id=row["shop"], where=row["shop_name"])


async def gift_by_id(*, shop_id: int, gift_id: int) -> GiftInfo:
    rows = await run(PointsGift._meta.db, _GIFT_SELECT + " WHERE g.shop = $1 AND g.id = $2", shop_id, gift_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_GIFT, gift=gift_id)
    return _gift(rows[0])


def _by_another(entered_by: int, staff_id: int, what: int) -> None:
    """The two-person rule for gifts and reversals, as _decided_by_another is for service."""
    if entered_by == staff_id:
        raise DomainError(LoveBankError.OWN_ENTRY, record=what)


def _members_of(gift: GiftInfo) -> list[int]:
    return [gift.from_member_id] + ([gift.to_member_id] if gift.to_member_id is not None else [])


async def donate_points(*, shop_id: int, from_member_id: int, to_member_id: int | None, points: int, staff_id: int,
                        note: str = "") -> GiftInfo:
    """A member gives points to another member, or to this shop's community fund (to_member_id None: 积分捐赠).

    A gift to another member waits (status "pending") until another coordinator approves it (approve_gift):
    nothing moves before. A gift to the fund moves at once. Never more than they hold, however many gifts
    and spends from their account happen at once: the ledger checks the balance after writing, under a lock
    per account, and a refusal changes nothing (a pending gift is checked now, and again when approved).
    """
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_GIFT:
        raise DomainError(LoveBankError.BAD_POINTS, maximum=MAX_GIFT)
    if to_member_id == from_member_id:
        raise DomainError(LoveBankError.GIFT_TO_SELF)
    note = _text(note, LoveBankError.BAD_NOTE, 200, required=False)
    async with _refusing_overdraft(from_member_id, points):
        async with writing(PointsGift._meta.db):
            numbers = await _lock_open_members([from_member_id] + (
                [to_member_id] if to_member_id is not None else []))
            if to_member_id is None:
                gift_id = await _give(shop_id=shop_id, from_id=from_member_id, to_id=None, points=points, note=note,
                                      staff_id=staff_id)
            else:
                held = await points_of(from_member_id)
                if held < points:
                    raise DomainError(LoveBankError.NOT_ENOUGH_POINTS, number=numbers[from_member_id],
                                      points=held, asked=points)
                gift_id = await _insert_gift(shop_id=shop_id, from_id=from_member_id, to_id=to_member_id,
                                             points=points, note=note, staff_id=staff_id, status="pending")
    return await gift_by_id(shop_id=shop_id, gift_id=gift_id)


async def _insert_gift(*, shop_id: int, from_id: int, to_id: int | None, points: int, note: str, staff_id: int,
                       status: str) -> int:
    rows = await PointsGift.insert(PointsGift(
        shop=shop_id, from_member=from_id, to_member=to_id, points_pts=points, note=note, ledger_txn=0,
        staff=staff_id, created_at=datetime.now(UTC), status=status)).returning(PointsGift.id)
    return rows[0]["id"]


async def _post_gift(*, shop_id: int, gift_id: int, from_id: int, to_id: int | None, points: int,
                     staff_id: int) -> None:
    """Inside a writing transaction, with both members locked and open: the gift's ledger transaction."""
    receiver = ledger.fund_points(shop_id) if to_id is None else ledger.member_points(to_id)
    txn_id = await ledger.post(ledger.Txn(kind=GIFT, ref=f"gift:{gift_id}", entries=(
        ledger.Entry(ledger.member_points(from_id), ledger.Currency.PTS, points),
        ledger.Entry(receiver, ledger.Currency.PTS, -points),
    )), shop_id=shop_id, staff_id=staff_id)
    await run(PointsGift._meta.db, "UPDATE points_gift SET ledger_txn = $1 WHERE id = $2", txn_id, gift_id)


async def _give(*, shop_id: int, from_id: int, to_id: int | None, points: int, note: str, staff_id: int) -> int:
    """Inside a writing transaction, with both members locked and open: a gift that takes effect at once (to the
    fund: points given away, or an account's rest when it closes) and its ledger transaction."""
    gift_id = await _insert_gift(shop_id=shop_id, from_id=from_id, to_id=to_id, points=points, note=note,
                                 staff_id=staff_id, status="approved")
    await _post_gift(shop_id=shop_id, gift_id=gift_id, from_id=from_id, to_id=to_id, points=points, staff_id=staff_id)
    return gift_id


async def approve_gift(*, shop_id: int, gift_id: int, staff_id: int) -> GiftInfo:
    """Another coordinator (never the one who entered it) approves a pending gift: its points move now, in one
    ledger transaction, exactly once. Refused, and left pending, when the giver no longer holds them."""
    gift = await gift_by_id(shop_id=shop_id, gift_id=gift_id)
    _by_another(gift.entered_by, staff_id, gift_id)
    db = PointsGift._meta.db
    async with _refusing_overdraft(gift.from_member_id, gift.points):
        async with writing(db):
            await _lock_open_members(_members_of(gift))
            claimed = await run(db, "UPDATE points_gift SET status = 'approved', decided_by = $1, decided_at = $2 "
                                "WHERE id = $3 AND shop = $4 AND status = 'pending' AND staff <> $1 RETURNING id",
                                staff_id, datetime.now(UTC), gift_id, shop_id)
            if not claimed:
                raise DomainError(LoveBankError.REQUEST_DECIDED, record=gift_id)
            await _post_gift(shop_id=shop_id, gift_id=gift_id, from_id=gift.from_member_id, to_id=gift.to_member_id,
                             points=gift.points, staff_id=staff_id)
    return await gift_by_id(shop_id=shop_id, gift_id=gift_id)


async def reject_gift(*, shop_id: int, gift_id: int, staff_id: int, reason: str) -> GiftInfo:
    """Another coordinator rejects a pending gift, saying why: no points ever move."""
    reason = _text(reason, LoveBankError.BAD_REASON, 200)
    gift = await gift_by_id(shop_id=shop_id, gift_id=gift_id)
    _by_another(gift.entered_by, staff_id, gift_id)
    db = PointsGift._meta.db
    async with writing(db):
        claimed = await run(db, "UPDATE points_gift SET status = 'rejected', decided_by = $1, decided_at = $2, "
                            "reason = $3 WHERE id = $4 AND shop = $5 AND status = 'pending' AND staff <> $1 "
                            "RETURNING id", staff_id, datetime.now(UTC), reason, gift_id, shop_id)
        if not claimed:
            raise DomainError(LoveBankError.REQUEST_DECIDED, record=gift_id)
    return await gift_by_id(shop_id=shop_id, gift_id=gift_id)


async def pending_gifts(*, shop_id: int) -> list[GiftInfo]:
    """The gifts between members waiting for approval, oldest first."""
    rows = await run(PointsGift._meta.db, _GIFT_SELECT + " WHERE g.shop = $1 AND g.status = 'pending' "
                     "ORDER BY g.id LIMIT 500", shop_id)
    return [_gift(row) for row in rows]


# --- corrections: reversals, approved by a second person --------------------------------------------

@dataclass(frozen=True)
class ReversalInfo:
    """A correction asked for: of a service (its points taken back) or of a gift (its points given back)."""

    id: int
    service_id: int | None
    gift_id: int | None
    member_id: int  # the service's member, or the gift's giver (who gets the points back)
    member_number: str
    to_number: str  # a gift's receiver ("" for the fund, or for a service)
    points: int  # moved back when approved
    reason: str
    status: str  # pending | approved | rejected
    entered_by: int
    entered_by_name: str
    entered_at: datetime
    decided_by: int | None
    decided_by_name: str
    decided_at: datetime | None
    decision_reason: str  # why it was rejected


_REVERSAL_SELECT = """
    SELECT v.id, v.service, v.gift, v.reason, v.status, v.entered_by, e.display_name AS entered_by_name, v.entered_at,
           v.decided_by, d.display_name AS decided_by_name, v.decided_at, v.decision_reason, m.id AS member,
           m.number AS member_number, t.number AS to_number, COALESCE(r.points_pts, g.points_pts, 0) AS points
    FROM points_reversal v LEFT JOIN service_record r ON r.id = v.service LEFT JOIN points_gift g ON g.id = v.gift
    JOIN member m ON m.id = COALESCE(r.member, g.from_member) LEFT JOIN member t ON t.id = g.to_member
    JOIN staff e ON e.id = v.entered_by LEFT JOIN staff d ON d.id = v.decided_by"""


def _reversal(row: dict) -> ReversalInfo:
    return ReversalInfo(
        id=row["id"], service_id=row["service"], gift_id=row["gift"], member_id=row["member"],
        member_number=row["member_number"], to_number=row["to_number"] or "", points=int(row["points"]),
        reason=row["reason"], status=row["status"], entered_by=row["entered_by"],
        entered_by_name=row["entered_by_name"] or "", entered_at=as_time(row["entered_at"]),
        decided_by=row["decided_by"], decided_by_name=row["decided_by_name"] or "",
        decided_at=as_time(row["decided_at"]) if row["decided_at"] else None, decision_reason=row["decision_reason"])


async def reversal_by_id(*, shop_id: int, reversal_id: int) -> ReversalInfo:
    rows = await run(PointsReversal._meta.db, _REVERSAL_SELECT + " WHERE v.shop = $1 AND v.id = $2", shop_id,
                     reversal_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_REVERSAL, record=reversal_id)
    return _reversal(rows[0])


async def pending_reversals(*, shop_id: int, member_id: int | None = None) -> list[ReversalInfo]:
    """The corrections waiting for approval (of one member's service and gifts, or all), oldest first."""
    where, args = " WHERE v.shop = $1 AND v.status = 'pending'", [shop_id]
    if member_id is not None:
        where += " AND (m.id = $2 OR g.to_member = $2)"
        args.append(member_id)
    rows = await run(PointsReversal._meta.db, _REVERSAL_SELECT + where + " ORDER BY v.id LIMIT 500", *args)
    return [_reversal(row) for row in rows]


async def _ask_reversal(*, shop_id: int, staff_id: int, reason: str, service_id: int | None = None,
                        gift_id: int | None = None) -> int:
    """Inside a writing transaction, the members locked: one pending reversal of the record at a time."""
    db = PointsReversal._meta.db
    column, record = ("service", service_id) if service_id is not None else ("gift", gift_id)
    waiting = await run(db, f"SELECT id FROM points_reversal WHERE {column} = $1 AND status = 'pending'", record)
    if waiting:
        raise DomainError(LoveBankError.REVERSAL_PENDING, record=record)
    rows = await PointsReversal.insert(PointsReversal(
        shop=shop_id, service=service_id, gift=gift_id, reason=reason, status="pending", entered_by=staff_id,
        entered_at=datetime.now(UTC))).returning(PointsReversal.id)
    return rows[0]["id"]


async def reverse_service(*, shop_id: int, record_id: int, staff_id: int, reason: str) -> ReversalInfo:
    """Ask to correct an approved service (recorded by mistake), with the reason: it waits for another
    coordinator's approval (approve_reversal), which takes its points back by a reversing transaction.
    Refused at once when the member no longer holds those points."""
    reason = _text(reason, LoveBankError.BAD_REASON, 200)
    record = await service_by_id(shop_id=shop_id, record_id=record_id)
    db = ServiceRecord._meta.db
    async with writing(db):
        numbers = await _lock_open_members([record.member_id])
        rows = await run(db, "SELECT status, points_pts FROM service_record WHERE id = $1", record_id)
        if rows[0]["status"] != "approved":
            raise DomainError(LoveBankError.NOT_REVERSIBLE, record=record_id)
        asked, held = rows[0]["points_pts"] or 0, await points_of(record.member_id)
        if held < asked:
            raise DomainError(LoveBankError.NOT_ENOUGH_POINTS, number=numbers[record.member_id],
                              points=held, asked=asked)
        reversal_id = await _ask_reversal(shop_id=shop_id, staff_id=staff_id, reason=reason, service_id=record_id)
    return await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)


async def reverse_gift(*, shop_id: int, gift_id: int, staff_id: int, reason: str) -> ReversalInfo:
    """Ask to correct a gift made by mistake, with the reason: it waits for another coordinator's approval
    (approve_reversal), which gives the points back by a reversing transaction. Refused at once when the
    receiver (a member, or the fund) no longer holds them, or an account is closed."""
    reason = _text(reason, LoveBankError.BAD_REASON, 200)
    gift = await gift_by_id(shop_id=shop_id, gift_id=gift_id)
    db = PointsGift._meta.db
    async with writing(db):
        numbers = await _lock_open_members(_members_of(gift))
        rows = await run(db, "SELECT status, reversed_at FROM points_gift WHERE id = $1", gift_id)
        if rows[0]["status"] != "approved" or rows[0]["reversed_at"] is not None:
            raise DomainError(LoveBankError.NOT_REVERSIBLE, record=gift_id)
        held = await fund_points(gift.shop_id) if gift.to_member_id is None else await points_of(gift.to_member_id)
        if held < gift.points:
            raise DomainError(LoveBankError.NOT_ENOUGH_POINTS, number=numbers.get(gift.to_member_id, ""),
                              points=held, asked=gift.points)
        reversal_id = await _ask_reversal(shop_id=shop_id, staff_id=staff_id, reason=reason, gift_id=gift_id)
    return await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)


async def approve_reversal(*, shop_id: int, reversal_id: int, staff_id: int) -> ReversalInfo:
    """Another coordinator, a manager or an admin (never the one who asked) approves a correction: the reversing
    transaction is posted now, exactly once. Refused, and left pending, when the points are no longer there."""
    asked = await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)
    _by_another(asked.entered_by, staff_id, reversal_id)
    if asked.service_id is not None:
        members, holder = [asked.member_id], asked.member_id
    else:
        gift = await gift_by_id(shop_id=shop_id, gift_id=asked.gift_id)
        members, holder = _members_of(gift), gift.to_member_id
    db = PointsReversal._meta.db
    async with _refusing_overdraft(holder, asked.points):
        async with writing(db):
            await _lock_open_members(members)
            now = datetime.now(UTC)
            claimed = await run(db, "UPDATE points_reversal SET status = 'approved', decided_by = $1, decided_at = $2 "
                                "WHERE id = $3 AND shop = $4 AND status = 'pending' AND entered_by <> $1 RETURNING id",
                                staff_id, now, reversal_id, shop_id)
            if not claimed:
                raise DomainError(LoveBankError.REQUEST_DECIDED, record=reversal_id)
            if asked.service_id is not None:
                txn_id = await _reverse(db, "service_record", asked.service_id, kind=SERVICE_REVERSAL,
                                        ref=f"service:{asked.service_id}", asked=asked, now=now, shop_id=shop_id,
                                        staff_id=staff_id)
            else:
                txn_id = await _reverse(db, "points_gift", asked.gift_id, kind=GIFT_REVERSAL,
                                        ref=f"gift:{asked.gift_id}", asked=asked, now=now, shop_id=shop_id,
                                        staff_id=staff_id)
            if txn_id is not None:
                await run(db, "UPDATE points_reversal SET ledger_txn = $1 WHERE id = $2", txn_id, reversal_id)
    return await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)


# What marks a record reversed, and which records may be: a service's status says it, a gift keeps its status
# (approved) and has reversed_at set.
_REVERSING = {
    "service_record": ("status = 'reversed', ", "status = 'approved'"),
    "points_gift": ("", "status = 'approved' AND reversed_at IS NULL"),
}


async def _reverse(db, table: str, record_id: int, *, kind: str, ref: str, asked: ReversalInfo, now: datetime,
                   shop_id: int, staff_id: int) -> int | None:
    """The record marked reversed (by the one who asked, with their reason) and its reversing transaction, posted
    by the one who approved it."""
    status, reversible = _REVERSING[table]
    claimed = await run(db, f"UPDATE {table} SET {status}reason = $1, reversed_by = $2, reversed_at = $3 "
                        f"WHERE id = $4 AND {reversible} RETURNING ledger_txn", asked.reason, asked.entered_by, now,
                        record_id)
    if not claimed:
        raise DomainError(LoveBankError.NOT_REVERSIBLE, record=record_id)
    if (original := claimed[0]["ledger_txn"]) is None:  # a service that earned no points
        return None
    txn_id = await _post_reversal(original, kind=kind, ref=ref, shop_id=shop_id, staff_id=staff_id)
    await run(db, f"UPDATE {table} SET reversal_txn = $1 WHERE id = $2", txn_id, record_id)
    return txn_id


async def reject_reversal(*, shop_id: int, reversal_id: int, staff_id: int, reason: str) -> ReversalInfo:
    """Another coordinator rejects a correction, saying why: nothing moves; the record may be corrected later."""
    reason = _text(reason, LoveBankError.BAD_REASON, 200)
    asked = await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)
    _by_another(asked.entered_by, staff_id, reversal_id)
    db = PointsReversal._meta.db
    async with writing(db):
        claimed = await run(db, "UPDATE points_reversal SET status = 'rejected', decided_by = $1, decided_at = $2, "
                            "decision_reason = $3 WHERE id = $4 AND shop = $5 AND status = 'pending' "
                            "AND entered_by <> $1 RETURNING id", staff_id, datetime.now(UTC), reason, reversal_id,
                            shop_id)
        if not claimed:
            raise DomainError(LoveBankError.REQUEST_DECIDED, record=reversal_id)
    return await reversal_by_id(shop_id=shop_id, reversal_id=reversal_id)


# --- the statement -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    """One entry of a member's points account, with the running balance and the hours so far."""

    txn_id: int
    at: datetime
    kind: str  # SERVICE, SERVICE_REVERSAL, GIFT, GIFT_REVERSAL, or the till's kind for points spent
    ref: str  # "service:12", "gift:7", "voucher:3", or the till's reference (a sale number)
    detail: str  # the service's content, the gift's note, a correction's reason, a voucher's service
    counterpart: str  # the service type's code; the other member's number, or "fund"; "" otherwise
    half_hours: int | None  # hours earned (+) or taken back (−), None for entries without hours
    points: int  # + in, − out
    balance: int  # points after this entry
    cumulative_half_hours: int  # approved service so far
    shop_id: int = 0  # where it happened: the shop or station whose transaction it is
    where: str = ""  # that shop's name


@dataclass(frozen=True)
class Statement:
    member: MemberInfo
    start: datetime | None
    end: datetime | None
    opening_balance: int
    opening_half_hours: int
    lines: tuple[StatementLine, ...]

    @property
    def closing_balance(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening_balance

    @property
    def cumulative_half_hours(self) -> int:
        return self.lines[-1].cumulative_half_hours if self.lines else self.opening_half_hours


async def statement(*, member_id: int, start: datetime | None = None, end: datetime | None = None) -> Statement:
    """Every entry of the member's points account in [start, end) (all time by default), at every shop and station
    of the district, oldest first, each with where it happened, the balance after it and the approved hours so far;
    the balance and hours brought forward."""
    member = await member_by_id(member_id=member_id)
    db = Member._meta.db
    account = ledger.member_points(member_id)
    rows = await run(db, """
        SELECT x.id, x.kind, x.ref, x.created_at, e.amount, x.shop, s.name AS shop_name
        FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn JOIN shop s ON s.id = x.shop
        WHERE e.account = $1 AND e.currency = 'PTS' ORDER BY x.id""", account)
    services = {f"service:{row['id']}": row for row in await run(db, """
        SELECT id, service_type, content, half_hours, reason FROM service_record WHERE member = $1""", member_id)}
    gifts = {f"gift:{row['id']}": row for row in await run(db, """
        SELECT g.id, g.from_member, g.note, g.reason, f.number AS from_number, t.number AS to_number
        FROM points_gift g JOIN member f ON f.id = g.from_member LEFT JOIN member t ON t.id = g.to_member
        WHERE g.from_member = $1 OR g.to_member = $1""", member_id)}
    # the member's vouchers (lovebank/vouchers.py): held, cancelled, or delivered by them as the provider
    vouchers = {f"voucher:{row['id']}": row for row in await run(db, """
        SELECT id, service FROM redemption WHERE member = $1 OR provider_member = $1""", member_id)}
    balance = hours = 0
    opening_balance = opening_hours = 0
    lines = []
    for row in rows:
        at, points = as_time(row["created_at"]), -int(row["amount"])
        kind, ref = row["kind"], row["ref"]
        detail, counterpart, half_hours = "", "", None
        if kind in (SERVICE, SERVICE_REVERSAL) and ref in services:
            service = services[ref]
            half_hours = service["half_hours"] if kind == SERVICE else -service["half_hours"]
            counterpart = service["service_type"]
            detail = service["content"] if kind == SERVICE else service["reason"]
        elif kind in (GIFT, GIFT_REVERSAL) and ref in gifts:
            gift = gifts[ref]
            outgoing = gift["from_member"] == member_id
            counterpart = (gift["to_number"] or "fund") if outgoing else gift["from_number"]
            detail = gift["note"] if kind == GIFT else gift["reason"]
        elif ref in vouchers:
            detail = vouchers[ref]["service"]
        balance += points
        hours += half_hours or 0
        if start is not None and at < start:
            opening_balance, opening_hours = balance, hours
            continue
        if end is not None and at >= end:
            break
        lines.append(StatementLine(txn_id=row["id"], at=at, kind=kind, ref=ref, detail=detail,
                                   counterpart=counterpart, half_hours=half_hours, points=points, balance=balance,
                                   cumulative_half_hours=hours, shop_id=row["shop"], where=row["shop_name"]))
    return Statement(member=member, start=start, end=end, opening_balance=opening_balance,
                     opening_half_hours=opening_hours, lines=tuple(lines))


async def gifts_of(*, member_id: int) -> list[GiftInfo]:
    """The member's gifts, given and received at every shop of the district (each with where), newest first."""
    rows = await run(PointsGift._meta.db, _GIFT_SELECT + " WHERE g.from_member = $1 OR g.to_member = $1 "
                     "ORDER BY g.id DESC LIMIT 500", member_id)
    return [_gift(row) for row in rows]


# --- the books' checks (verify() reports them) ---------------------------------------------------

_CHECKS = {
    "approved service without its ledger transaction of its points": """
        SELECT r.id AS what FROM service_record r
        WHERE r.status IN ('approved', 'reversed') AND COALESCE(r.points_pts, -1) <> COALESCE((
            SELECT -SUM(e.amount) FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
            WHERE e.txn = r.ledger_txn AND x.kind = 'service' AND x.ref = 'service:' || CAST(r.id AS TEXT)
              AND e.currency = 'PTS' AND e.account = 'liability:member:' || CAST(r.member AS TEXT) || ':points'
        ), 0)""",
    "service decided by the coordinator who entered it": """
        SELECT id AS what FROM service_record WHERE decided_by = entered_by""",
    "reversed service without its reversing transaction": """
        SELECT r.id AS what FROM service_record r WHERE r.status = 'reversed' AND COALESCE(r.points_pts, 0) > 0
          AND NOT EXISTS (SELECT 1 FROM ledger_txn x WHERE x.id = r.reversal_txn AND x.reverses = r.ledger_txn)""",
    "pending or rejected service with points": """
        SELECT id AS what FROM service_record WHERE status IN ('pending', 'rejected') AND ledger_txn IS NOT NULL""",
    "points gift differs from its ledger transaction": """
        SELECT g.id AS what FROM points_gift g
        WHERE g.status = 'approved' AND g.points_pts <> COALESCE((
            SELECT SUM(e.amount) FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
            WHERE e.txn = g.ledger_txn AND x.kind = 'points-gift' AND x.ref = 'gift:' || CAST(g.id AS TEXT)
              AND e.currency = 'PTS' AND e.account = 'liability:member:' || CAST(g.from_member AS TEXT) || ':points'
        ), -1)""",
    "pending or rejected points gift with a ledger transaction": """
        SELECT g.id AS what FROM points_gift g WHERE g.status <> 'approved' AND (g.ledger_txn <> 0
          OR EXISTS (SELECT 1 FROM ledger_txn x
                     WHERE x.kind = 'points-gift' AND x.ref = 'gift:' || CAST(g.id AS TEXT)))""",
    "points gift decided by the coordinator who entered it": """
        SELECT id AS what FROM points_gift WHERE decided_by = staff""",
    "reversed points gift without its reversing transaction": """
        SELECT g.id AS what FROM points_gift g WHERE g.reversed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_txn x WHERE x.id = g.reversal_txn AND x.reverses = g.ledger_txn)""",
    "reversal decided by the coordinator who entered it": """
        SELECT id AS what FROM points_reversal WHERE decided_by = entered_by""",
    "approved reversal without its reversing transaction": """
        SELECT v.id AS what FROM points_reversal v
        LEFT JOIN service_record r ON r.id = v.service LEFT JOIN points_gift g ON g.id = v.gift
        WHERE v.status = 'approved' AND NOT (
            (r.status = 'reversed'
             AND ((r.ledger_txn IS NULL AND v.ledger_txn IS NULL) OR v.ledger_txn = r.reversal_txn))
            OR (g.reversed_at IS NOT NULL AND v.ledger_txn = g.reversal_txn))""",
    "pending or rejected reversal with a reversing transaction": """
        SELECT id AS what FROM points_reversal WHERE status <> 'approved' AND ledger_txn IS NOT NULL""",
    "closed member holds points": """
        SELECT m.id AS what FROM member m WHERE m.status = 'closed' AND COALESCE((
            SELECT SUM(e.amount) FROM ledger_entry e
            WHERE e.account = 'liability:member:' || CAST(m.id AS TEXT) || ':points' AND e.currency = 'PTS'), 0) <> 0""",
    "points held by members and the fund differ from points issued minus points redeemed": """
        SELECT 'held ' || CAST(held AS TEXT) || ', issued ' || CAST(issued AS TEXT) || ', redeemed '
               || CAST(redeemed AS TEXT) AS what
        FROM (SELECT COALESCE(SUM(CASE WHEN account LIKE 'liability:%' THEN -amount ELSE 0 END), 0) AS held,
                     COALESCE(SUM(CASE WHEN account = 'equity:lovebank:issued' THEN amount ELSE 0 END), 0) AS issued,
                     COALESCE(SUM(CASE WHEN account = 'equity:lovebank:redeemed' THEN -amount ELSE 0 END), 0)
                     AS redeemed
              FROM ledger_entry WHERE currency = 'PTS') AS points
        WHERE held <> issued - redeemed""",
    # Each shop's fund keeps its own points (issue 19): moved only by that shop's own transactions (given to it
    # there, spent there for households, a return of such a sale there), and none left in the one account of old.
    "a shop's fund points moved by another shop's transaction": """
        SELECT 'transaction ' || CAST(x.id AS TEXT) || ' of shop ' || CAST(x.shop AS TEXT) || ' on ' || e.account
               AS what
        FROM ledger_entry e JOIN ledger_txn x ON x.id = e.txn
        WHERE e.currency = 'PTS' AND e.account LIKE 'liability:fund:shop:%:points'
          AND e.account <> 'liability:fund:shop:' || CAST(x.shop AS TEXT) || ':points'""",
    "points in the fund account of before each shop had its own": """
        SELECT CAST(SUM(amount) AS TEXT) AS what FROM ledger_entry
        WHERE account = 'liability:fund:community:points' AND currency = 'PTS' HAVING SUM(amount) <> 0""",
    "points gift to the fund not in the fund of the shop where it was given": """
        SELECT g.id AS what FROM points_gift g
        WHERE g.status = 'approved' AND g.to_member IS NULL AND g.points_pts <> COALESCE((
            SELECT -SUM(e.amount) FROM ledger_entry e
            WHERE e.txn = g.ledger_txn AND e.currency = 'PTS'
              AND e.account = 'liability:fund:shop:' || CAST(g.shop AS TEXT) || ':points'), 0)""",
    # Where each passbook entry happened is its ledger transaction's shop: the record's own.
    "service or points gift whose ledger transaction is another shop's": """
        SELECT 'service ' || CAST(r.id AS TEXT) AS what FROM service_record r JOIN ledger_txn x
          ON x.id = r.ledger_txn OR x.id = r.reversal_txn WHERE x.shop <> r.shop
        UNION ALL
        SELECT 'gift ' || CAST(g.id AS TEXT) AS what FROM points_gift g JOIN ledger_txn x
          ON x.id = g.ledger_txn OR x.id = g.reversal_txn WHERE x.shop <> g.shop""",
}


async def lovebank_problems() -> list[str]:
    """What is wrong with the love bank's books (an empty list when all holds)."""
    problems = []
    for problem, statement in _CHECKS.items():
        for row in await run(Member._meta.db, statement):
            problems.append(f"{problem}: {row['what']}")
    return problems
