"""Staff and roles: who may do what, checking who they are (argon2 password and PIN hashes, throttled: see
shop/throttle.py), administering them, and whether a session of theirs still holds."""

from __future__ import annotations

import asyncio
import ctypes
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shop import throttle
from shop.database import as_time, fetch_rows, writing
from shop.errors import DomainError, ShopError
from shop.tables import Staff

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): argon2-cffi's default takes 64 MiB
# per login, and a few logins at once would take the server past its memory budget.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Each hash holds its 19 MiB while it runs: at most two at once (one a core; more would only share the CPU), so
# a shift's tills logging in together cannot take the server past its memory budget (issue 22).
_HASHING = threading.BoundedSemaphore(2)


def _give_big_blocks_back() -> None:
    """glibc serves a block of 19 MiB from its heaps once one that size was freed (its mmap threshold follows the
    largest block freed) and keeps it: two hashes would hold 38 MiB for ever. A fixed threshold of 4 MiB maps every
    block from there up on its own and unmaps it when freed. Elsewhere (musl, macOS) nothing to do."""
    try:
        ctypes.CDLL(None).mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD; setting it turns the sliding threshold off
    except (AttributeError, OSError):
        pass


_give_big_blocks_back()

MIN_PASSWORD = 6


class StaffError(StrEnum):
    BAD_ROLE = "bad-role"
    LAST_ADMIN = "last-admin"
    NOT_AT_THE_TILL = "not-at-the-till"  # a till PIN, or the till's cashier switch, for an intake volunteer
    # the cashier switch at the till's lock screen (switch_cashier)
    UNKNOWN_CASHIER = "unknown-cashier"
    NO_CASHIER_PIN = "no-cashier-pin"
    WRONG_CASHIER_PIN = "wrong-cashier-pin"
    CASHIER_INACTIVE = "cashier-inactive"


class Role(StrEnum):
    CASHIER = "cashier"
    INTAKE = "intake"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"
    DISTRICT = "district"  # the street office: reads every shop's figures, changes nothing (web/auth.py: GET only)

    def allows(self, required: Role) -> bool:
        """An admin may do everything in their shop, a manager everything but admin; others their own work. The
        district's work (every shop's figures) is the district role's alone: no shop's admin reads other shops."""
        if required is Role.DISTRICT:
            return self is Role.DISTRICT
        if self is Role.ADMIN:
            return True
        if self is Role.MANAGER:
            return required is not Role.ADMIN
        return self is required


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _one_of_two(work, *args):
    with _HASHING:
        return work(*args)


async def _in_thread(work, *args):
    """argon2 takes tens of milliseconds of CPU: off the event loop, so no till waits for a login."""
    return await asyncio.to_thread(_one_of_two, work, *args)


async def create_staff(*, shop_id: int, username: str, password: str, role: Role,
                       display_name: str = "") -> Staff:
    username = username.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise DomainError(ShopError.WEAK_PASSWORD, minimum=MIN_PASSWORD)
    if await Staff.exists().where(Staff.username == username):
        raise DomainError(ShopError.USERNAME_TAKEN, username=username)
    staff = Staff(shop=shop_id, username=username, display_name=display_name or username,
                  password_hash=await _in_thread(hash_password, password), role=role.value, active=True)
    await staff.save()
    return staff


async def authenticate(*, username: str, password: str, place: str | None = None) -> Staff:
    """The active staff member with this username and password, or DomainError(BAD_LOGIN).

    Throttled by the username typed and by `place` (the client's address; the request's by
    default): see shop/throttle.py. Every failure is logged.
    """
    name = username.strip().lower()[:64]
    where = place or throttle.origin.get().place
    keys = [f"login:user:{name}", f"login:at:{where}"]
    await throttle.count_try(keys)
    staff = await Staff.objects().where(Staff.username == name).first()
    if staff is None:
        await _in_thread(hash_password, password)  # the same time for unknown users
        right = False
    else:
        right = await _in_thread(_matches, staff.password_hash, password) and staff.active
    if not right:
        await throttle.log_failure(kind=throttle.Kind.LOGIN, staff_id=staff.id if staff else None, username=name,
                                   place=where)
        raise DomainError(ShopError.BAD_LOGIN)
    await throttle.clear(keys)
    if _hasher.check_needs_rehash(staff.password_hash):
        new_hash = await _in_thread(hash_password, password)
        await Staff.update({Staff.password_hash: new_hash}).where(Staff.id == staff.id)
    return staff


