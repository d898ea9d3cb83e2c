"""Staff and access: the admin's staff page (add, deactivate or reactivate, role, password, PIN, a new staff card for
the till's cashier switch, the love-bank member a login is linked to, so their shifts count as service), and the
manager's list of failed logins and PINs (a page and GET /api/security/failures)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from lovebank.members import link_staff, links, unlink_staff
from shop.errors import DomainError
from shop.staff import (
    PIN_DIGITS, Role, StaffError, create_staff, list_staff, reset_password, set_active, set_pin, set_role,
)
from shop.throttle import recent_failures
from web.auth import requires_role
from web.i18n import N_, domain_error_message
from web.inputs import Form, Text
from web.pages import _page
from web.shopfront import Front, Shopfront, locale_of



# -- the admin's staff page -----------------------------------------------------------------------------

ROLE_WORDS = {
    Role.CASHIER: N_("Cashier"), Role.INTAKE: N_("Intake desk"), Role.COORDINATOR: N_("Love bank coordinator"),
    Role.MANAGER: N_("Shop manager"), Role.ADMIN: N_("Administrator"),
}


class NewStaffForm(Form):
    username: str = ""
    display_name: str = ""
    role: str = ""
    password: str = ""


class RoleForm(Form):
    role: str = ""


class ActiveForm(Form):
    active: str = ""  # "1": reactivate, anything else: deactivate


class PasswordForm(Form):
    password: str = ""


class PinForm(Form):
    pin: str = ""


class MemberLinkForm(Form):
    member: str = ""  # the member's number or card code; empty: unlink


def _role(value: str) -> Role:
    """A role a shop's admin may give: the district's is given from the command line (`aixin create-user`)."""
    if value not in ROLE_WORDS:
        raise DomainError(StaffError.BAD_ROLE, roles=", ".join(ROLE_WORDS))
    return Role(value)


class StaffPage(Controller):
    path = "/manager/staff"
    opt = requires_role(Role.ADMIN)
    include_in_schema = False

    @get("/")
    async def staff(self, request: Request, front: Front, card: FromQuery[Text] = "") -> Template:
        """The staff; `card`: the username whose new staff card was just sent to the printer, said so."""
        return await self._page(request, front, card=card)

    async def _page(self, request: Request, front: Shopfront, error: str = "", card: str = "") -> Template:
        return _page(request, "staff.html", staff=await list_staff(shop_id=front.shop_id), roles=ROLE_WORDS,
                     error=error, zone=front.settings.zone, pin_digits=PIN_DIGITS,
                     links=await links(shop_id=front.shop_id), card=card)

    async def _then(self, request: Request, front: Shopfront, change) -> Template | Redirect:
        try:
            await change()
        except DomainError as error:
            return await self._page(request, front, domain_error_message(locale_of(request), error))
        return Redirect("/manager/staff")

    @post("/", status_code=200)
    async def add(self, request: Request, front: Front, data: URLEncodedBody[NewStaffForm]) -> Template | Redirect:
        shop_id = front.shop_id
        return await self._then(request, front, lambda: create_staff(
            shop_id=shop_id, username=data.username, password=data.password, role=_role(data.role),
            display_name=data.display_name.strip()))

    @post("/{username:str}/active", status_code=200)
    async def active(self, request: Request, front: Front, username: FromPath[Text],
                     data: URLEncodedBody[ActiveForm]) -> Template | Redirect:
        shop_id = front.shop_id
        return await self._then(request, front, lambda: set_active(username=username, active=data.active == "1",
                                                                   shop_id=shop_id))

    @post("/{username:str}/role", status_code=200)
    async def role(self, request: Request, front: Front, username: FromPath[Text],
                   data: URLEncodedBody[RoleForm]) -> Template | Redirect:
        shop_id = front.shop_id
        return await self._then(request, front, lambda: set_role(username=username, role=_role(data.role),
                                                                 shop_id=shop_id))

    @post("/{username:str}/password", status_code=200)
    async def password(self, request: Request, front: Front, username: FromPath[Text],
                       data: URLEncodedBody[PasswordForm]) -> Template | Redirect:
        shop_id = front.shop_id
        return await self._then(request, front, lambda: reset_password(username=username, password=data.password,
                                                                       shop_id=shop_id))

    @post("/{username:str}/pin", status_code=200)
    async def pin(self, request: Request, front: Front, username: FromPath[Text],
                  data: URLEncodedBody[PinForm]) -> Template | Redirect:
        shop_id = front.shop_id
        return await self._then(request, front, lambda: set_pin(username=username, pin=data.pin, shop_id=shop_id))

    @post("/{username:str}/card", status_code=200)
    async def card(self, request: Request, front: Front, username: FromPath[Text]) -> Template | Redirect:
        """A new staff card on the receipt printer: a new badge, the card printed before no longer works."""
        try:
            await front.paper.print_staff_card(shop_id=front.shop_id, username=username)
        except DomainError as error:
            return await self._page(request, front, domain_error_message(locale_of(request), error))
        front.printing.wake()
        return Redirect("/manager/staff?" + urlencode({"card": username}))

    @post("/{username:str}/member", status_code=200)
    async def member(self, request: Request, front: Front, username: FromPath[Text],
                     data: URLEncodedBody[MemberLinkForm]) -> Template | Redirect:
        shop_id, by = front.shop_id, request.user.id
        if not data.member.strip():
            return await self._then(request, front, lambda: unlink_staff(username=username, shop_id=shop_id))
        return await self._then(request, front, lambda: link_staff(username=username, member=data.member, by=by,
                                                                   shop_id=shop_id))


# -- failed logins and PINs -------------------------------------------------------------------------------

class FailureOut(msgspec.Struct):
    at: datetime
    kind: str  # login | pin
    username: str  # typed at login; for a PIN, the person who typed it
    staff_id: int | None  # the account tried (login), or the person typing (PIN)
    display_name: str
    place: str  # the client's address


class SecurityApi(Controller):
    path = "/api/security"
    opt = requires_role(Role.MANAGER)
    tags = ["security"]

    @get("/failures", summary="The latest failed logins and PINs, newest first (who, where, when, which)")
    async def failures(self, front: Front, limit: FromQuery[int] = 200) -> list[FailureOut]:
        found = await recent_failures(shop_id=front.shop_id, limit=max(1, min(limit, 1000)))
        return [FailureOut(at=f.at, kind=f.kind, username=f.username, staff_id=f.staff_id,
                           display_name=f.display_name, place=f.place) for f in found]


class SecurityPage(Controller):
    path = "/manager/security"
    opt = requires_role(Role.MANAGER)
    include_in_schema = False

    @get("/")
    async def failures(self, request: Request, front: Front) -> Template:
        return _page(request, "security.html", failures=await recent_failures(shop_id=front.shop_id),
                     zone=front.settings.zone)
