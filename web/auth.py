"""Who is at the keyboard: a signed session cookie, the authentication middleware, and the role guard.

The cookie carries the logged-in person (id, name, role, shop) signed with the shop's
secret (itsdangerous), so a request costs one HMAC check and no database read or
decryption; nothing is stored server-side, so a restart logs nobody out and several
server processes share sessions. The cookie is HttpOnly and expires after a shift.
"""

from __future__ import annotations

import hashlib

import msgspec
from itsdangerous import BadSignature, URLSafeTimedSerializer
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.response import Response

from shop.staff import Role

COOKIE = "aixin_session"
SHIFT_SECONDS = 12 * 3600


class StaffUser(msgspec.Struct, frozen=True):
    """The logged-in person, as carried in the signed session cookie."""

    id: int
    username: str
    display_name: str
    role: str
    shop_id: int


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="aixin-session",
                                                  signer_kwargs={"digest_method": hashlib.sha256})

    def sign(self, user: StaffUser) -> str:
        return self._serializer.dumps(msgspec.to_builtins(user))

    def user_of(self, token: str) -> StaffUser | None:
        try:
            return msgspec.convert(self._serializer.loads(token, max_age=SHIFT_SECONDS), StaffUser)
        except (BadSignature, msgspec.ValidationError):
            return None


def log_in(response: Response, signer: SessionSigner, user: StaffUser) -> Response:
    response.set_cookie(COOKIE, signer.sign(user), max_age=SHIFT_SECONDS, httponly=True, samesite="lax", path="/")
    return response


def log_out(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/")
    return response


class StaffAuthentication(AbstractAuthenticationMiddleware):
    """Puts the StaffUser of a valid session cookie in the request, or refuses with 401."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(COOKIE)
        user = connection.app.state.signer.user_of(token) if token else None
        if user is None:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=None)


def requires_role(role: Role):
    """A guard: the logged-in person's role must allow `role` (managers may do a cashier's work)."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # async: a sync guard costs a thread hop
        user = connection.scope.get("user")
        if not isinstance(user, StaffUser):
            raise NotAuthorizedException()
        if not Role(user.role).allows(role):
            raise PermissionDeniedException()

    guard.__name__ = f"requires_{role.value}"
    return guard
