"""The cashier switch (换人, F9): the next volunteer takes over a logged-in till with their staff card or name and
their till PIN (shop/staff.py switch_cashier), without a password. The browser's session becomes theirs: a new signed
session cookie and a new CSRF token, so what the page sends next is sent, and recorded, as them (a sale's cashier is
the logged-in person). The till session stays open: it belongs to whoever opened it. A refusal changes nothing, and
the till's lock screen stays up until a right PIN."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, post
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import JSONBody

from shop.staff import Role, switch_cashier
from web.auth import StaffUser, log_in, requires_role
from web.inputs import In
from web.shopfront import Front


class CashierIn(In):
    """Who takes over: their staff card's code as scanned, or their username as typed; and their till PIN."""

    pin: str
    username: str = ""
    badge: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if bool(self.username.strip()) == bool(self.badge.strip()):
            raise ValueError("give `username` or `badge`, one of them")


class CashierOut(msgspec.Struct):
    username: str
    display_name: str
    role: str
    csrf_token: str  # the page's token from now on (its cookie comes with this answer)


class CashierApi(Controller):
    path = "/api/till/cashier"
    opt = requires_role(Role.CASHIER, needs_tills=True)
    tags = ["till"]

    @post("/", status_code=200, summary="The next volunteer takes over the till: their badge or name, and their PIN")
    async def switch(self, request: Request, front: Front, data: JSONBody[CashierIn]) -> Response[CashierOut]:
        staff = await switch_cashier(shop_id=front.shop_id, pin=data.pin, username=data.username, badge=data.badge)
        user = StaffUser(id=staff.id, username=staff.username, display_name=staff.display_name, role=staff.role,
                         shop_id=staff.shop)
        csrf = request.app.csrf_config
        token = generate_csrf_token(secret=csrf.secret)
        response = Response(CashierOut(username=user.username, display_name=user.display_name, role=user.role,
                                       csrf_token=token))
        response.set_cookie(csrf.cookie_name, token, path=csrf.cookie_path, secure=csrf.cookie_secure,
                            httponly=csrf.cookie_httponly, samesite=csrf.cookie_samesite, domain=csrf.cookie_domain)
        return log_in(response, request.app.state.signer, user)
