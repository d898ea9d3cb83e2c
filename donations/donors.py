"""Donors: the least a shop needs to thank someone (a name or nothing, a phone if they wish; no ID numbers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from donations.errors import DonationError
from donations.tables import Donor
from shop.database import writing
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
    """138****5678: the first three and last four digits, the rest hidden (short numbers: last two)."""
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


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
    """Donors whose name contains `text`, or whose phone contains its digits (the last four are enough)."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    # SQLite's LIKE already ignores case (for Latin letters; Chinese has none); PostgreSQL's needs ILIKE.
    pattern = f"%{text}%"
    query = Donor.name.like(pattern) if Donor._meta.db.engine_type == "sqlite" else Donor.name.ilike(pattern)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4:
        query = query | Donor.phone.like(f"%{digits}%")
    rows = await Donor.select().where((Donor.shop == shop_id) & query).order_by(Donor.id, ascending=False).limit(
        MAX_FOUND)
    return [_donor(row) for row in rows]


async def donor_by_id(*, shop_id: int, donor_id: int) -> DonorInfo:
    row = await Donor.select().where((Donor.shop == shop_id) & (Donor.id == donor_id)).first()
    if row is None:
        raise DomainError(DonationError.UNKNOWN_DONOR, status=404, donor=donor_id)
    return _donor(row)


async def erase_donor(*, shop_id: int, donor_id: int) -> DonorInfo:
    """On the donor's request: their name, phone and consent are erased; the donor stays, anonymous,
    so their donations and what those raised stay in the books."""
    await donor_by_id(shop_id=shop_id, donor_id=donor_id)
    async with writing(Donor._meta.db):
        await Donor.update({Donor.name: "", Donor.phone: "", Donor.may_contact: False}).where(
            (Donor.shop == shop_id) & (Donor.id == donor_id))
    return await donor_by_id(shop_id=shop_id, donor_id=donor_id)
