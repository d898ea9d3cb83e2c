"""The role matrix, over every route of the app: who may do what is written here once, as the shop's people
divide the work (PRODUCT.md), and every route is tried by every role over HTTP. A new route that is not in
the matrix fails the first test until its rule is written down."""

from __future__ import annotations

import re

import pytest

from shop.staff import Role, create_staff
from web.auth import REQUIRES

PUBLIC = "public"
# Who may use a route, by its first path segments (the longest match wins); ROUTES below for the exceptions.
PREFIXES = {
    "/": PUBLIC, "/login": PUBLIC, "/lang": PUBLIC, "/static": PUBLIC, "/schema": PUBLIC, "/favicon.ico": PUBLIC,
    "/till": Role.CASHIER, "/sales": Role.CASHIER, "/api/till": Role.CASHIER, "/api/sales": Role.CASHIER,
    "/api/parked": Role.CASHIER, "/api/returns": Role.CASHIER, "/api/tills": Role.CASHIER,
    "/api/printing": Role.MANAGER,
    "/intake": Role.INTAKE, "/api/intake": Role.INTAKE, "/api/donors": Role.INTAKE, "/api/donations": Role.INTAKE,
    "/api/makers": Role.INTAKE, "/api/labels": Role.INTAKE,
    "/lovebank": Role.COORDINATOR, "/api/lovebank": Role.COORDINATOR,
    "/wishes": Role.COORDINATOR, "/api/wishes": Role.COORDINATOR,
    "/manager": Role.MANAGER, "/api/catalogue": Role.MANAGER, "/api/fund": Role.MANAGER,
    "/api/payout-runs": Role.MANAGER, "/api/printers": Role.MANAGER, "/api/reports": Role.MANAGER,
    "/api/security": Role.MANAGER, "/api/shelf": Role.MANAGER, "/api/stocktakes": Role.MANAGER,
    "/api/transfers": Role.MANAGER,
    "/api/health": Role.MANAGER, "/api/offline": Role.MANAGER,
    "/manager/staff": Role.ADMIN,
    "/api/district": Role.DISTRICT,  # every shop's figures: the district's alone, read only
    "/district": Role.DISTRICT,  # the district's page of those figures
    "/notice": PUBLIC, "/api/notice": PUBLIC,  # the fund's public notice (issue 23): [notice] public decides
}
# The exceptions: a manager's act on another desk's screen (a person's data, a maker's money, a price), and
# the till's own view of its printer.
ROUTES = {
    ("GET", "/api/printing/health"): Role.CASHIER,
    ("GET", "/api/tills/{code:str}/sessions"): Role.MANAGER,
    ("GET", "/api/donors/{donor_id:int}/export"): Role.MANAGER,
    ("POST", "/api/donors/{donor_id:int}/erase"): Role.MANAGER,
    ("POST", "/intake/donors/{donor_id:int}/erase"): Role.MANAGER,
    ("GET", "/api/lovebank/members/{member_id:int}/export"): Role.MANAGER,
    ("POST", "/api/lovebank/members/{member_id:int}/erase"): Role.MANAGER,
    ("POST", "/lovebank/members/{member_id:int}/erase"): Role.MANAGER,
    ("POST", "/api/makers/{maker_id:int}/payouts"): Role.MANAGER,
    ("PUT", "/api/makers/{maker_id:int}/terms"): Role.MANAGER,
    ("POST", "/intake/makers/{maker_id:int}/payouts"): Role.MANAGER,
    ("POST", "/intake/makers/{maker_id:int}/terms"): Role.MANAGER,
    ("PUT", "/api/intake/categories/{code:str}/prices"): Role.MANAGER,
    # issue 20, written out though their prefixes say the same: the admin links a login to a member; the intake
    # volunteer's own shift; a coordinator edits a member's details and reissues a lost card
    ("POST", "/manager/staff/{username:str}/member"): Role.ADMIN,
    ("POST", "/api/intake/shift/open"): Role.INTAKE,
    ("POST", "/api/intake/shift/close"): Role.INTAKE,
    ("PUT", "/api/lovebank/members/{member_id:int}"): Role.COORDINATOR,
    ("POST", "/api/lovebank/members/{member_id:int}/reissue-card"): Role.COORDINATOR,
    # issue 21, written out though their prefixes say the same: the cashier switch at a till (anyone of the till),
    # and the admin prints a staff card
    ("POST", "/api/till/cashier"): Role.CASHIER,
    ("POST", "/manager/staff/{username:str}/card"): Role.ADMIN,
    # issue 23: the public notice's short version on the till printer is the manager's to print
    ("POST", "/api/notice/print"): Role.MANAGER,
}
ROLES = [Role.CASHIER, Role.INTAKE, Role.COORDINATOR, Role.MANAGER, Role.ADMIN, Role.DISTRICT]


