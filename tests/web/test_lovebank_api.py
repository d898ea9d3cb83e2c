"""The love bank over real HTTP: members, service approved by another coordinator, gifts under concurrency,
corrections, and the statement and member card printed on the receipt printer (bytes decoded)."""

import asyncio
from datetime import date, timedelta

import pytest

from donations.tables import PointsGift, ServiceRecord
from shop.staff import Role, create_staff
from tests.printing.escpos_decode import Barcode, decode
from tests.web.conftest import Till

SERVICE = {"served_on": (date.today() - timedelta(days=3)).isoformat(), "start_time": "09:00", "place": "幸福社区 3 号楼", "content": "陪独居老人聊天",
           "service_type": "elder-care", "half_hours": 4, "witness": "楼长 陈师傅"}


@pytest.fixture
async def desk(browser, goods):
    """A coordinator, logged in; a second coordinator exists to approve what the first enters."""
    for username, name in (("coord", "刘老师"), ("coord2", "赵老师")):
        await create_staff(shop_id=goods.shop_id, username=username, password=f"{username}-pw",
                           role=Role.COORDINATOR, display_name=name)
    response = await browser.login("coord", "coord-pw")
    assert response.status_code in (302, 303) and response.headers["location"] == "/lovebank"
    return browser


async def as_other(desk: Till, username: str) -> None:
    response = await desk.login(username, f"{username}-pw")
    assert response.status_code in (302, 303), response.text


async def open_member(desk: Till, name="李阿姨", phone="13812345678") -> dict:
    response = await desk.post("/api/lovebank/members", json={"name": name, "phone": phone})
    assert response.status_code == 201, response.text
    return response.json()


