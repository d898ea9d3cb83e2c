"""The wish wall (微心愿墙): residents' small wishes — a winter coat for a child, a dripping tap — posted for a
household, claimed by a love-bank member or a registered donor, fulfilled, then thanked.

A wish is for a household known by its reference ("H-2026-017", as the till's fund payments record it: never a
name, phone or ID number); pos/wishes.py checks the reference, and a claiming donor, before calling here (the love
bank may not import pos or donations). Its status only moves forward: posted → claimed → fulfilled → thanked, or
posted → withdrawn with the reason; a wish claimed once cannot be claimed again. Fulfilling it writes stock, the
fund's ledger or a donation, so it is pos/wishes.py's; here are the wall itself and the steps that write nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lovebank.errors import LoveBankError
from lovebank.passbook import member_for_till
from lovebank.tables import Wish
from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError

KINDS = ("goods", "service")
STATUSES = ("posted", "claimed", "fulfilled", "thanked", "withdrawn")
OPEN = ("posted", "claimed")  # on the notice board: still wished for
MAX_TEXT = 200
MAX_NOTE = 200
MAX_LISTED = 500


def wish_number(wish_id: int) -> str:
    """The wish's number on the wall and on paper: "W" and at least six digits."""
    return f"W{wish_id:06d}"


@dataclass(frozen=True)
class WishInfo:
    id: int
    number: str
    household_ref: str
    text: str
    kind: str  # goods | service
    status: str  # posted | claimed | fulfilled | thanked | withdrawn
    posted_at: datetime
    member_id: int | None  # the member who claimed it
    member_number: str
    donor_id: int | None  # or the donor who claimed it
    claimed_at: datetime | None
    fulfilled_how: str  # stock | donation | service ("" until fulfilled)
    value_fen: int  # goods given from stock, paid by the community fund
    donation_id: int | None
    service_id: int | None
    fulfilled_at: datetime | None
    thanks: str
    thanked_at: datetime | None
    reason: str  # why it was withdrawn
    withdrawn_at: datetime | None

    @property
    def claimed_by(self) -> str:
        """Who claimed it, as the wall shows it: the member's number or the donor's ("" when unclaimed)."""
        if self.member_number:
            return self.member_number
        return f"D#{self.donor_id}" if self.donor_id is not None else ""


_SELECT = """
    SELECT w.id, w.household_ref, w.text, w.kind, w.status, w.posted_at, w.member, m.number AS member_number,
           w.donor, w.claimed_at, w.fulfilled_how, w.value_fen, w.donation, w.service, w.fulfilled_at, w.thanks,
           w.thanked_at, w.reason, w.withdrawn_at
    FROM wish w LEFT JOIN member m ON m.id = w.member"""


def _wish(row: dict) -> WishInfo:
    at = lambda name: as_time(row[name]) if row[name] is not None else None  # noqa: E731
    return WishInfo(
        id=row["id"], number=wish_number(row["id"]), household_ref=row["household_ref"], text=row["text"],
        kind=row["kind"], status=row["status"], posted_at=as_time(row["posted_at"]), member_id=row["member"],
        member_number=row["member_number"] or "", donor_id=row["donor"], claimed_at=at("claimed_at"),
        fulfilled_how=row["fulfilled_how"], value_fen=int(row["value_fen"]), donation_id=row["donation"],
        service_id=row["service"], fulfilled_at=at("fulfilled_at"), thanks=row["thanks"], thanked_at=at("thanked_at"),
        reason=row["reason"], withdrawn_at=at("withdrawn_at"))


def _clean(text: str, code: LoveBankError, maximum: int, *, required: bool) -> str:
    text = " ".join((text or "").split())
    if len(text) > maximum or (required and not text):
        raise DomainError(code, maximum=maximum)
    return text


async def post_wish(*, shop_id: int, household_ref: str, text: str, kind: str, staff_id: int) -> WishInfo:
    """A coordinator posts a household's wish on the wall. `household_ref` is already checked (pos/wishes.py)."""
    text = _clean(text, LoveBankError.BAD_WISH_TEXT, MAX_TEXT, required=True)
    if kind not in KINDS:
        raise DomainError(LoveBankError.BAD_WISH_KIND, kind=str(kind)[:16])
    async with writing(Wish._meta.db):
        rows = await Wish.insert(Wish(shop=shop_id, household_ref=household_ref, text=text, kind=kind,
                                      status="posted", posted_by=staff_id,
                                      posted_at=datetime.now(UTC))).returning(Wish.id)
    return await wish_by_id(shop_id=shop_id, wish_id=rows[0]["id"])


async def wish_by_id(*, shop_id: int, wish_id: int) -> WishInfo:
    rows = await run(Wish._meta.db, _SELECT + " WHERE w.shop = $1 AND w.id = $2", shop_id, wish_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_WISH, number=wish_number(wish_id))
    return _wish(rows[0])


async def wishes(*, shop_id: int, status: str | None = None) -> list[WishInfo]:
    """The shop's wall, newest first; only those of `status` when given ("open": posted or claimed)."""
    if status is None or status == "":
        rows = await run(Wish._meta.db, _SELECT + " WHERE w.shop = $1 ORDER BY w.id DESC LIMIT $2", shop_id,
                         MAX_LISTED)
    else:
        wanted = OPEN if status == "open" else (status,)
        if any(s not in STATUSES for s in wanted):
            raise DomainError(LoveBankError.BAD_WISH_STATUS, status=str(status)[:16])
        marks = sql.placeholders(2, len(wanted))
        rows = await run(Wish._meta.db, _SELECT + f" WHERE w.shop = $1 AND w.status IN ({marks}) "
                         f"ORDER BY w.id DESC LIMIT {MAX_LISTED}", shop_id, *wanted)
    return [_wish(row) for row in rows]