# -- till PINs: anyone of the till (cashier, manager, admin) types theirs to take over the till (switch_cashier);
# -- a manager's also approves overrides past the limit, voids and spending the fund's points ----------------

PIN_DIGITS = (4, 12)
_PIN = re.compile(r"[0-9]{%d,%d}" % PIN_DIGITS)
_APPROVERS = (Role.MANAGER.value, Role.ADMIN.value)
TILL_ROLES = (Role.CASHIER.value, *_APPROVERS)


async def _managers_with_pin(shop_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.pin_hash).where(
        (Staff.shop == shop_id) & (Staff.active == True) & Staff.role.is_in(list(_APPROVERS))  # noqa: E712
        & Staff.pin_hash.is_not_null()
    ).order_by(Staff.id)


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


async def set_pin(*, username: str, pin: str, shop_id: int | None = None) -> Staff:
    """Give someone of the till (cashier, manager, admin) the PIN they type there: 4 to 12 digits.

    A manager's PIN alone approves overrides (check_manager_pin looks for it among the managers'), so no PIN may be a
    manager's and someone else's: a cashier's is checked against the managers', a manager's against everyone's."""
    if not _PIN.fullmatch(pin or ""):
        raise DomainError(ShopError.PIN_FORMAT, minimum=PIN_DIGITS[0], maximum=PIN_DIGITS[1])
    staff = await _named(username, shop_id)
    if staff.role not in TILL_ROLES:
        raise DomainError(StaffError.NOT_AT_THE_TILL, username=staff.username)
    others = await (_till_staff_with_pin(staff.shop) if staff.role in _APPROVERS else _managers_with_pin(staff.shop))
    for other in others:
        if other["id"] != staff.id and await _in_thread(_matches, other["pin_hash"], pin):
            raise DomainError(ShopError.PIN_TAKEN)
    staff.pin_hash = await _in_thread(hash_password, pin)
    await Staff.update({Staff.pin_hash: staff.pin_hash}).where(Staff.id == staff.id)
    return staff


async def check_manager_pin(shop_id: int, pin: str, *, by: int | None = None, place: str | None = None) -> int:
    """The id of the active manager (or admin) of the shop whose PIN this is; DomainError "bad-pin" otherwise.

    Throttled by the person typing it (`by`, the request's logged-in person by default) and by
    `place` (the request's address by default), before anything else is looked at: a refusal
    (429) or a wrong PIN (403) says nothing about what the PIN was to approve. Every failure is logged.
    """
    at = throttle.origin.get()
    by = at.staff_id if by is None else by
    where = place or at.place
    keys = [f"pin:at:{where}", *([f"pin:staff:{by}"] if by is not None else [])]
    await throttle.count_try(keys)
    if _PIN.fullmatch(pin or ""):
        for manager in await _managers_with_pin(shop_id):
            if await _in_thread(_matches, manager["pin_hash"], pin):
                await throttle.clear(keys)
                return manager["id"]
    await throttle.log_failure(kind=throttle.Kind.PIN, staff_id=by, username=at.username if by == at.staff_id else "",
                               place=where)
    raise DomainError(ShopError.BAD_PIN)


async def _till_staff_with_pin(shop_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.pin_hash).where(
        (Staff.shop == shop_id) & (Staff.active == True) & Staff.role.is_in(list(TILL_ROLES))  # noqa: E712
        & Staff.pin_hash.is_not_null()
    ).order_by(Staff.id)


# -- the cashier switch (换人): the next volunteer takes over a till with their card or name and their PIN -------

BADGE_PREFIX, BADGE_DIGITS = "ST", 12
_BADGE = re.compile(r"ST[0-9]{12}")


def is_badge(text: str) -> bool:
    """A staff card's code as scanned ("ST" and 12 digits), not a name typed at the lock screen."""
    return bool(_BADGE.fullmatch(text.strip().upper()))


async def issue_badge(*, username: str, shop_id: int | None = None) -> Staff:
    """A new staff card's code for someone of the till: random, unique; the card printed before no longer works.

    Kept plain: a badge alone lets nobody in (the PIN does), and a badge looked up by its hash would be no safer,
    12 digits being quickly tried against any hash."""
    staff = await _named(username, shop_id)
    if staff.role not in TILL_ROLES:
        raise DomainError(StaffError.NOT_AT_THE_TILL, username=staff.username)
    while True:
        badge = BADGE_PREFIX + str(secrets.randbelow(10 ** BADGE_DIGITS)).zfill(BADGE_DIGITS)
        if not await Staff.exists().where(Staff.badge == badge):
            break
    async with writing(Staff._meta.db):
        await Staff.update({Staff.badge: badge}).where(Staff.id == staff.id)
    staff.badge = badge
    return staff


