"""Who is at the keyboard: a signed session cookie, the authentication middleware, and the role guard.

The cookie carries the logged-in person (id, name, role, shop) and the microsecond it was
signed, signed with the shop's secret (itsdangerous); it is HttpOnly and expires after a
shift. Each request also asks shop.staff.session_state whether the session still holds: the
person is active, has the cookie's role, and has not had their sessions ended since it was
signed (logout, deactivation, a new role or password end them all). That answer is kept in
memory and read again from the database at most every 2 seconds, and at once after a change
made in this process, so a request usually costs one HMAC check and a dictionary lookup;
several server processes share sessions, and a restart logs nobody out.

`access_origin` tells shop/throttle.py where each request comes from (the client's address,
and who is logged in), so failed logins and PINs are counted per person and per place.

The shop a request serves is the logged-in person's (the cookie's shop, signed with the rest): the middleware
hands it to the Shopfront (web/shopfront.py: `front.shop_id` is then theirs for the whole request), so staff see
and change their own shop alone.
"""

from __future__ import annotations

import hashlib
import time

import msgspec
from itsdangerous import BadSignature, URLSafeTimedSerializer
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.response import Response
from litestar.types import ASGIApp, Receive, Scope, Send

from shop.errors import DomainError, ShopError
from shop.shops import ShopKind
from shop.staff import Role, end_sessions, session_state
from shop.throttle import Origin, origin
from web.shopfront import serving, shopfront_of

COOKIE = "aixin_session"
SHIFT_SECONDS = 12 * 3600
LOGOUT = "/login/out"
READS = ("GET", "HEAD")


class StaffUser(msgspec.Struct, frozen=True):
    """The logged-in person, as carried in the signed session cookie."""

    id: int
    username: str
    display_name: str
    role: str
    shop_id: int


class SessionSigner:
    def __init__(self, secret: bytes, *, secure: bool = False) -> None:
        self.secure = secure  # the session cookie only goes over HTTPS ([server] https)
        self._serializer = URLSafeTimedSerializer(secret, salt="aixin-session",
                                                  signer_kwargs={"digest_method": hashlib.sha256})

    def sign(self, user: StaffUser) -> str:
        return self._serializer.dumps({**msgspec.to_builtins(user), "signed_us": time.time_ns() // 1000})

    def session_of(self, token: str) -> tuple[StaffUser, int] | None:
        """The person of a cookie and the microsecond (since 1970) it was signed, or None if forged or too old."""
        try:
            payload = self._serializer.loads(token, max_age=SHIFT_SECONDS)
            signed_us = payload.pop("signed_us")
            return msgspec.convert(payload, StaffUser), signed_us if isinstance(signed_us, int) else 0
        except (BadSignature, msgspec.ValidationError, KeyError, TypeError, AttributeError):
            return None

    def user_of(self, token: str) -> StaffUser | None:
        session = self.session_of(token)
        return session[0] if session else None


async def live_user(signer: SessionSigner, token: str | None) -> StaffUser | None:
    """The person of a cookie whose session still holds (see the module's docstring), or None."""
    session = signer.session_of(token) if token else None
    if session is None:
        return None
    user, signed_us = session
    state = await session_state(user.id)
    if state is None or not state.active or state.role != user.role or signed_us <= state.ended_us:
        return None
    return user


def log_in(response: Response, signer: SessionSigner, user: StaffUser) -> Response:
    response.set_cookie(COOKIE, signer.sign(user), max_age=SHIFT_SECONDS, httponly=True, samesite="lax", path="/",
                        secure=signer.secure)
    return response


def log_out(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/")
    return response


class StaffAuthentication(AbstractAuthenticationMiddleware):
    """Puts the StaffUser of a valid session cookie in the request, or refuses with 401."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        user = await live_user(connection.app.state.signer, connection.cookies.get(COOKIE))
        if user is None:
            raise NotAuthorizedException()
        origin.set(Origin(place=origin.get().place, staff_id=user.id, username=user.username))
        await connection.app.state.shopfront.serve(user.shop_id)  # front.shop_id: their shop, for this request
        return AuthenticationResult(user=user, auth=None)


def access_origin(app: ASGIApp) -> ASGIApp:
    """Middleware: where the request comes from, for shop/throttle.py; and logging out ends every session of
    the person (the logout page only drops the cookie: a copy of it would still work)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        client = scope.get("client")
        token = origin.set(Origin(place=client[0] if client else "unknown"))
        shop = serving.set(None)  # until the person is known: config.toml's shop; theirs once authenticated
        try:
            if scope["path"].rstrip("/") == LOGOUT and scope["method"] == "POST":
                await _logging_out(app, scope, receive, send)
            else:
                await app(scope, receive, send)
        finally:
            serving.reset(shop)
            origin.reset(token)

    return middleware


async def _logging_out(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Once the logout page answers (past the CSRF check: a redirect), the person's sessions end."""
    connection = ASGIConnection(scope)
    user = await live_user(connection.app.state.signer, connection.cookies.get(COOKIE))

    async def sending(message) -> None:
        if message["type"] == "http.response.start" and user is not None and 300 <= message["status"] < 400:
            await end_sessions(user.id)
        await send(message)

    await app(scope, receive, sending)


def _refused_at_a_station(code: ShopError):
    """A guard, after requires_role: what needs tills or stock is refused to the staff of a station (shop/shops.py:
    a station has neither; its intake goods go to the shop it feeds), DomainError `code` naming the station."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        shop = shopfront_of(connection.app.state).shop  # the logged-in person's, read by the middleware
        if shop is not None and shop.kind is ShopKind.STATION:
            raise DomainError(code, shop=shop.code)

    guard.__name__ = f"refused_at_a_station_{code.value}"
    return guard


no_tills_at_a_station = _refused_at_a_station(ShopError.STATION_HAS_NO_TILLS)  # the till, sales, returns
no_stock_at_a_station = _refused_at_a_station(ShopError.STATION_HOLDS_NO_STOCK)  # the catalogue, shelf, stock takes


def requires_role(role: Role):
    """A guard: the logged-in person's role must allow `role` (managers may do a cashier's work); a district
    user only reads."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # async: a sync guard costs a thread hop
        user = connection.scope.get("user")
        if not isinstance(user, StaffUser):
            raise NotAuthorizedException()
        if not Role(user.role).allows(role):
            raise PermissionDeniedException()
        if user.role == Role.DISTRICT and connection.scope["method"] not in READS:  # the district changes nothing
            raise PermissionDeniedException()

    guard.__name__ = f"requires_{role.value}"
    return guard
