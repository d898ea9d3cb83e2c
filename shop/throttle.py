"""Wrong passwords and PINs: each one logged, and after five in a row a growing wait.

Every try is counted against a person (the username typed, or the logged-in person typing a
manager's PIN) and a place (the till's or the client's address). After LIMIT failures in a row
on either, the next try waits FIRST_WAIT seconds, doubling with each further failure up to
LONGEST_WAIT; a try during the wait is refused without being checked, even with the right PIN.
A success clears the person's and the place's count; a count nobody added to for a day is forgotten.

A try is counted as a failure before its password or PIN is checked (and the count cleared if
it was right): many tries sent at once still wait their turn, on one server process or several.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from shop import sql
from shop.database import as_time, run, writing
from shop.errors import DomainError
from shop.tables import AccessFailure, AccessThrottle

LIMIT = 5
FIRST_WAIT = 30
LONGEST_WAIT = 15 * 60
FORGET_AFTER = timedelta(hours=24)


class AccessError(StrEnum):
    TOO_MANY_TRIES = "too-many-tries"


class Kind(StrEnum):
    LOGIN = "login"
    PIN = "pin"


@dataclass(frozen=True)
class Origin:
    """Who is at the keyboard and where: set by the web layer for each request."""

    place: str = "local"  # the client's address (a till's code when the caller knows it)
    staff_id: int | None = None  # the logged-in person, if any
    username: str = ""


origin: ContextVar[Origin] = ContextVar("aixin_access_origin", default=Origin())


# -- the rule ----------------------------------------------------------------------------------------

def wait_after(failures: int) -> int:
    """Seconds to wait after this many failures in a row: none for the first four, then 30 s doubling to 15 min."""
    if failures < LIMIT:
        return 0
    return min(FIRST_WAIT * 2 ** min(failures - LIMIT, 16), LONGEST_WAIT)


def seconds_left(failures: int, last_failure_at: datetime, now: datetime) -> int:
    """Whole seconds still to wait (0: may try now)."""
    since = max(now - last_failure_at, timedelta(0))  # another server's clock may be a little ahead
    if since >= FORGET_AFTER or not (wait := wait_after(failures)):
        return 0
    return max(0, math.ceil(wait - since.total_seconds()))


# -- the operations ------------------------------------------------------------------------------------

async def count_try(keys: list[str]) -> None:
    """Count a try against each key, or refuse it (429, "too-many-tries", seconds=…) while one must wait."""
    keys = sorted(set(keys))  # one order for everyone: no deadlock between tries locking the same keys
    engine = AccessThrottle._meta.db
    async with writing(engine):
        await AccessThrottle.insert(
            *[AccessThrottle({AccessThrottle.key: key, AccessThrottle.failures: 0,
                              AccessThrottle.last_failure_at: datetime.now(UTC)}) for key in keys]
        ).on_conflict(action="DO NOTHING")
        marks = sql.placeholders(1, len(keys))
        rows = await run(engine, f"SELECT key, failures, last_failure_at FROM access_throttle WHERE key IN ({marks})"
                                 f" ORDER BY key{sql.for_update(engine)}", *keys)
        now = datetime.now(UTC)  # once the rows are ours: tries waiting for them must not be "earlier" than the last
        wait = max((seconds_left(row["failures"], as_time(row["last_failure_at"]), now) for row in rows), default=0)
        if wait:
            raise DomainError(AccessError.TOO_MANY_TRIES, seconds=wait)
        for row in rows:
            forgotten = now - as_time(row["last_failure_at"]) >= FORGET_AFTER
            await AccessThrottle.update({AccessThrottle.failures: 1 if forgotten else row["failures"] + 1,
                                         AccessThrottle.last_failure_at: now}).where(AccessThrottle.key == row["key"])


async def clear(keys: list[str]) -> None:
    """The try was right: the person's and the place's failures in a row start again from none (and counts
    forgotten a day after their last failure go too)."""
    stale = datetime.now(UTC) - FORGET_AFTER
    async with writing(AccessThrottle._meta.db):
        await AccessThrottle.delete().where(
            AccessThrottle.key.is_in(sorted(set(keys))) | (AccessThrottle.last_failure_at < stale))


async def log_failure(*, kind: Kind, staff_id: int | None, username: str, place: str) -> None:
    async with writing(AccessFailure._meta.db):
        await AccessFailure.insert(AccessFailure({
            AccessFailure.kind: kind.value, AccessFailure.staff: staff_id, AccessFailure.username: username[:64],
            AccessFailure.place: place[:64]}))


@dataclass(frozen=True)
class Failure:
    at: datetime
    kind: str
    username: str  # as typed, or the person who typed a PIN
    staff_id: int | None
    display_name: str  # of staff_id, "" for a username nobody has
    place: str


async def recent_failures(*, shop_id: int, limit: int = 200) -> list[Failure]:
    """The latest failed logins and PINs against the shop's staff or a username nobody has, newest first."""
    rows = await AccessFailure.select(
        AccessFailure.created_at, AccessFailure.kind, AccessFailure.username, AccessFailure.staff,
        AccessFailure.staff.display_name, AccessFailure.place,
    ).where(
        (AccessFailure.staff.shop == shop_id) | AccessFailure.staff.is_null()
    ).order_by(AccessFailure.created_at, AccessFailure.id, ascending=False).limit(limit)
    return [Failure(at=as_time(row["created_at"]), kind=row["kind"], username=row["username"],
                    staff_id=row["staff"], display_name=row["staff.display_name"] or "", place=row["place"])
            for row in rows]
