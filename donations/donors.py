"""Donors: the least a shop needs to thank someone (a name or nothing, a phone if they wish; no ID numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from donations.errors import DonationError
from donations.intake import donation_number
from donations.tables import Donor
from printing.queue import DONATION_SLIP, redact
from shop.database import forget_erased, run, writing
from shop.errors import DomainError
from shop.people import last_four, name_contains, normalize_phone, phone_ends_with, search_text

MAX_FOUND = 20


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