async def earned(desk: Till, member: dict, half_hours: int) -> dict:
    """Service entered by coord and approved by coord2; desk is left logged in as coord2."""
    entered = await desk.post("/api/lovebank/service", json={**SERVICE, "member_id": member["id"],
                                                              "half_hours": half_hours})
    assert entered.status_code == 201, entered.text
    await as_other(desk, "coord2")
    approved = await desk.post(f"/api/lovebank/service/{entered.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_a_member_is_opened_with_a_card_and_the_phone_masked_except_for_a_manager(desk):
    member = await open_member(desk)
    assert member["number"] == f"M{member['id']:06d}" and member["card_code"].startswith("LB")
    assert (member["phone"], member["points"], member["hours"], member["status"]) == ("138****5678", 0, "0.0", "open")
    found = (await desk.get("/api/lovebank/members", params={"q": "5678"})).json()
    assert [m["number"] for m in found] == [member["number"]]
    await desk.login("manager", "manager-pw")
    assert (await desk.get(f"/api/lovebank/members/{member['id']}")).json()["phone"] == "13812345678"


async def test_the_one_who_entered_a_service_cannot_approve_it_another_coordinator_can(desk):
    # given
    member = await open_member(desk)
    entered = (await desk.post("/api/lovebank/service", json={**SERVICE, "member_id": member["id"],
                                                               "half_hours": 3})).json()
    assert entered["status"] == "pending"

    # when: the same coordinator tries
    refused = await desk.post(f"/api/lovebank/service/{entered['id']}/approve")

    # then: a clear refusal in Chinese, nothing issued
    assert refused.status_code == 403
    assert refused.json()["code"] == "own-service" and "另一位" in refused.json()["detail"]
    assert (await desk.get(f"/api/lovebank/members/{member['id']}")).json()["points"] == 0

    # when: another coordinator approves
    await as_other(desk, "coord2")
    assert [r["id"] for r in (await desk.get("/api/lovebank/approvals")).json()] == [entered["id"]]
    approved = await desk.post(f"/api/lovebank/service/{entered['id']}/approve")

    # then: 1.5 h of elder care at 10 points an hour
    assert approved.status_code == 200 and approved.json()["points"] == 15
    shown = (await desk.get(f"/api/lovebank/members/{member['id']}")).json()
    assert (shown["points"], shown["hours"]) == (15, "1.5")
    again = await desk.post(f"/api/lovebank/service/{entered['id']}/approve")
    assert (again.status_code, again.json()["code"]) == (409, "already-decided")


async def test_a_cashier_may_not_use_the_love_bank(browser):
    await browser.login("cashier", "cashier-pw")
    assert (await browser.get("/api/lovebank/approvals")).status_code == 403
    assert (await browser.post("/api/lovebank/members", json={"name": "李"})).status_code == 403


async def test_twenty_gifts_of_thirty_at_once_from_a_hundred_points_three_succeed_the_rest_get_409(desk):
    # given: 100 points
    giver = await open_member(desk)
    receiver = await open_member(desk, name="王叔叔", phone="")
    await earned(desk, giver, 20)

    # when: 20 requests at once
    responses = await asyncio.gather(*(desk.post("/api/lovebank/donations", json={
        "from_member_id": giver["id"], "to_member_id": receiver["id"] if n % 2 else None, "points": 30})
        for n in range(20)))

    # then
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 3 + [409] * 17
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {r["code"] for r in refused} == {"not-enough-points"}
    assert all("积分不足" in r["detail"] for r in refused)
    assert (await desk.get(f"/api/lovebank/members/{giver['id']}")).json()["points"] == 10
    assert await PointsGift.count() == 3
    fund = (await desk.get("/api/lovebank/fund")).json()["points"]
    assert fund + (await desk.get(f"/api/lovebank/members/{receiver['id']}")).json()["points"] == 90


async def test_the_statement_shows_each_entry_with_its_running_balance_and_prints_in_chinese(desk, goods):
    # given: 20 points earned, 5 given to the fund, a second service reversed
    member = await open_member(desk)
    await earned(desk, member, 4)
    gift = await desk.post("/api/lovebank/donations", json={"from_member_id": member["id"], "points": 5})
    assert gift.status_code == 201
    await as_other(desk, "coord")
    second = await earned(desk, member, 2)
    reversed_ = await desk.post(f"/api/lovebank/service/{second['id']}/reverse", json={"reason": "重复录入"})
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"

    # when
    statement = (await desk.get(f"/api/lovebank/members/{member['id']}/statement")).json()

    # then
    assert [(l["description"], l["hours"], l["points"], l["balance"], l["cumulative_hours"])
            for l in statement["lines"]] == [
        ("助老：陪独居老人聊天", "2.0", 20, 20, "2.0"),
        ("捐给社区基金", None, -5, 15, "2.0"),
        ("助老：陪独居老人聊天", "1.0", 10, 25, "3.0"),
        ("更正：重复录入", "-1.0", -10, 15, "2.0"),
    ]
    assert (statement["closing_balance"], statement["cumulative_hours"]) == (15, "2.0")

    # when: printed on the receipt printer
    job = await desk.post(f"/api/lovebank/members/{member['id']}/statement/print")
    assert job.status_code == 202
    files = await desk.printed(f"*passbook_statement-{member['number']}*")
    assert len(files) == 1

    # then: the bytes decode to the statement, in Chinese, with the running balance
    texts = [t.rstrip() for t in decode(files[0].read_bytes()).texts]
    assert "爱心存折" in [t.strip() for t in texts]
    assert any(t.startswith("储户号") and t.endswith(member["number"]) for t in texts)
    assert any(t.startswith("姓名") and t.endswith("李阿姨") for t in texts)
    rows = [t for t in texts if t[:4].isdigit() and "-" in t[:10]]
    assert [r.split()[-3:] for r in rows] == [["+20", "20", "2.0"], ["-5", "15", "2.0"], ["+10", "25", "3.0"],
                                            ["-10", "15", "2.0"]]
    assert texts[-1].startswith("期末余额") and texts[-1].endswith("15")
    preview = (await desk.get(f"/api/lovebank/members/{member['id']}/statement/preview")).json()
    assert [p.strip() for p in preview if p.strip()][-1] == texts[-1].strip()


async def test_the_member_card_prints_its_code_as_a_barcode(desk):
    member = await open_member(desk)
    job = await desk.post(f"/api/lovebank/members/{member['id']}/card/print")
    assert job.status_code == 202
    files = await desk.printed(f"*member_card-{member['number']}*")
    printout = decode(files[0].read_bytes())
    assert [e.data for e in printout.events if isinstance(e, Barcode)] == ["{B" + member["card_code"]]
    assert any("爱心储户卡" in t for t in printout.texts)
    assert any(t.startswith("储户号") and t.rstrip().endswith(member["number"]) for t in printout.texts)


async def test_bad_input_gets_a_sentence_and_saves_nothing(desk):
    member = await open_member(desk)
    for body, code in (({**SERVICE, "member_id": member["id"], "half_hours": 0}, "bad-hours"),
                       ({**SERVICE, "member_id": member["id"], "service_type": "x"}, "unknown-service-type"),
                       ({**SERVICE, "member_id": member["id"], "witness": ""}, "bad-witness"),
                       ({**SERVICE, "member_id": 999_999}, "unknown-member")):
        response = await desk.post("/api/lovebank/service", json=body)
        assert response.status_code in (400, 404) and response.json()["code"] == code
        assert response.json()["detail"] and "{" not in response.json()["detail"]
    closing = await desk.post(f"/api/lovebank/members/{member['id']}/close", json={})
    assert closing.status_code == 200 and closing.json()["status"] == "closed"
    closed = await desk.post("/api/lovebank/service", json={**SERVICE, "member_id": member["id"]})
    assert (closed.status_code, closed.json()["code"]) == (409, "member-closed")
    assert await ServiceRecord.count() == 0


async def test_the_coordinators_pages_open_a_member_and_show_the_passbook(desk):
    page = await desk.get("/lovebank")
    assert page.status_code == 200 and "爱心银行" in page.text
    opened = await desk.client.post("/lovebank/members", data={"name": "张奶奶", "phone": "", "_csrf_token": desk.csrf},
                                    follow_redirects=False)
    assert opened.status_code in (302, 303)
    member_page = await desk.get(opened.headers["location"])
    assert member_page.status_code == 200 and "张奶奶" in member_page.text and "爱心储户卡" in member_page.text
    refused = await desk.client.post(opened.headers["location"].split("?")[0] + "/service", data={
        "served_on": SERVICE["served_on"], "start_time": "09:00", "place": "", "content": "x", "service_type": "elder-care",
        "half_hours": "2", "witness": "x", "_csrf_token": desk.csrf})
    assert refused.status_code == 200 and 'role="alert"' in refused.text


async def test_the_demo_shows_the_love_bank_working(db, settings):
    from donations import lovebank
    from shop.shops import ensure_shop
    from web.demo import MEMBERS, load_demo

    # given / when
    shop_id = await ensure_shop(settings.shop)
    assert await load_demo(shop_id=shop_id, today=date.today(), service_types=settings.lovebank.service_types)

    # then: three members with points, one service waiting for approval, points in the fund
    members = [m for name, _ in MEMBERS for m in await lovebank.find_members(shop_id=shop_id, text=name)]
    assert len(members) == 3
    assert all([await lovebank.points_of(m.id) > 0 for m in members])
    assert len(await lovebank.pending_service(shop_id=shop_id)) == 1
    assert await lovebank.fund_points() > 0


async def test_a_manager_exports_a_members_data_and_erases_it_on_request_the_points_stay(desk):
    # given
    member = await open_member(desk)
    await earned(desk, member, 4)
    assert (await desk.get(f"/api/lovebank/members/{member['id']}/export")).status_code == 403
    await desk.login("manager", "manager-pw")

    # when
    exported = (await desk.get(f"/api/lovebank/members/{member['id']}/export")).json()
    erased = await desk.post(f"/api/lovebank/members/{member['id']}/erase")

    # then
    assert exported["member"]["phone"] == "13812345678" and exported["member"]["points"] == 20
    assert [s["content"] for s in exported["service"]] == ["陪独居老人聊天"]
    assert [l["balance"] for l in exported["statement"]["lines"]] == [20]
    assert erased.status_code == 200
    assert (erased.json()["name"], erased.json()["phone"], erased.json()["points"]) == ("", "", 20)
    assert erased.json()["number"] == member["number"]