def rule_of(method: str, path: str) -> str | Role:
    if (method, path) in ROUTES:
        return ROUTES[(method, path)]
    prefix = max((p for p in PREFIXES if path == p or path.startswith(p.rstrip("/") + "/") or p == "/"),
                 key=len)
    return PREFIXES[prefix]


def routes(app) -> list[tuple[str, str]]:
    """Every (method, path) a person can call; Litestar's own OPTIONS and HEAD answers aside."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in getattr(handler, "http_methods", ()):
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, route.path))
    return sorted(found)


def may(role: Role, rule: str | Role) -> bool:
    return rule == PUBLIC or role.allows(rule)


def concrete(path: str) -> str:
    """A path to call: ids 1, codes that look like the shop's (T1, S00000001…)."""
    def value(match: re.Match) -> str:
        name, kind = match.group(1), match.group(2)
        if kind == "int":
            return "1"
        return {"code": "T1", "number": "S00000001", "barcode": "6901234500011", "locale": "en"}.get(name, "x")
    return re.sub(r"\{(\w+):(\w+)\}", value, path)


PASSWORDS = {Role.CASHIER: "cashier-pw", Role.MANAGER: "manager-pw"}  # the goods fixture's; the others below


@pytest.fixture
async def everyone(shop, goods):
    """The shop with one member of staff of each role logged in, and a visitor who is not."""
    for role in (Role.INTAKE, Role.COORDINATOR, Role.ADMIN, Role.DISTRICT):
        await create_staff(shop_id=goods.shop_id, username=role.value, password=f"{role.value}-pw-1", role=role)
    visitor = await shop.browser()
    await visitor.client.get("/login")  # a CSRF cookie, as a browser gets with any page
    tills = {None: visitor}
    for role in ROLES:
        tills[role] = await shop.logged_in(role.value, PASSWORDS.get(role, f"{role.value}-pw-1"))
    return tills


async def test_every_route_has_a_rule_and_its_requirement_says_the_same(shop):
    app = shop.app
    for method, path in routes(app):
        rule = rule_of(method, path)
        handler = next(h for r in app.routes if r.path == path for h in getattr(r, "route_handlers", [])
                       if method in getattr(h, "http_methods", ()))
        needed = handler.opt.get(REQUIRES)  # web/auth.py: checked as the person is authenticated
        assert not handler.resolve_guards(), (method, path)  # one way of saying who may: the requirement
        if rule == PUBLIC:
            assert needed is None, (method, path, needed)
        else:
            assert needed is not None and needed.role is rule, (method, path, rule, needed)


def refused(response, role: Role | None) -> bool:
    if role is None:  # not logged in: the login page for a page, 401 for the API
        return response.status_code == 401 or (response.status_code in (302, 303)
                                                and response.headers["location"].startswith("/login"))
    return response.status_code == 403 and response.headers.get("content-type", "").startswith(
        "application/problem+json") and response.json()["code"] == "forbidden"


async def test_every_role_on_every_route_gets_what_the_matrix_says(shop, everyone):
    tried = 0
    for role, till in everyone.items():
        for method, path in routes(shop.app):
            rule = rule_of(method, path)
            if rule == PUBLIC:
                continue
            url = concrete(path)
            response = await till.client.request(method, url, headers={"x-csrftoken": till.csrf},
                                                 json={} if method in ("POST", "PUT", "DELETE") else None,
                                                 follow_redirects=False)
            tried += 1
            expected_refused = role is None or not may(role, rule)
            assert refused(response, role) == expected_refused, (
                role, method, url, rule, response.status_code, response.text[:200])
    assert tried > 500  # every guarded route, by seven kinds of visitor
