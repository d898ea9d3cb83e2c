"""People the shop keeps the least about (donors, makers, love-bank members): their phones as digits, shown
masked to all but managers, and how a person is found by a part of their name or their phone's last four digits."""

from __future__ import annotations

import re

from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from shop import sql
from shop.errors import DomainError, ShopError
from shop.staff import Role


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
        raise DomainError(ShopError.BAD_PHONE, phone=text[:20])
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


def shown_phone(phone: str, reader: Role) -> str:
    """A phone as `reader` may see it: whole for a manager (or an admin), masked for everyone else."""
    return phone if reader.allows(Role.MANAGER) else mask_phone(phone)
