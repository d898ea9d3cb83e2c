"""Intake shifts (issue 20): an intake volunteer opens a shift when they sit down at the desk and closes it when they
leave, so the hours they gave there can be written into their love-bank passbook. Donations knows nothing of the
love bank: pos/shifts.py reads the closed shift and records the service.

One open shift per person (the database holds to it too: a partial unique index); only the person whose shift it is
closes it, from their own login.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from donations.errors import DonationError
from donations.tables import IntakeShift
from shop.database import as_time, run, writing
from shop.errors import DomainError


@dataclass(frozen=True)
class IntakeShiftInfo:
    id: int
    shop_id: int
    staff_id: int
    opened_at: datetime
    closed_at: datetime | None = None
    closed_by: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _info(row: dict) -> IntakeShiftInfo:
    return IntakeShiftInfo(id=row["id"], shop_id=row["shop"], staff_id=row["staff"], opened_at=as_time(row["opened_at"]),
                           closed_at=as_time(row["closed_at"]) if row["closed_at"] is not None else None,
                           closed_by=row["closed_by"])


async def open_shift_of(*, staff_id: int) -> IntakeShiftInfo | None:
    """The person's open intake shift, or None."""
    rows = await run(IntakeShift._meta.db, "SELECT * FROM intake_shift WHERE staff = $1 AND closed_at IS NULL",
                     staff_id)
    return _info(rows[0]) if rows else None


async def open_intake_shift(*, shop_id: int, staff_id: int, now: datetime | None = None) -> IntakeShiftInfo:
    """Open the person's shift at the intake desk; "intake-shift-open" (409) when one is open already. `now`: the
    moment it opened (a test's shift of a given length)."""
    db = IntakeShift._meta.db
    try:
        async with writing(db):
            if await open_shift_of(staff_id=staff_id) is not None:
                raise DomainError(DonationError.SHIFT_ALREADY_OPEN)
            rows = await IntakeShift.insert(IntakeShift(shop=shop_id, staff=staff_id,
                                                        opened_at=now or datetime.now(UTC))).returning(IntakeShift.id)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # the same person opened it from another screen at the same moment (the partial unique index said no)
        raise DomainError(DonationError.SHIFT_ALREADY_OPEN) from None
    return _info((await run(db, "SELECT * FROM intake_shift WHERE id = $1", rows[0]["id"]))[0])


async def close_intake_shift(*, shop_id: int, staff_id: int) -> IntakeShiftInfo:
    """Close the person's open shift; "no-intake-shift" (409) when they have none open (closed from another screen)."""
    db = IntakeShift._meta.db
    async with writing(db):
        rows = await run(db, "UPDATE intake_shift SET closed_at = $1, closed_by = $2 "
                             "WHERE staff = $2 AND shop = $3 AND closed_at IS NULL RETURNING *",
                         datetime.now(UTC), staff_id, shop_id)
        if not rows:
            raise DomainError(DonationError.NO_OPEN_SHIFT)
    return _info(rows[0])
