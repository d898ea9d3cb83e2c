"""Access that holds: throttled PINs and logins, the void that tells nothing, sessions that end, the staff page."""

import re
import uuid

import pytest

from shop.staff import Role, create_staff, set_pin
from shop.tables import AccessFailure
from tests.web.conftest import Till
from web.auth import COOKIE


def sale_body(lines, cash, till="T1"):
    return {"till": till, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines]}


async def copy_of(till: Till, shop) -> Till:
    """Another browser holding a copy of `till`'s session cookie (and its CSRF cookie)."""
    thief = await shop.browser("10.9.9.9")
    thief.client.cookies.set(COOKIE, till.client.cookies.get(COOKIE))
    return thief


# -- a manager's PIN ----------------------------------------------------------------------------------------

async def test_a_wrong_pin_says_the_same_for_a_real_and_an_unknown_sale_and_five_make_even_the_right_pin_wait(
        shop, goods):
    # given a cashier at the till, a sale of theirs, and a manager's PIN
    await set_pin(username="manager", pin="24680")
    cashier = await shop.logged_in("cashier", "cashier-pw", address="10.0.0.7")
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.noodles, 2)], 2500))).json()
    real = {"till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex}
    unknown = {"till": "T1", "sale": "S-T1-20261206-9999", "idempotency_key": uuid.uuid4().hex}

    # when a wrong PIN voids a real sale, then a sale that does not exist
    on_real = await cashier.post("/api/returns/void", json={**real, "manager_pin": "1111"})
    on_unknown = await cashier.post("/api/returns/void", json={**unknown, "manager_pin": "2222"})

    # then both answers are the same
    assert on_real.status_code == on_unknown.status_code == 403
    assert on_real.json() == on_unknown.json() and on_real.json()["code"] == "bad-pin"

    # when three more wrong PINs are typed, the right one waits, in the person's language
    for wrong in ("3333", "4444", "5555"):
        assert (await cashier.post("/api/returns/void", json={**real, "manager_pin": wrong})).status_code == 403
    refused = await cashier.post("/api/returns/void", json={**real, "manager_pin": "24680"})
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "too-many-tries" and 25 <= problem["params"]["seconds"] <= 30
    assert f"{problem['params']['seconds']} 秒" in problem["detail"]
    cashier.client.cookies.set("lang", "en")
    english = await cashier.post("/api/returns/void", json={**unknown, "manager_pin": "24680"})
    assert english.status_code == 429 and "seconds, then try again" in english.json()["detail"]
    # a sale's PIN waits as well: the wait is the person's and the till's, whatever the PIN is for
    discounted = sale_body([(goods.coat, 1)], 5000)
    discounted["lines"][0]["discount_percent"] = 50
    discounted["manager_pin"] = "24680"
    assert (await cashier.post("/api/sales", json=discounted)).status_code == 429

    # then nothing was voided, and each wrong PIN is logged: who typed it, where, when
    sold = await cashier.get(f"/api/returns/sales/{sale['number']}")
    assert sold.json()["returned_fen"] == 0
    manager = await shop.logged_in("manager", "manager-pw")
    failures = (await manager.get("/api/security/failures")).json()
    assert [(f["kind"], f["username"], f["staff_id"], f["place"]) for f in failures] == \
        [("pin", "cashier", goods.cashier_id, "10.0.0.7")] * 5
    page = await manager.get("/manager/security")
    assert page.status_code == 200 and page.text.count("10.0.0.7") == 5
    assert (await cashier.get("/api/security/failures")).status_code == 403


# -- logins ------------------------------------------------------------------------------------------------------

async def test_five_wrong_passwords_make_the_username_wait_from_anywhere_and_are_logged(shop, goods):
    # when five wrong passwords are typed for the manager, from two tills
    for i in range(5):
        till = await shop.browser(f"10.0.0.{1 + i % 2}")
        failed = await till.login("manager", f"guess-{i}")
        assert failed.status_code == 200 and "用户名或密码错误" in failed.text and COOKIE not in till.client.cookies
    # then the right password waits, from a third place too, and the page says how long
    third = await shop.browser("10.0.0.3")
    refused = await third.login("manager", "manager-pw")
    assert refused.status_code == 429 and COOKIE not in third.client.cookies
    assert 20 <= int(re.search(r"等 (\d+) 秒", refused.text).group(1)) <= 30
    # others log in as usual
    assert (await (await shop.browser("10.0.0.1")).login("cashier", "cashier-pw")).status_code in (302, 303)
    rows = await AccessFailure.select(AccessFailure.kind, AccessFailure.staff, AccessFailure.username,
                                      AccessFailure.place).order_by(AccessFailure.id)
    assert rows == [{"kind": "login", "staff": goods.manager_id, "username": "manager",
                     "place": f"10.0.0.{1 + i % 2}"} for i in range(5)]


async def test_five_wrong_logins_from_one_address_make_it_wait_whoever_is_tried(shop, goods):
    # when one address tries five usernames
    guesser = await shop.browser("192.168.1.66")
    for name in ("admin", "root", "boss", "laoli", "manager"):
        assert COOKIE not in (await guesser.login(name, "123456")).cookies
    # then even a right password waits there, but not at another address
    assert (await guesser.login("cashier", "cashier-pw")).status_code == 429
    assert COOKIE not in guesser.client.cookies
    assert (await (await shop.browser("192.168.1.67")).login("cashier", "cashier-pw")).status_code in (302, 303)
    assert await AccessFailure.count().where(AccessFailure.place == "192.168.1.66") == 5


# -- sessions that end -------------------------------------------------------------------------------------------

async def test_a_copied_cookie_is_refused_after_logout(shop, goods):
    # given a cashier's session, and a copy of its cookie
    cashier = await shop.logged_in("cashier", "cashier-pw")
    copy = await copy_of(cashier, shop)
    assert (await copy.get("/api/till/tills")).status_code == 200
    # when the cashier logs out
    assert (await cashier.post("/login/out", follow_redirects=False)).status_code in (302, 303)
    # then the copy no longer works (an API answers 401, a page sends to the login)
    assert (await copy.get("/api/till/tills")).status_code == 401
    assert (await copy.get("/till", follow_redirects=False)).headers["location"].startswith("/login")
    # and logging in again works
    again = await shop.logged_in("cashier", "cashier-pw")
    assert (await again.get("/api/till/tills")).status_code == 200


async def test_logging_out_without_the_csrf_token_ends_nothing(shop, goods):
    cashier = await shop.logged_in("cashier", "cashier-pw")
    forged = await cashier.client.post("/login/out", follow_redirects=False)  # no x-csrftoken header
    assert forged.status_code == 403
    assert (await cashier.get("/api/till/tills")).status_code == 200


@pytest.mark.parametrize("change", ["deactivate", "role", "password"])
async def test_a_copied_cookie_is_refused_after_the_admin_changes_the_person(shop, goods, change):
    # given an admin, a manager's session and a copy of it
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN)
    admin = await shop.logged_in("boss", "boss-pw-1")
    manager = await shop.logged_in("manager", "manager-pw")
    copy = await copy_of(manager, shop)
    assert (await copy.get("/api/reports/sales")).status_code == 200
    # when the admin changes them on the staff page
    form = {"deactivate": ("active", {"active": "0"}), "role": ("role", {"role": "cashier"}),
            "password": ("password", {"password": "a-new-password"})}[change]
    done = await admin.client.post(f"/manager/staff/manager/{form[0]}", data={**form[1], "_csrf_token": admin.csrf},
                                   follow_redirects=False)
    assert done.status_code in (302, 303), done.text
    # then the next request of either copy is refused at once
    assert (await copy.get("/api/reports/sales")).status_code == 401
    assert (await manager.get("/api/reports/sales")).status_code == 401
    # and the admin's own session holds
    assert (await admin.get("/manager/staff")).status_code == 200


