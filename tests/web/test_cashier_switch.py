"""The cashier switch (换人, issue 21): the next volunteer takes over a logged-in till with their staff card or their
name, and their PIN; what is sold next is theirs. Refusals change nothing and are throttled as logins are."""

import re
import uuid

from pos.numbers import sale_id_of
from pos.tables import Sale
from shop.shops import add_shop
from shop.staff import Role, create_staff, set_active, set_pin
from shop.tables import AccessFailure, Staff
from tests.printing.escpos_decode import Barcode, decode
from web.auth import COOKIE


def sale_body(lines, cash):
    return {"till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines]}


async def who_is_at(till) -> str:
    """The name the till page's header shows: who the browser's session is."""
    page = await till.get("/till")
    return re.search(r'<span class="who">([^<]*)</span>', page.text).group(1)


async def cashier_of(sold) -> int:
    """Who the database says made the sale just answered."""
    return (await Sale.select(Sale.cashier).where(Sale.id == sale_id_of(sold.json()["number"])).first())["cashier"]


async def print_card(admin, username: str) -> str:
    """The admin's "print staff card" button; the badge it printed, read back from the printer's bytes."""
    pressed = await admin.client.post(f"/manager/staff/{username}/card", data={"_csrf_token": admin.csrf},
                                      follow_redirects=False)
    assert pressed.status_code in (302, 303) and pressed.headers["location"] == f"/manager/staff?card={username}"
    badge = (await Staff.select(Staff.badge).where(Staff.username == username).first())["badge"]
    printed = [event for path in await admin.printed("*") for event in decode(path.read_bytes()).events
               if isinstance(event, Barcode) and event.data == "{B" + badge]
    assert len(printed) == 1 and printed[0].system == 73  # CODE128, code set B: what the till's scanner reads
    return badge


async def test_a_badge_or_a_name_and_a_pin_switch_the_till_and_the_next_sale_is_the_new_cashiers(shop, goods):
    # given an admin, and a second volunteer with a till PIN and a staff card printed from the staff page
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN)
    xiaoli = await create_staff(shop_id=goods.shop_id, username="xiaoli", password="xiaoli-pw", role=Role.CASHIER,
                                display_name="小李")
    await set_pin(username="xiaoli", pin="2468")
    await set_pin(username="cashier", pin="1357")
    admin = await shop.logged_in("boss", "boss-pw-1")
    badge = await print_card(admin, "xiaoli")
    assert re.fullmatch(r"ST[0-9]{12}", badge)
    assert 'id="card-printing"' in (await admin.get("/manager/staff?card=xiaoli")).text
    till = await shop.logged_in("cashier", "cashier-pw", address="10.0.0.7")
    old_cookie, old_csrf = till.client.cookies.get(COOKIE), till.csrf

    # when the next volunteer scans their card and types their PIN at the till
    switched = await till.post("/api/till/cashier", json={"badge": badge.lower(), "pin": "2468"})

    # then the browser's session is theirs, with a new CSRF token, and what they sell is recorded as theirs
    assert switched.status_code == 200, switched.text
    assert switched.json() | {"csrf_token": ""} == {"username": "xiaoli", "display_name": "小李", "role": "cashier",
                                                      "csrf_token": ""}
    assert till.client.cookies.get(COOKIE) != old_cookie
    assert till.csrf == switched.json()["csrf_token"] != old_csrf
    assert await who_is_at(till) == "小李"
    sold = await till.post("/api/sales", json=sale_body([(goods.noodles, 1)], 2000))
    assert sold.status_code == 201, sold.text
    assert await cashier_of(sold) == xiaoli.id

    # when the first cashier comes back by name and PIN, then sells
    back = await till.post("/api/till/cashier", json={"username": " Cashier ", "pin": "1357"})
    assert back.status_code == 200, back.text
    sold_again = await till.post("/api/sales", json=sale_body([(goods.noodles, 1)], 2000))
    assert await cashier_of(sold_again) == goods.cashier_id

    # when xiaoli's card is reissued (lost): the old badge is nobody's, the new one works
    new_badge = await print_card(admin, "xiaoli")
    assert new_badge != badge
    old = await till.post("/api/till/cashier", json={"badge": badge, "pin": "2468"})
    assert old.status_code == 404 and old.json()["code"] == "unknown-cashier" and badge in old.json()["detail"]
    assert await who_is_at(till) == "小张"
    assert (await till.post("/api/till/cashier", json={"badge": new_badge, "pin": "2468"})).status_code == 200
    # neither a name nor a badge, or both: a malformed request
    for body in ({"pin": "2468"}, {"username": "xiaoli", "badge": new_badge, "pin": "2468"}):
        assert (await till.post("/api/till/cashier", json=body)).status_code == 400


