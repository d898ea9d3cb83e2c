"""The love bank over real HTTP: members, service approved by another coordinator, gifts under concurrency,
corrections, and the statement and member card printed on the receipt printer (bytes decoded)."""

import asyncio
from datetime import date, timedelta

import pytest

from lovebank.tables import PointsGift, ServiceRecord
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
    # given: 100 points, and ten gifts of 30 to another member entered by coord2 (waiting for approval)
    giver = await open_member(desk)
    receiver = await open_member(desk, name="王叔叔", phone="")
    await earned(desk, giver, 20)
    entered = [await desk.post("/api/lovebank/donations", json={
        "from_member_id": giver["id"], "to_member_id": receiver["id"], "points": 30}) for _ in range(10)]
    assert {(r.status_code, r.json()["status"]) for r in entered} == {(201, "pending")}
    await as_other(desk, "coord")

    # when: 20 requests at once: the ten approved, ten gifts to the fund
    responses = await asyncio.gather(*(
        desk.post(f"/api/lovebank/gifts/{entered[n // 2].json()['id']}/approve") if n % 2 else
        desk.post("/api/lovebank/donations", json={"from_member_id": giver["id"], "points": 30}) for n in range(20)))

    # then
    assert sum(r.status_code in (200, 201) for r in responses) == 3
    refused = [r.json() for r in responses if r.status_code == 409]
    assert len(refused) == 17 and {r["code"] for r in refused} == {"not-enough-points"}
    assert all("积分不足" in r["detail"] for r in refused)
    assert (await desk.get(f"/api/lovebank/members/{giver['id']}")).json()["points"] == 10
    assert await PointsGift.count().where(PointsGift.status == "approved") == 3
    fund = (await desk.get("/api/lovebank/fund")).json()["points"]
    assert fund + (await desk.get(f"/api/lovebank/members/{receiver['id']}")).json()["points"] == 90


async def test_a_gift_or_a_correction_moves_points_only_when_another_coordinator_approves_it(desk):
    # given: 20 points; coord2 enters a gift of 15 and asks to correct the service
    giver = await open_member(desk)
    receiver = await open_member(desk, name="王叔叔", phone="")
    service = await earned(desk, giver, 4)
    gift = (await desk.post("/api/lovebank/donations", json={
        "from_member_id": giver["id"], "to_member_id": receiver["id"], "points": 15, "note": "谢谢"})).json()
    asked = await desk.post(f"/api/lovebank/service/{service['id']}/reverse", json={"reason": "重复录入"})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"

    # when: coord2 approves their own
    own = [await desk.post(f"/api/lovebank/gifts/{gift['id']}/approve"),
           await desk.post(f"/api/lovebank/reversals/{asked.json()['id']}/approve"),
           await desk.post(f"/api/lovebank/gifts/{gift['id']}/reject", json={"reason": "不"})]
    # then: refused in Chinese, nothing moved
    assert {(r.status_code, r.json()["code"]) for r in own} == {(403, "own-entry")}
    assert "另一位" in own[0].json()["detail"]
    assert (await desk.get(f"/api/lovebank/members/{giver['id']}")).json()["points"] == 20

    # when: coord sees them waiting, approves the gift and rejects the correction
    await as_other(desk, "coord")
    assert [g["id"] for g in (await desk.get("/api/lovebank/gifts/pending")).json()] == [gift["id"]]
    assert [v["id"] for v in (await desk.get("/api/lovebank/reversals/pending")).json()] == [asked.json()["id"]]
    page = await desk.get("/lovebank/approvals")
    assert f'id="gift-{gift["id"]}"' in page.text
    assert f'action="/lovebank/reversals/{asked.json()["id"]}/approve"' in page.text
    approved = await desk.post(f"/api/lovebank/gifts/{gift['id']}/approve")
    rejected = await desk.post(f"/api/lovebank/reversals/{asked.json()['id']}/reject", json={"reason": "服务属实"})
    again = await desk.post(f"/api/lovebank/gifts/{gift['id']}/approve")

    # then: the gift moved once, the correction moved nothing
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert rejected.status_code == 200 and rejected.json()["decision_reason"] == "服务属实"
    assert (again.status_code, again.json()["code"]) == (409, "request-already-decided")
    assert (await desk.get(f"/api/lovebank/members/{giver['id']}")).json()["points"] == 5
    assert (await desk.get(f"/api/lovebank/members/{receiver['id']}")).json()["points"] == 15
    assert (await desk.get("/api/lovebank/gifts/pending")).json() == []