async def test_a_change_made_elsewhere_is_seen_within_two_seconds(shop, goods, monkeypatch):
    """Another server process (or `aixin staff`) changes the database: this process reads it again once what it
    remembers is SESSION_CHECK_SECONDS old. Here the change bypasses this process's memory."""
    import shop.staff as staff
    from shop.tables import Staff

    monkeypatch.setattr(staff, "SESSION_CHECK_SECONDS", 60.0)  # a slow test machine stays within it
    cashier = await shop.logged_in("cashier", "cashier-pw")
    assert (await cashier.get("/api/till/tills")).status_code == 200
    await Staff.update({Staff.active: False}).where(Staff.id == goods.cashier_id)  # as another process would
    assert (await cashier.get("/api/till/tills")).status_code == 200  # remembered for a while
    monkeypatch.setattr(staff, "SESSION_CHECK_SECONDS", 0.0)  # as if that while had passed
    assert (await cashier.get("/api/till/tills")).status_code == 401


async def test_a_cookie_seen_before_is_refused_once_its_shift_is_over_and_a_forged_one_never_passes(
        shop, goods, monkeypatch):
    """A cookie's signature is checked once, then the cookie is remembered (web/auth.py): the shift's end and a
    forged signature are still refused."""
    import time

    from web.auth import COOKIE, SHIFT_SECONDS

    cashier = await shop.logged_in("cashier", "cashier-pw")
    assert (await cashier.get("/api/till/tills")).status_code == 200  # seen, and remembered
    forged = await copy_of(cashier, shop)
    forged.client.cookies.set(COOKIE, cashier.client.cookies.get(COOKIE)[:-2] + "xx")
    assert (await forged.get("/api/till/tills")).status_code == 401
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + SHIFT_SECONDS + 5)  # the shift it was signed for is over
    assert (await cashier.get("/api/till/tills")).status_code == 401
    monkeypatch.undo()
    again = await shop.logged_in("cashier", "cashier-pw")
    assert (await again.get("/api/till/tills")).status_code == 200


