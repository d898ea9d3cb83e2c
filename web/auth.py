"""Who is at the keyboard: session-cookie login, the role guard, and the user kept in the session."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from shop.staff import Role


class StaffUser(msgspec.Struct, frozen=True):
    """The logged-in person, as kept in the (encrypted) session cookie: no database read per request."""

    id: int
    username: str
    display_name: str
    role: str
    shop_id: int


async def retrieve_user(session: dict[str, Any], connection: ASGIConnection) -> StaffUser | None:
    staff = session.get("staff")
    if not isinstance(staff, dict):
        return None
    try:
        return msgspec.convert(staff, StaffUser)
    except msgspec.ValidationError:
        return None


def requires_role(role: Role):
    """A guard: the logged-in person's role must allow `role` (managers may do a cashier's work)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, StaffUser):
            raise NotAuthorizedException()
        if not Role(user.role).allows(role):
            raise PermissionDeniedException()

    guard.__name__ = f"requires_{role.value}"
    return guard