async def test_the_approvals_page_refuses_ones_own_entry_and_approves_anothers(desk):
    # given: coord2 enters a gift from the member's page
    giver = await open_member(desk)
    receiver = await open_member(desk, name="王叔叔", phone="")
    await earned(desk, giver, 4)
    entered = await desk.client.post(f"/lovebank/members/{giver['id']}/gifts", data={
        "to": receiver["number"], "points": "5", "note": "", "_csrf_token": desk.csrf}, follow_redirects=False)
    assert entered.status_code in (302, 303)
    (gift,) = (await desk.get("/api/lovebank/gifts/pending")).json()
    home = await desk.get("/lovebank")
    assert '<strong id="pending">1</strong>' in home.text

    # when: coord2 tries to approve it on the approvals page
    own = await desk.client.post(f"/lovebank/gifts/{gift['id']}/approve", data={"_csrf_token": desk.csrf})
    # then
    assert own.status_code == 200 and 'role="alert"' in own.text and "另一位" in own.text

    # when: coord approves it
    await as_other(desk, "coord")
    done = await desk.client.post(f"/lovebank/gifts/{gift['id']}/approve", data={"_csrf_token": desk.csrf},
                                  follow_redirects=False)
    # then
    assert done.status_code in (302, 303) and done.headers["location"] == "/lovebank/approvals"
    assert (await desk.get(f"/api/lovebank/members/{receiver['id']}")).json()["points"] == 5


async def test_the_statement_shows_each_entry_with_its_running_balance_and_prints_in_chinese(desk, goods):
    # given: 20 points earned, 5 given to the fund, a second service reversed
    member = await open_member(desk)
    await earned(desk, member, 4)
    gift = await desk.post("/api/lovebank/donations", json={"from_member_id": member["id"], "points": 5})
    assert gift.status_code == 201
    await as_other(desk, "coord")
    second = await earned(desk, member, 2)
    asked = await desk.post(f"/api/lovebank/service/{second['id']}/reverse", json={"reason": "重复录入"})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    await as_other(desk, "coord")
    reversed_ = await desk.post(f"/api/lovebank/reversals/{asked.json()['id']}/approve")
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "approved"

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