# -- the staff page ----------------------------------------------------------------------------------------------

async def test_only_an_admin_has_the_staff_page(shop, goods):
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN)
    assert (await (await shop.browser()).get("/manager/staff", follow_redirects=False)).status_code in (302, 303)
    for who, password in (("cashier", "cashier-pw"), ("manager", "manager-pw")):
        till = await shop.logged_in(who, password)
        assert (await till.get("/manager/staff")).status_code == 403
        posted = await till.client.post("/manager/staff/cashier/active", data={"active": "0",
                                                                             "_csrf_token": till.csrf})
        assert posted.status_code == 403
    admin = await shop.logged_in("boss", "boss-pw-1")
    page = await admin.get("/manager/staff")
    assert page.status_code == 200 and 'id="staff-cashier"' in page.text and "陈姐" in page.text


async def test_the_admin_adds_staff_sets_a_pin_reactivates_and_is_told_what_went_wrong(shop, goods):
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN)
    admin = await shop.logged_in("boss", "boss-pw-1")

    async def send(path: str, **form):
        return await admin.client.post(f"/manager/staff{path}", data={**form, "_csrf_token": admin.csrf},
                                       follow_redirects=False)

    added = await send("", username="xiaoli", display_name="小李", role="intake", password="xiaoli-pw")
    assert added.status_code == 302
    assert (await (await shop.browser()).login("xiaoli", "xiaoli-pw")).status_code in (302, 303)
    assert (await send("/manager/pin", pin="135790")).status_code == 302
    short = await send("/manager/pin", pin="12")
    assert short.status_code == 200 and "PIN 是 4 到 12 位数字" in short.text
    last = await send("/boss/role", role="manager")
    assert last.status_code == 200 and "boss 是最后一位管理员" in last.text
    bad_role = await send("/cashier/role", role="owner")
    assert bad_role.status_code == 200 and "请选择一个角色" in bad_role.text
    assert (await send("/cashier/active", active="0")).status_code == 302
    assert (await (await shop.browser()).login("cashier", "cashier-pw")).status_code == 200  # refused
    assert (await send("/cashier/active", active="1")).status_code == 302
    assert (await (await shop.browser()).login("cashier", "cashier-pw")).status_code in (302, 303)
