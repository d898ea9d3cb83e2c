"""Donors: the least a shop needs to thank someone (a name or nothing, a phone if they wish; no ID numbers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from donations.errors import DonationError
from donations.intake import donation_number
from donations.tables import Donor
from printing.queue import DONATION_SLIP, redact
from shop import sql
from shop.database import forget_erased, run, writing
from shop.errors import DomainError

MAX_FOUND = 20


def normalize_phone(raw: str) -> str:
    """A phone number as digits ("" for none); DomainError for anything that is not one.

    People type spaces, dashes, brackets and +86; what is kept is the digits (5 to 15,
    landlines and mobiles alike).
    """
    text = (raw or "").strip()
    if not text:
        return ""
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = digits.removeprefix("+86")
    if not digits.isascii() or not digits.isdigit() or not 5 <= len(digits) <= 15:
        raise DomainError(DonationError.BAD_PHONE, phone=text[:20])
    return digits


def mask_phone(phone: str) -> str:
    """138****5678: a mobile's (11+ digits) first three and last four digits, the rest hidden; a shorter
    number shows its last four (8 to 10 digits) or last two (5 to 7), so a landline is never shown nearly whole."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) >= 8:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def search_text(text: str) -> str:
    """What a person typed into a search box: spaces collapsed, at most 100 characters."""
    return " ".join((text or "").split())[:100]


def last_four(text: str) -> str | None:
    """The digits of a search for a phone's last four ("5678", "56 78"), or None when it is not exactly four digits:
    a search never matches digits inside a phone, so a masked phone cannot be recovered by searching for it."""
    digits = re.sub(r"[\s\-]", "", text)
    return digits if len(digits) == 4 and digits.isascii() and digits.isdigit() else None


def _like_literal(text: str) -> str:
    """text inside a LIKE pattern as itself: its %, _ and the escape character \\ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_contains(table: type[Table], text: str) -> WhereRaw:
    """table's name contains text, literally, ignoring case (sql.ilike; Chinese has no case)."""
    return WhereRaw(sql.ilike(table._meta.db, f"{table._meta.tablename}.name", "{}"), f"%{_like_literal(text)}%")


def phone_ends_with(table: type[Table], digits: str) -> WhereRaw:
    """table's phone ends with these four digits (digits only: nothing in them is a wildcard)."""
    return WhereRaw(f"{table._meta.tablename}.phone LIKE {{}}", f"%{digits}")


@dataclass(frozen=True)
class DonorInfo:
    id: int
    name: str  # "" for an anonymous donor
    phone: str  # digits; the web layer masks it for everyone but managers
    may_contact: bool
    created_at: datetime

    @property
    def anonymous(self) -> bool:
        return not self.name


def _donor(row: dict) -> DonorInfo:
    return DonorInfo(id=row["id"], name=row["name"], phone=row["phone"], may_contact=bool(row["may_contact"]),
                     created_at=row["created_at"])


async def register_donor(*, shop_id: int, name: str = "", phone: str = "", may_contact: bool = False,
                         staff_id: int | None = None) -> DonorInfo:
    """A donor, named or anonymous ("" name). Consent to be contacted needs a phone to contact."""
    name = " ".join((name or "").split())
    if len(name) > 100:
        raise DomainError(DonationError.BAD_DONOR_NAME, maximum=100)
    digits = normalize_phone(phone)
    async with writing(Donor._meta.db):
        rows = await Donor.insert(Donor(shop=shop_id, name=name, phone=digits, may_contact=may_contact and bool(digits),
                                        created_by=staff_id)).returning(*Donor.all_columns())
    return _donor(rows[0])


async def find_donors(*, shop_id: int, text: str) -> list[DonorInfo]:
    """Donors whose name contains `text`, or whose phone ends with it when it is four digits (and only then)."""
    text = search_text(text)
    if not text:
        return []
    query = name_contains(Donor, text)
    if (digits := last_four(text)) is not None:
        query = query | phone_ends_with(Donor, digits)
    rows = await Donor.select().where((Donor.shop == shop_id) & query).order_by(Donor.id, ascending=False).limit(
        MAX_FOUND)
    return [_donor(row) for row in rows]


async def donor_by_id(*, shop_id: int, donor_id: int) -> DonorInfo:
    row = await Donor.select().where((Donor.shop == shop_id) & (Donor.id == donor_id)).first()
    if row is None:
        raise DomainError(DonationError.UNKNOWN_DONOR, donor=donor_id)
    return _donor(row)


async def erase_donor(*, shop_id: int, donor_id: int) -> DonorInfo:
    """On the donor's request: their name, phone and consent are erased; the donor stays, anonymous,
    so their donations and what those raised stay in the books."""
    await donor_by_id(shop_id=shop_id, donor_id=donor_id)
    db = Donor._meta.db
    async with writing(db):
        await Donor.update({Donor.name: "", Donor.phone: "", Donor.may_contact: False}).where(
            (Donor.shop == shop_id) & (Donor.id == donor_id))
        # their thank-you slips, printed or waiting, named them: the queue keeps none of it
        gifts = await run(db, "SELECT id FROM donation WHERE shop = $1 AND donor = $2", shop_id, donor_id)
        await redact(shop_id=shop_id, document=DONATION_SLIP, refs=[donation_number(row["id"]) for row in gifts])
    await forget_erased(db)
    return await donor_by_id(shop_id=shop_id, donor_id=donor_id)
