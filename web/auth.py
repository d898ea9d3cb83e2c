"""Who is at the keyboard: a signed session cookie, the middleware that reads it, and who may use each route.

The cookie carries the logged-in person (id, name, role, shop) and the microsecond it was signed, signed with the
shop's secret (itsdangerous); it is HttpOnly and expires after a shift. A cookie's signature is checked once: the
person it names is then kept in memory by the cookie until the shift it was signed for ends. Each request also
asks shop.staff.session_state whether the session still holds: the person is active, has the cookie's role, and
has not had their sessions ended since it was signed (logout, deactivation, a new role or password end them all).
That answer is kept in memory and read again from the database at most every 2 seconds, and at once after a
change made in this process, so a request usually costs two dictionary lookups; several server processes share
sessions, and a restart logs nobody out.

`staff_sessions` also tells shop/throttle.py where each request comes from (the client's address, and who is
logged in), so failed logins and PINs are counted per person and per place; and it checks the route's
`requires_role` as it authenticates. A route whose opt names an answer (ANSWER_AT_ONCE: the scanner's lookup) is
answered by the middleware itself once the person may have it, past Litestar's handler; when that answer is None the
handler answers as usual.

The shop a request serves is the logged-in person's (the cookie's shop, signed with the rest): the middleware
hands it to the Shopfront (web/shopfront.py: `front.shop_id` is then theirs for the whole request), so staff see
and change their own shop alone.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import msgspec
from itsdangerous import BadSignature, URLSafeTimedSerializer
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Response
from litestar.types import ASGIApp, Receive, Scope, Send

from shop.errors import DomainError, ShopError
from shop.shops import ShopKind
from shop.staff import Role, end_sessions, session_state
from shop.throttle import Origin, origin
from web.shopfront import Shopfront, serving

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
    KEPT = 10_000  # cookies whose signature was checked, kept in memory (a shop has a few dozen a day)

    def __init__(self, secret: bytes, *, secure: bool = False) -> None:
        self.secure = secure  # the session cookie only goes over HTTPS ([server] https)
        self._serializer = URLSafeTimedSerializer(secret, salt="aixin-session",
                                                  signer_kwargs={"digest_method": hashlib.sha256})
        self._checked: dict[str, tuple[StaffUser, int, float]] = {}  # cookie → person, signed_us, good until

    def sign(self, user: StaffUser) -> str:
        return self._serializer.dumps({**msgspec.to_builtins(user), "signed_us": time.time_ns() // 1000})

    def session_of(self, token: str) -> tuple[StaffUser, int] | None:
        """The person of a cookie and the microsecond (since 1970) it was signed, or None if forged or too old.
        The signature is checked the first time a cookie is seen; after that the cookie is a dictionary key."""
        if (checked := self._checked.get(token)) is not None:
            if time.time() < checked[2]:
                return checked[0], checked[1]
            del self._checked[token]
            return None
        try:
            payload, signed_at = self._serializer.loads(token, max_age=SHIFT_SECONDS, return_timestamp=True)
            signed_us = payload.pop("signed_us")
            session = msgspec.convert(payload, StaffUser), signed_us if isinstance(signed_us, int) else 0
        except (BadSignature, msgspec.ValidationError, KeyError, TypeError, AttributeError):
            return None
        if len(self._checked) >= self.KEPT:
            self._checked.clear()
        self._checked[token] = (*session, signed_at.timestamp() + SHIFT_SECONDS)
        return session

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


PUBLIC_PATHS = re.compile("|".join(("^/login", "^/lang", "^/static", "^/schema", "^/$")))
"""Paths anyone may open without logging in; a handler with `opt={"public": True}` is open too."""


def cookie_of(scope: Scope, name: str) -> str | None:
    """The value of one cookie of the request, read from its raw headers (no other cookie parsed)."""
    for header, value in scope["headers"]:
        if header == b"cookie" and (found := _cookie_in(value, name)) is not None:
            return found
    return None


@lru_cache(maxsize=1024)
def _cookie_in(header: bytes, name: str) -> str | None:
    """One cookie's value in a Cookie header: a till sends the same header all shift, so it is read once."""
    wanted = name + "="
    for part in header.decode("latin-1").split(";"):
        part = part.strip()
        if part.startswith(wanted):
            return part[len(wanted):].strip('"')
    return None