async def switch_cashier(*, shop_id: int, pin: str, username: str = "", badge: str = "",
                         place: str | None = None) -> Staff:
    """The person of the shop with this staff card (`badge`) or `username`, when `pin` is theirs: who carries on at
    the till (web/cashier.py signs them in). Anyone of the till (cashier, manager, admin), active, with a PIN.

    Throttled as a login is (shop/throttle.py): by the person named and by `place` (the request's address by default;
    shared with the managers' PINs typed there), counted before anything is looked at. Someone of another shop is
    refused as nobody would be. Every failure is logged."""
    where = place or throttle.origin.get().place
    badge = badge.strip().upper()[:20]
    name = username.strip().lower()[:64]
    keys = [f"pin:at:{where}", *([f"pin:user:{name}"] if name else [])]
    await throttle.count_try(keys)
    staff = await Staff.objects().where((Staff.badge == badge) if badge else (Staff.username == name)).first()
    if staff is not None and staff.shop != shop_id:
        staff = None
    if staff is not None and badge:
        keys.append(f"pin:user:{staff.username}")
        await throttle.count_try([f"pin:user:{staff.username}"])
    refusal = None
    if staff is None:
        refusal = DomainError(StaffError.UNKNOWN_CASHIER, who=badge or name)
    elif staff.pin_hash is None:
        refusal = DomainError(StaffError.NO_CASHIER_PIN, name=staff.display_name)
    elif not await _in_thread(_matches, staff.pin_hash, pin or ""):
        refusal = DomainError(StaffError.WRONG_CASHIER_PIN, name=staff.display_name)
    elif not staff.active:
        refusal = DomainError(StaffError.CASHIER_INACTIVE, name=staff.display_name)
    elif staff.role not in TILL_ROLES:
        refusal = DomainError(StaffError.NOT_AT_THE_TILL, username=staff.username)
    if refusal is not None:
        await throttle.log_failure(kind=throttle.Kind.PIN, staff_id=staff.id if staff else None,
                                   username=staff.username if staff else name or badge, place=where)
        raise refusal
    await throttle.clear(keys)
    return staff


async def approving_manager(shop_id: int, *, role: Role, staff_id: int, pin: str | None) -> int | None:
    """Who allows what needs a manager at a till (a void, a refund over the limit): the person logged in when
    they are a manager or an admin, else the manager whose PIN was typed (check_manager_pin: throttled, "bad-pin"
    when it is nobody's); None when neither, and the operation asked for says whether it needs one."""
    if role.allows(Role.MANAGER):
        return staff_id
    return await check_manager_pin(shop_id, pin) if pin else None


# -- administering staff (the admin's page and `aixin staff …`) ----------------------------------------

@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    has_pin: bool
    created_at: datetime
    has_badge: bool = False


async def list_staff(*, shop_id: int | None = None) -> list[StaffMember]:
    """Everyone, active first, by username; of one shop when `shop_id` is given."""
    query = Staff.select(Staff.id, Staff.username, Staff.display_name, Staff.role, Staff.active, Staff.pin_hash,
                         Staff.created_at, Staff.badge)
    if shop_id is not None:
        query = query.where(Staff.shop == shop_id)
    rows = await query.order_by(Staff.active, ascending=False).order_by(Staff.username)
    return [StaffMember(id=r["id"], username=r["username"], display_name=r["display_name"], role=r["role"],
                        active=bool(r["active"]), has_pin=r["pin_hash"] is not None,
                        created_at=as_time(r["created_at"]), has_badge=r["badge"] is not None) for r in rows]


async def _named(username: str, shop_id: int | None = None) -> Staff:
    query = Staff.objects().where(Staff.username == username.strip().lower())
    if shop_id is not None:
        query = query.where(Staff.shop == shop_id)
    staff = await query.first()
    if staff is None:
        raise DomainError(ShopError.NOT_FOUND)
    return staff


async def _keep_an_admin(staff: Staff) -> None:
    """Refuse to take the last active admin away: nobody could administer staff any more."""
    if staff.role == Role.ADMIN.value and staff.active:
        others = await Staff.count().where((Staff.shop == staff.shop) & (Staff.role == Role.ADMIN.value)
                                           & (Staff.active == True) & (Staff.id != staff.id))  # noqa: E712
        if not others:
            raise DomainError(StaffError.LAST_ADMIN, username=staff.username)


