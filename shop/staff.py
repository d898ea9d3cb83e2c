"""Staff and roles: who may do what, and checking who they are (argon2 password hashes)."""

from __future__ import annotations

import asyncio
import re
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shop.errors import DomainError, ShopError
from shop.tables import Staff

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): argon2-cffi's default takes 64 MiB
# per login, and a few logins at once would take the server past its memory budget.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD = 6


class Role(StrEnum):
    CASHIER = "cashier"
    INTAKE = "intake"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"

    def allows(self, required: Role) -> bool:
        """An admin may do everything, a manager everything but admin; others their own work."""
        if self is Role.ADMIN:
            return True
        if self is Role.MANAGER:
            return required is not Role.ADMIN
        return self is required


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def _in_thread(work, *args):
    """argon2 takes tens of milliseconds of CPU: off the event loop, so no till waits for a login."""
    return await asyncio.to_thread(work, *args)


async def create_staff(*, shop_id: int, username: str, password: str, role: Role,
                       display_name: str = "") -> Staff:
    username = username.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise DomainError(ShopError.WEAK_PASSWORD, minimum=MIN_PASSWORD)
    if await Staff.exists().where(Staff.username == username):
        raise DomainError(ShopError.USERNAME_TAKEN, status=409, username=username)
    staff = Staff(shop=shop_id, username=username, display_name=display_name or username,
                  password_hash=await _in_thread(hash_password, password), role=role.value, active=True)
    await staff.save()
    return staff


async def authenticate(*, username: str, password: str) -> Staff:
    """The active staff member with this username and password, or DomainError(BAD_LOGIN)."""
    staff = await Staff.objects().where(
        (Staff.username == username.strip().lower()) & (Staff.active == True)  # noqa: E712
    ).first()
    if staff is None:
        await _in_thread(hash_password, password)  # the same time for unknown users
        raise DomainError(ShopError.BAD_LOGIN, status=401)
    try:
        await _in_thread(_hasher.verify, staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise DomainError(ShopError.BAD_LOGIN, status=401) from None
    if _hasher.check_needs_rehash(staff.password_hash):
        new_hash = await _in_thread(hash_password, password)
        await Staff.update({Staff.password_hash: new_hash}).where(Staff.id == staff.id)
    return staff


# -- a manager's till PIN: approves overrides past the limit and spending the fund's points ----------

_PIN = re.compile(r"^\d{4,8}$")
_APPROVERS = (Role.MANAGER.value, Role.ADMIN.value)


async def _managers_with_pin(shop_id: int) -> list[dict]:
    return await Staff.select(Staff.id, Staff.pin_hash).where(
        (Staff.shop == shop_id) & (Staff.active == True) & Staff.role.is_in(list(_APPROVERS))  # noqa: E712
        & Staff.pin_hash.is_not_null()
    ).order_by(Staff.id)


def _pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


async def set_pin(*, username: str, pin: str) -> Staff:
    """Give a manager (or admin) the PIN they type at the till: 4 to 8 digits, not another manager's."""
    if not _PIN.match(pin or ""):
        raise DomainError(ShopError.PIN_FORMAT)
    staff = await Staff.objects().where(Staff.username == username.strip().lower()).first()
    if staff is None:
        raise DomainError(ShopError.NOT_FOUND, status=404)
    if staff.role not in _APPROVERS:
        raise DomainError(ShopError.NOT_A_MANAGER, status=409, username=staff.username)
    for other in await _managers_with_pin(staff.shop):
        if other["id"] != staff.id and await _in_thread(_pin_matches, other["pin_hash"], pin):
            raise DomainError(ShopError.PIN_TAKEN, status=409)
    staff.pin_hash = await _in_thread(hash_password, pin)
    await Staff.update({Staff.pin_hash: staff.pin_hash}).where(Staff.id == staff.id)
    return staff


async def check_manager_pin(shop_id: int, pin: str) -> int:
    """The id of the active manager (or admin) of the shop whose PIN this is; DomainError "bad-pin" otherwise."""
    if not _PIN.match(pin or ""):
        raise DomainError(ShopError.BAD_PIN, status=403)
    for manager in await _managers_with_pin(shop_id):
        if await _in_thread(_pin_matches, manager["pin_hash"], pin):
            return manager["id"]
    raise DomainError(ShopError.BAD_PIN, status=403)