async def test_a_statement_asked_at_a_till_prints_on_the_tills_printer_for_its_paper(desk, goods, tmp_path):
    from printing.layout import columns
    from printing.printer_setup import add_printer, assign
    from printing.profiles import PrinterProfile
    from printing.tables import PrintJob

    # given T1's own printer on 58 mm paper (32 columns), where config.toml's receipt printer is 80 mm (48)
    stored = await add_printer(shop_id=goods.shop_id, name="一号台小票机", connection=f"file:{tmp_path / 'T1'}",
                               bounds=None, profile=PrinterProfile(columns=32))
    await assign(shop_id=goods.shop_id, place="till:T1", printer_id=stored.id)
    member = await open_member(desk)
    await earned(desk, member, 4)
    # when the statement and the card are printed from T1, and the statement where no till is named
    at_till = await desk.post(f"/api/lovebank/members/{member['id']}/statement/print?till=t1")
    card = await desk.post(f"/api/lovebank/members/{member['id']}/card/print?till=T1")
    nowhere = await desk.post(f"/api/lovebank/members/{member['id']}/statement/print")
    unknown = await desk.post(f"/api/lovebank/members/{member['id']}/statement/print?till=T9")
    # then T1's go to T1's printer, the other to config.toml's, and an unknown till prints nothing
    assert (at_till.status_code, card.status_code, nowhere.status_code, unknown.status_code) == (202, 202, 202, 404)
    assert [at_till.json()["printer"], card.json()["printer"], nowhere.json()["printer"]] == [
        stored.job_printer, stored.job_printer, "receipt"]
    sent = {row["id"]: decode(row["data"]) for row in await PrintJob.select(PrintJob.id, PrintJob.data)}
    assert len(sent) == 3
    # and each is laid out for its printer's paper: 32 columns on T1's, 48 on config.toml's
    for job, width in ((at_till, 32), (card, 32), (nowhere, 48)):
        printout = sent[job.json()["id"]]
        assert "-" * width in printout.texts and max(columns(t) * line.width
                                                       for line in printout.lines for t in [line.text]) <= width
    assert any(t.startswith("储户号") and t.rstrip().endswith(member["number"]) for t in sent[at_till.json()["id"]].texts)


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
    from lovebank import passbook
    from shop.shops import ensure_shop
    from web.demo import MEMBERS, load_demo

    # given / when
    shop_id = await ensure_shop(settings.shop)
    assert await load_demo(shop_id=shop_id, today=date.today(), service_types=settings.lovebank.service_types)

    # then: three members, one service and one gift between members waiting for approval, points in the fund
    members = [m for name, _ in MEMBERS for m in await passbook.find_members(text=name)]
    assert len(members) == 3
    assert len(await passbook.pending_service(shop_id=shop_id)) == 1
    (gift,) = await passbook.pending_gifts(shop_id=shop_id)
    assert await passbook.fund_points(shop_id) > 0
    # and once another coordinator approves the gift, every member holds points
    other = await create_staff(shop_id=shop_id, username="coord9", password="coord9-pw", role=Role.COORDINATOR)
    await passbook.approve_gift(shop_id=shop_id, gift_id=gift.id, staff_id=other.id)
    assert all([await passbook.points_of(m.id) > 0 for m in members])


async def test_a_manager_exports_a_members_data_and_erases_it_on_request_the_points_stay(desk):
    # given
    member = await open_member(desk)
    await earned(desk, member, 4)
    assert (await desk.get(f"/api/lovebank/members/{member['id']}/export")).status_code == 403
    await desk.login("manager", "manager-pw")

    assert (await desk.post(f"/api/lovebank/members/{member['id']}/card/print")).status_code in (200, 201, 202)
    assert (await desk.post(f"/api/lovebank/members/{member['id']}/statement/print")).status_code in (200, 201, 202)

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
    # and the print queue keeps neither their card nor their statement with their name
    from printing.tables import PrintJob

    jobs = await PrintJob.select(PrintJob.document, PrintJob.data, PrintJob.status).where(
        PrintJob.ref == member["number"])
    assert sorted(j["document"] for j in jobs) == ["member card", "passbook statement"]
    assert all(j["status"] == "redacted" and not bytes(j["data"]) for j in jobs)
    # listed on the manager's print queue in Chinese (the documents' names are the queue's keys)
    queue = await desk.get("/manager/printing")
    assert "会员卡" in queue.text and "存折对账单" in queue.text and "member card" not in queue.text


async def test_no_full_phone_leaves_the_api_or_a_page_for_a_coordinator(desk):
    # given
    member = await open_member(desk, name="王阿姨", phone="13800001234")
    # when: a coordinator reads the member every way they can
    seen = [await desk.get("/api/lovebank/members", params={"q": "1234"}),
            await desk.get("/api/lovebank/members", params={"q": "王阿姨"}),
            await desk.get(f"/api/lovebank/members/{member['id']}"),
            await desk.get("/lovebank", params={"q": "1234"}), await desk.get(f"/lovebank/members/{member['id']}")]
    # then: only the masked phone, and the export is a manager's
    for response in seen:
        assert response.status_code == 200 and "13800001234" not in response.text, response.url
    assert [m["phone"] for m in seen[0].json()] == ["138****1234"]
    assert (await desk.get(f"/api/lovebank/members/{member['id']}/export")).status_code == 403
    for q in ("0000", "3800", "%", "_"):
        assert (await desk.get("/api/lovebank/members", params={"q": q})).json() == [], q