def staff_sessions(signer: SessionSigner, front: Shopfront) -> Callable[[ASGIApp], ASGIApp]:
    """The middleware (create_app's): who is at the keyboard and where. Puts the StaffUser of a valid session cookie
    in the request (scope["user"]) and serves their shop, or refuses with 401, but for the public paths; tells
    shop/throttle.py where each request comes from; and logging out ends every session of the person (the
    logout page only drops the cookie: a copy of it would still work)."""

    origins: dict[tuple[str, int, str], Origin] = {}  # each till's person and address, made once

    def origin_of(place: str, user: StaffUser) -> Origin:
        if (known := origins.get(key := (place, user.id, user.username))) is None:
            if len(origins) >= SessionSigner.KEPT:
                origins.clear()
            known = origins[key] = Origin(place=place, staff_id=user.id, username=user.username)
        return known

    def around(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            client = scope.get("client")
            place = client[0] if client else "unknown"
            shop = serving.set(None)  # until the person is known: config.toml's shop; theirs once authenticated
            if scope["route_handler"].opt.get("public") or PUBLIC_PATHS.match(scope["path"]):
                token = origin.set(Origin(place=place))
                try:
                    if scope["path"].rstrip("/") == LOGOUT and scope["method"] == "POST":
                        await _logging_out(app, scope, receive, send, signer)
                    else:
                        await app(scope, receive, send)
                finally:
                    serving.reset(shop)
                    origin.reset(token)
                return
            token = None
            try:
                user = await live_user(signer, cookie_of(scope, COOKIE))
                if user is None:
                    raise NotAuthorizedException()
                token = origin.set(origin_of(place, user))
                if not front.serve_known(user.shop_id):  # front.shop_id: their shop, for this request
                    await front.serve(user.shop_id)
                if (needed := scope["route_handler"].opt.get(REQUIRES)) is not None:
                    needed.check(user, scope["method"], front)
                scope["user"] = user
                scope["auth"] = None
                if (answer := scope["route_handler"].opt.get(ANSWER_AT_ONCE)) is not None and \
                        (body := await answer(scope, front)) is not None:
                    await send({"type": "http.response.start", "status": 200,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
                await app(scope, receive, send)
            finally:
                serving.reset(shop)
                if token is not None:
                    origin.reset(token)

        return middleware

    return around


async def _logging_out(app: ASGIApp, scope: Scope, receive: Receive, send: Send, signer: SessionSigner) -> None:
    """Once the logout page answers (past the CSRF check: a redirect), the person's sessions end."""
    user = await live_user(signer, cookie_of(scope, COOKIE))

    async def sending(message) -> None:
        if message["type"] == "http.response.start" and user is not None and 300 <= message["status"] < 400:
            await end_sessions(user.id)
        await send(message)

    await app(scope, receive, sending)


@dataclass(frozen=True)
class RoleNeeded:
    """Who may use a route: the staff whose role allows `role`, and at a station nothing that needs tills or stock
    (`station_refuses` names the refusal)."""

    role: Role
    allowed: frozenset[str]  # the roles that allow it
    station_refuses: ShopError | None

    def check(self, user: StaffUser, method: str, front) -> None:
        if user.role not in self.allowed:
            raise PermissionDeniedException()
        if user.role == Role.DISTRICT and method not in READS:  # the district changes nothing
            raise PermissionDeniedException()
        if self.station_refuses is not None and (shop := front.shop) is not None and shop.kind is ShopKind.STATION:
            raise DomainError(self.station_refuses, shop=shop.code)  # the logged-in person's shop, read above


REQUIRES = "requires"  # the `opt` key of a RoleNeeded
ANSWER_AT_ONCE = "answer_at_once"
"""The `opt` key of a route's answer that the middleware sends itself, as JSON with status 200, once the person may
have it: `async (scope, front) -> bytes | None`, None leaving the answer to the route's handler (the scan's)."""


def requires_role(role: Role, *, needs_tills: bool = False, needs_stock: bool = False) -> dict[str, RoleNeeded]:
    """The `opt` of a controller or of one of its handlers (the handler's wins): the logged-in person's role must
    allow `role` (managers may do a cashier's work); a district user only reads. needs_tills / needs_stock: what
    needs tills (the till, sales, returns) or stock (the catalogue, shelf, stock takes) is refused to the staff
    of a station (shop/shops.py: a station has neither; its intake goods go to the shop it feeds), naming the
    station. Checked by staff_sessions as it authenticates, not by a Litestar guard: Litestar copies the
    handler for each guard of every request, a quarter of what the till's scan cost the stack."""
    return {REQUIRES: RoleNeeded(role=role, allowed=frozenset(held.value for held in Role if held.allows(role)),
                                 station_refuses=(ShopError.STATION_HAS_NO_TILLS if needs_tills
                                                  else ShopError.STATION_HOLDS_NO_STOCK if needs_stock else None))}