async def set_active(*, username: str, active: bool, shop_id: int | None = None) -> Staff:
    """Deactivate (every session of theirs ends, they cannot log in, their PIN approves nothing) or reactivate."""
    staff = await _named(username, shop_id)
    if not active:
        await _keep_an_admin(staff)
    async with writing(Staff._meta.db):
        await Staff.update({Staff.active: active}).where(Staff.id == staff.id)
        if not active:
            await _end_sessions(staff.id)
    staff.active = active
    _forget(staff.id)
    return staff


async def set_role(*, username: str, role: Role, shop_id: int | None = None) -> Staff:
    """Give a new role; every session of theirs ends (they log in again with the new role's pages).
    Someone who no longer works at the till loses their till PIN and their staff card; someone made a manager, or no
    longer one, their PIN (a manager's must be theirs alone, a cashier's need not be)."""
    staff = await _named(username, shop_id)
    if role is not Role.ADMIN:
        await _keep_an_admin(staff)
    changes = {Staff.role: role.value}
    if role.value not in TILL_ROLES:
        changes |= {Staff.pin_hash: None, Staff.badge: None}
    elif (role.value in _APPROVERS) != (staff.role in _APPROVERS):  # a cashier's PIN may be another cashier's too
        changes[Staff.pin_hash] = None
    async with writing(Staff._meta.db):
        await Staff.update(changes).where(Staff.id == staff.id)
        await _end_sessions(staff.id)
    staff.role = role.value
    _forget(staff.id)
    return staff


async def reset_password(*, username: str, password: str, shop_id: int | None = None) -> Staff:
    """A new password; every session of theirs ends (a cookie copied before is refused), and a wait for wrong
    passwords typed for them is over."""
    if len(password) < MIN_PASSWORD:
        raise DomainError(ShopError.WEAK_PASSWORD, minimum=MIN_PASSWORD)
    staff = await _named(username, shop_id)
    new_hash = await _in_thread(hash_password, password)
    async with writing(Staff._meta.db):
        await Staff.update({Staff.password_hash: new_hash}).where(Staff.id == staff.id)
        await _end_sessions(staff.id)
        await throttle.clear([f"login:user:{staff.username}"])
    _forget(staff.id)
    return staff


# -- whether a session still holds ---------------------------------------------------------------------
#
# A session cookie is stamped with the microsecond it was signed (web/auth.py); logging out,
# deactivation, a role change and a new password set the person's sessions_ended_at, and every
# cookie signed before it is refused. Each request asks `session_state`: from this process's
# memory, read again from the database at most every SESSION_CHECK_SECONDS and at once after a
# change made in this process. Another server process (or `aixin staff …`) is seen within that time.

SESSION_CHECK_SECONDS = 2.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SessionState:
    active: bool
    role: str
    ended_us: int  # sessions signed at or before this microsecond (since 1970) no longer hold; 0: none ended


def microseconds(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


# staff id → (when read, state), of the database the tables are bound to (each test binds its own).
_sessions: tuple[object, dict[int, tuple[float, SessionState | None]]] = (None, {})


def _known() -> dict[int, tuple[float, SessionState | None]]:
    global _sessions
    if _sessions[0] is not Staff._meta.db:
        _sessions = (Staff._meta.db, {})
    return _sessions[1]


def _forget(staff_id: int) -> None:
    _known().pop(staff_id, None)


async def session_state(staff_id: int) -> SessionState | None:
    """The person's account as a session needs it (None: no such person)."""
    engine = Staff._meta.db
    known = _known()
    now = time.monotonic()
    if (hit := known.get(staff_id)) is not None and now - hit[0] < SESSION_CHECK_SECONDS:
        return hit[1]
    rows = await fetch_rows(engine, "SELECT active, role, sessions_ended_at FROM staff WHERE id = $1", staff_id)
    state = None
    if rows:
        ended = rows[0]["sessions_ended_at"]
        state = SessionState(active=bool(rows[0]["active"]), role=rows[0]["role"],
                             ended_us=microseconds(as_time(ended)) if ended is not None else 0)
    known[staff_id] = (now, state)
    return state


async def _end_sessions(staff_id: int) -> None:
    await Staff.update({Staff.sessions_ended_at: datetime.now(UTC)}).where(Staff.id == staff_id)


async def end_sessions(staff_id: int) -> None:
    """Logging out: every session of the person ends, on every till and browser."""
    async with writing(Staff._meta.db):
        await _end_sessions(staff_id)
    _forget(staff_id)
