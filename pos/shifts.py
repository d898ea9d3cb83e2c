"""Shifts that count (issue 20): a volunteer's shift at the till or at the intake desk goes into their love-bank
passbook as service of the type 店内值班 (config's [lovebank] service type "shop-duty"), waiting, as any service does,
for a coordinator to approve it into points.

Here, at the pos layer, because it needs both sides: the till session (pos) or the intake shift (donations) that
closed, and the passbook (lovebank); donations and the love bank know nothing of each other.

What is recorded, for the member linked to the login whose shift it was (lovebank/members.py; nothing when none):
- the hours from opening to closing in completed half-hours, as a shop counts a volunteer's time: a half-hour begun
  is not a half-hour served (2 h 10 min → 2 h, 2 h 40 min → 2.5 h), and under 30 minutes nothing is recorded;
  a shift longer than [lovebank] max_hours (a till left open overnight) records max_hours, for the coordinator to
  check before approving;
- served on the opening's day and at its time, in the shop's time zone;
- the place: the shop's name and the till's code, or the intake desk;
- the witness: whoever closed it (their display name), who is also the one who entered it, so another coordinator
  approves it.
Closing never fails because of it: a member closed since the link, or a service type no longer configured, records
nothing and is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from donations import shifts as intake_shifts
from donations.shifts import IntakeShiftInfo
from lovebank import members, passbook
from lovebank.passbook import ServiceInfo
from lovebank.tables import ServiceRecord
from shop.database import as_time, run
from shop.errors import DomainError
from shop.settings import ServiceType, Settings

log = logging.getLogger("aixin")

SHIFT_TYPE = "shop-duty"  # 店内值班
HALF_HOUR_SECONDS = 30 * 60
TILL_CONTENT = "收银值班"
INTAKE_CONTENT = "捐赠登记值班"
INTAKE_PLACE = "捐赠登记台"


@dataclass(frozen=True)
class ShiftRule:
    """What recording a shift needs of config: the shop's time zone and the love bank's service types and limit."""

    zone: ZoneInfo
    types: tuple[ServiceType, ...]
    max_hours: int

    @classmethod
    def of(cls, settings: Settings) -> ShiftRule:
        return cls(zone=settings.zone, types=tuple(settings.lovebank.service_types),
                   max_hours=settings.lovebank.max_hours)


def shift_half_hours(opened_at: datetime, closed_at: datetime, *, max_hours: int) -> int:
    """The completed half-hours between opening and closing (0 under 30 minutes), at most max_hours."""
    seconds = int((closed_at - opened_at).total_seconds())
    return max(0, min(seconds // HALF_HOUR_SECONDS, 2 * max_hours))


async def _shop_name(shop_id: int) -> str:
    rows = await run(ServiceRecord._meta.db, "SELECT name FROM shop WHERE id = $1", shop_id)
    return rows[0]["name"]


async def record_shift(rule: ShiftRule, *, shop_id: int, worker_id: int, closer_id: int, opened_at: datetime,
                       closed_at: datetime, place: str, content: str) -> ServiceInfo | None:
    """The pending service record of a closed shift, for the member linked to `worker_id`; None when nothing is
    recorded (no linked member, under 30 minutes, or refused: logged)."""
    member_id = await members.member_of_staff(staff_id=worker_id)
    if member_id is None:
        return None
    half_hours = shift_half_hours(opened_at, closed_at, max_hours=rule.max_hours)
    if not half_hours:
        return None
    closer = await run(ServiceRecord._meta.db, "SELECT display_name FROM staff WHERE id = $1", closer_id)
    start = opened_at.astimezone(rule.zone)
    try:
        return await passbook.record_service(
            shop_id=shop_id, member_id=member_id, served_on=start.date(), start_time=start.strftime("%H:%M"),
            place=place[:100], content=content, service_type=SHIFT_TYPE, half_hours=half_hours,
            witness=closer[0]["display_name"][:50], staff_id=closer_id, today=closed_at.astimezone(rule.zone).date(),
            types=rule.types, max_hours=rule.max_hours)
    except DomainError as error:
        log.warning("the shift of staff %s (%s) was not recorded in member %s's passbook: %s %s", worker_id, content,
                    member_id, error.code, error.params)
        return None


async def record_till_shift(rule: ShiftRule, *, shop_id: int, session_id: int, number: str) -> ServiceInfo | None:
    """The service of a till session just closed (pos/sessions.py close_session calls it once it is committed), for
    the member linked to the cashier who opened it."""
    row = (await run(ServiceRecord._meta.db, "SELECT s.opened_by, s.closed_by, s.opened_at, s.closed_at, "
                     "t.code FROM till_session s JOIN till t ON t.id = s.till WHERE s.id = $1", session_id))[0]
    return await record_shift(rule, shop_id=shop_id, worker_id=row["opened_by"], closer_id=row["closed_by"],
                              opened_at=as_time(row["opened_at"]), closed_at=as_time(row["closed_at"]),
                              place=f"{await _shop_name(shop_id)} {row['code']}", content=f"{TILL_CONTENT} {number}")


async def close_intake_shift(rule: ShiftRule, *, shop_id: int, staff_id: int
                             ) -> tuple[IntakeShiftInfo, ServiceInfo | None]:
    """Close the person's intake shift and record its service for their linked member (None when nothing is)."""
    shift = await intake_shifts.close_intake_shift(shop_id=shop_id, staff_id=staff_id)
    record = await record_shift(rule, shop_id=shop_id, worker_id=shift.staff_id, closer_id=shift.closed_by,
                                opened_at=shift.opened_at, closed_at=shift.closed_at,
                                place=f"{await _shop_name(shop_id)} {INTAKE_PLACE}", content=INTAKE_CONTENT)
    return shift, record
