"""Shifts that count, over real HTTP (issue 20): the admin links a login to a member on the staff page (and with
`aixin staff link`); an intake volunteer opens and closes their shift from the intake page's API, and a till closed
over HTTP, each leaving a pending 店内值班 record in the linked member's passbook; refusals are problem+json in
Chinese."""

import asyncio
import os
from datetime import UTC, datetime, timedelta

from lovebank import members, passbook
from shop.database import run
from shop.staff import Role, create_staff
from tests.tampering import triggers_off
from tests.cli import run_cli

LINKED = "已关联"


async def test_the_admin_links_and_unlinks_a_login_on_the_staff_page(shop, goods):
    # given an admin and two members, one of them closed
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN,
                       display_name="老李")
    li = await passbook.open_member(shop_id=goods.shop_id, name="李阿姨")
    gone = await passbook.open_member(shop_id=goods.shop_id, name="王叔叔")
    await passbook.close_member(shop_id=goods.shop_id, member_id=gone.id, staff_id=goods.manager_id)
    admin = await shop.logged_in("boss", "boss-pw-1")

    async def link(username: str, member: str):
        return await admin.client.post(f"/manager/staff/{username}/member",
                                       data={"member": member, "_csrf_token": admin.csrf})

    # when the admin links the cashier's login to 李阿姨 by her number
    done = await link("cashier", li.number.lower())
    assert done.status_code in (302, 303), done.text
    # then the staff page shows the link, and the cashier's shifts go to her
    page = (await admin.get("/manager/staff")).text
    assert f"{li.number} 李阿姨" in page
    assert await members.member_of_staff(staff_id=goods.cashier_id) == li.id
    # refused, in Chinese on the page: the member linked to another login, a closed member
    taken = await link("manager", li.number)
    assert taken.status_code == 200 and LINKED in taken.text and "cashier" in taken.text
    closed = await link("manager", gone.number)
    assert closed.status_code == 200 and 'role="alert"' in closed.text and gone.number in closed.text
    # when the admin unlinks it (the field left empty)
    assert (await link("cashier", "")).status_code in (302, 303)
    assert await members.member_of_staff(staff_id=goods.cashier_id) is None
    # and only an admin may: a manager is refused
    manager = await shop.logged_in("manager", "manager-pw")
    refused = await manager.post("/manager/staff/cashier/member", json={"member": li.number})
    assert refused.status_code == 403


async def test_an_intake_shift_and_a_till_closed_over_http_wait_in_the_linked_passbooks(shop, goods, db, settings):
    # given an intake volunteer linked to 王叔叔, the cashier to 李阿姨
    await create_staff(shop_id=goods.shop_id, username="desk", password="desk-pw-1", role=Role.INTAKE,
                       display_name="小王")
    wang = await passbook.open_member(shop_id=goods.shop_id, name="王叔叔")
    li = await passbook.open_member(shop_id=goods.shop_id, name="李阿姨")
    await members.link_staff(username="desk", member=wang.number, by=goods.manager_id)
    await members.link_staff(username="cashier", member=li.number, by=goods.manager_id)
    desk = await shop.logged_in("desk", "desk-pw-1")
    # the intake page has the shift button
    assert 'id="shift-button"' in (await desk.get("/intake")).text
    assert (await desk.get("/api/intake/shift")).json() is None
    # when the volunteer opens their shift
    opened = await desk.post("/api/intake/shift/open")
    assert opened.status_code == 201, opened.text
    assert (await desk.get("/api/intake/shift")).json()["id"] == opened.json()["id"]
    # opening again: refused, problem+json in Chinese
    again = await desk.post("/api/intake/shift/open")
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert (again.json()["code"], again.json()["detail"]) == ("intake-shift-open", "您在捐赠登记台的班次已经开始了。")
    # when the shift began 2 h 10 min ago and they close it
    await run(db, "UPDATE intake_shift SET opened_at = $1", datetime.now(UTC) - timedelta(hours=2, minutes=10))
    closed = await desk.post("/api/intake/shift/close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["hours"] == "2.0" and closed.json()["service_id"]
    # closing again: refused in Chinese
    none = await desk.post("/api/intake/shift/close")
    assert none.status_code == 409 and none.json()["detail"] == "您在捐赠登记台没有进行中的班次：请先开始班次。"
    # when T1, opened by the cashier, is closed over HTTP 3 h 40 min on, by the manager
    async with triggers_off(db, "till_session"):  # its opening time is kept as it was: moved back by hand here
        await run(db, "UPDATE till_session SET opened_at = $1 WHERE id = $2",
                  datetime.now(UTC) - timedelta(hours=3, minutes=40), goods.session_id)
    manager = await shop.logged_in("manager", "manager-pw")
    z = await manager.post("/api/tills/T1/session/close", json={"counted_fen": 0})
    assert z.status_code == 201, z.text
    # then both wait for approval: 2 h for 王叔叔 at the intake desk, 3.5 h for 李阿姨 at T1, witnessed by the closer
    waiting = {(r.member_id, r.half_hours, r.witness, r.place, r.service_type)
               for r in await passbook.pending_service(shop_id=goods.shop_id)}
    assert waiting == {(wang.id, 4, "小王", f"{settings.shop.name} 捐赠登记台", "shop-duty"),
                       (li.id, 7, "陈姐", f"{settings.shop.name} T1", "shop-duty")}


async def test_aixin_staff_link_links_a_login_from_a_terminal(goods, settings):
    # given member 李阿姨
    li = await passbook.open_member(shop_id=goods.shop_id, name="李阿姨")
    # when the admin links the cashier's login from a terminal
    environ = {**os.environ, "AIXIN_CONFIG": os.environ["AIXIN_CONFIG"], "AIXIN_DATABASE_URL": settings.database.url,
               "AIXIN_SERVER_DATA_DIR": str(settings.server.data_dir), "AIXIN_PRINTER_PATH": settings.printer.path}
    done = await asyncio.to_thread(run_cli, ["staff", "link", "cashier", "--member", li.number], environ)  # tests/cli.py
    # then it is linked, and says so
    assert done.returncode == 0, done.stderr
    assert li.number in done.stdout
    assert await members.member_of_staff(staff_id=goods.cashier_id) == li.id