async def locked_wish(*, shop_id: int, wish_id: int) -> WishInfo:
    """Inside a writing transaction: the wish, its row locked on PostgreSQL until the transaction ends (SQLite's
    IMMEDIATE transaction keeps other writers out), so two coordinators at once take turns and the second sees
    what the first did."""
    db = Wish._meta.db
    rows = await run(db, f"SELECT id FROM wish WHERE shop = $1 AND id = $2{sql.for_update(db)}", shop_id, wish_id)
    if not rows:
        raise DomainError(LoveBankError.UNKNOWN_WISH, number=wish_number(wish_id))
    return await wish_by_id(shop_id=shop_id, wish_id=wish_id)


def _refuse_unless(wish: WishInfo, status: str) -> None:
    """The refusal that says why a wish in another status cannot take the step that needs `status`."""
    if wish.status == status:
        return
    if status == "posted":
        code = LoveBankError.WISH_CLAIMED if wish.status != "withdrawn" else LoveBankError.WISH_NOT_POSTED
    elif status == "claimed":
        done = wish.status in ("fulfilled", "thanked")
        code = LoveBankError.WISH_FULFILLED if done else LoveBankError.WISH_NOT_CLAIMED
    else:
        code = LoveBankError.WISH_NOT_FULFILLED
    raise DomainError(code, number=wish.number, claimed_by=wish.claimed_by)


async def claim_wish(*, shop_id: int, wish_id: int, staff_id: int, member_code: str | None = None,
                     donor_id: int | None = None) -> WishInfo:
    """A member (their card code or number) or a registered donor (`donor_id`, checked by pos/wishes.py) claims a
    posted wish; exactly one of them. A wish for service is claimed by a member: a donor gives goods."""
    if bool((member_code or "").strip()) == (donor_id is not None):
        raise DomainError(LoveBankError.WISH_CLAIMER)
    member_id = None
    if donor_id is None:
        member_id = (await member_for_till(code=member_code or "")).id
    async with writing(Wish._meta.db):
        wish = await locked_wish(shop_id=shop_id, wish_id=wish_id)
        _refuse_unless(wish, "posted")
        if wish.kind == "service" and member_id is None:
            raise DomainError(LoveBankError.WISH_WRONG_WAY, number=wish.number)
        await Wish.update({Wish.status: "claimed", Wish.member: member_id, Wish.donor: donor_id,
                           Wish.claimed_by: staff_id, Wish.claimed_at: datetime.now(UTC)}).where(Wish.id == wish_id)
    return await wish_by_id(shop_id=shop_id, wish_id=wish_id)


async def claimed_wish(*, shop_id: int, wish_id: int) -> WishInfo:
    """Inside the fulfilling transaction: the wish, locked, claimed and not yet fulfilled (a repeated fulfil is
    refused here, before anything is written)."""
    wish = await locked_wish(shop_id=shop_id, wish_id=wish_id)
    _refuse_unless(wish, "claimed")
    return wish


async def mark_fulfilled(*, wish_id: int, how: str, staff_id: int, value_fen: int = 0, ledger_txn: int | None = None,
                         donation_id: int | None = None, service_id: int | None = None) -> None:
    """Inside the fulfilling transaction (pos/wishes.py), once what fulfilled it is written."""
    await Wish.update({Wish.status: "fulfilled", Wish.fulfilled_how: how, Wish.value_fen: value_fen,
                       Wish.ledger_txn: ledger_txn, Wish.donation: donation_id, Wish.service: service_id,
                       Wish.fulfilled_by: staff_id, Wish.fulfilled_at: datetime.now(UTC)}).where(Wish.id == wish_id)


async def thank_wish(*, shop_id: int, wish_id: int, note: str = "") -> WishInfo:
    """The household's thanks for a fulfilled wish, with an optional note; once."""
    note = _clean(note, LoveBankError.BAD_WISH_NOTE, MAX_NOTE, required=False)
    async with writing(Wish._meta.db):
        _refuse_unless(await locked_wish(shop_id=shop_id, wish_id=wish_id), "fulfilled")
        await Wish.update({Wish.status: "thanked", Wish.thanks: note,
                           Wish.thanked_at: datetime.now(UTC)}).where(Wish.id == wish_id)
    return await wish_by_id(shop_id=shop_id, wish_id=wish_id)


async def withdraw_wish(*, shop_id: int, wish_id: int, reason: str) -> WishInfo:
    """Take a posted wish off the wall, saying why (the household no longer needs it; it was posted twice). A
    claimed wish is someone's promise: it is fulfilled, not withdrawn."""
    reason = _clean(reason, LoveBankError.BAD_WISH_NOTE, MAX_NOTE, required=True)
    async with writing(Wish._meta.db):
        _refuse_unless(await locked_wish(shop_id=shop_id, wish_id=wish_id), "posted")
        await Wish.update({Wish.status: "withdrawn", Wish.reason: reason,
                           Wish.withdrawn_at: datetime.now(UTC)}).where(Wish.id == wish_id)
    return await wish_by_id(shop_id=shop_id, wish_id=wish_id)