async def test_refusals_change_nothing_are_said_in_chinese_and_five_make_even_the_right_pin_wait(shop, goods):
    # given xiaoli with a PIN, a deactivated volunteer with one, someone of another shop with one, and one without
    await create_staff(shop_id=goods.shop_id, username="xiaoli", password="xiaoli-pw", role=Role.CASHIER,
                       display_name="小李")
    await set_pin(username="xiaoli", pin="2468")
    await create_staff(shop_id=goods.shop_id, username="laozhou", password="laozhou-pw", role=Role.CASHIER)
    await set_pin(username="laozhou", pin="9753")
    await set_active(username="laozhou", active=False)
    await create_staff(shop_id=goods.shop_id, username="xiaozhao", password="xiaozhao-pw", role=Role.CASHIER)
    north = await add_shop(code="north", name="北街爱心超市")
    await create_staff(shop_id=north.id, username="beijie", password="beijie-pw", role=Role.CASHIER)
    await set_pin(username="beijie", pin="8642")
    till = await shop.logged_in("cashier", "cashier-pw", address="10.0.0.7")
    cookie = till.client.cookies.get(COOKIE)

    # when each is tried at the till
    tries = [({"badge": "ST000000000001", "pin": "2468"}, 404, "unknown-cashier", "工作证"),
             ({"username": "beijie", "pin": "8642"}, 404, "unknown-cashier", "beijie"),  # as if nobody
             ({"username": "laozhou", "pin": "9753"}, 403, "cashier-inactive", "停用"),
             ({"username": "xiaozhao", "pin": "1111"}, 409, "no-cashier-pin", "PIN"),
             ({"username": "xiaoli", "pin": "0000"}, 403, "wrong-cashier-pin", "小李 的 PIN 码不对")]
    for body, status, code, said in tries:
        answer = await till.post("/api/till/cashier", json=body)
        # then each is refused in Chinese, as problem+json, and the till stays the first cashier's
        assert answer.status_code == status and answer.json()["code"] == code, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json") and said in answer.json()["detail"]
        assert till.client.cookies.get(COOKIE) == cookie
    assert await who_is_at(till) == "小张"
    assert await AccessFailure.count().where(AccessFailure.kind == "pin") == 5

    # when five failures have been counted at this till: even xiaoli's right PIN waits
    waiting = await till.post("/api/till/cashier", json={"username": "xiaoli", "pin": "2468"})
    assert waiting.status_code == 429 and waiting.json()["code"] == "too-many-tries"
    assert till.client.cookies.get(COOKIE) == cookie

    # when wrong PINs for xiaoli come from another till, up to five for her name: her right PIN waits there too
    other = await shop.logged_in("manager", "manager-pw", address="10.0.0.8")
    for wrong in ("1111", "2222", "3333", "4444"):
        assert (await other.post("/api/till/cashier", json={"username": "xiaoli", "pin": wrong})).status_code == 403
    late = await other.post("/api/till/cashier", json={"username": "xiaoli", "pin": "2468"})
    assert late.status_code == 429
    assert await who_is_at(other) == "陈姐"
