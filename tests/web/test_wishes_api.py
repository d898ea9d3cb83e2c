"""The wish wall over real HTTP: a coordinator posts, claims, fulfils and thanks; refusals are problem+json in
Chinese; the open wishes print for the notice board (bytes decoded), with their texts and never a household's name
or reference; the wall page shows and works the same."""

from datetime import date

import pytest

from donations.donors import register_donor
from pos.checkout import CartLine, commit_sale
from pos.fund import fund_balance
from shop.staff import Role, create_staff
from tests.pos.till import till_rules
from tests.printing.escpos_decode import decode


@pytest.fixture
async def desk(browser, goods, settings):
    """A coordinator, logged in; a member; a donor; ¥24.75 in the community fund from a sale."""
    await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw", role=Role.COORDINATOR,
                       display_name="刘老师")
    goods.donor_id = (await register_donor(shop_id=goods.shop_id, name="张先生", phone="13900001111")).id
    await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                      lines=[CartLine(goods.book, 1), CartLine(goods.noodles, 30)], cash_given_fen=50000,
                      idempotency_key="key-wish-api-fund", rules=till_rules(settings))
    response = await browser.login("coord", "coord-pw")
    assert response.status_code in (302, 303)
    member = await browser.post("/api/lovebank/members", json={"name": "李阿姨", "phone": "13812345678"})
    browser.member = member.json()
    return browser


def problem_of(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return body["detail"]


async def test_a_wish_is_posted_claimed_fulfilled_from_stock_thanked_and_the_open_ones_print(desk, goods):
    # given two wishes posted for households by their references
    coat = await desk.post("/api/wishes", json={"household_ref": "H-2026-017", "text": "孩子上学用的新华字典",
                                                "kind": "goods"})
    assert coat.status_code == 201, coat.text
    coat = coat.json()
    tap = (await desk.post("/api/wishes", json={"household_ref": "h-2026-18", "text": "厨房水龙头漏水，需要师傅修理",
                                                "kind": "service"})).json()
    assert (coat["status"], tap["household_ref"]) == ("posted", "H-2026-18")
    # a name and phone are not a household reference; a wish without text is refused (in Chinese)
    detail = problem_of(await desk.post("/api/wishes", json={"household_ref": "李家 13812345678", "text": "冬衣",
                                                             "kind": "goods"}), 400, "bad-household-ref")
    assert "H-2026-017" in detail
    problem_of(await desk.post("/api/wishes", json={"household_ref": "H-2026-19", "text": " ", "kind": "goods"}),
               400, "bad-wish-text")

    # when the donor claims the dictionary wish; then nobody claims it again
    claimed = await desk.post(f"/api/wishes/{coat['id']}/claim", json={"donor_id": goods.donor_id})
    assert claimed.status_code == 200 and claimed.json()["donor_id"] == goods.donor_id
    detail = problem_of(await desk.post(f"/api/wishes/{coat['id']}/claim", json={"member": desk.member["number"]}),
                        409, "wish-already-claimed")
    assert detail.startswith(f"微心愿 {coat['number']} 已被认领")
    problem_of(await desk.post(f"/api/wishes/{tap['id']}/claim", json={"donor_id": 99999}), 404, "unknown-donor")

    # when it is fulfilled with the dictionary from stock: the fund pays ¥12.00
    fund_before = (await fund_balance(shop_id=goods.shop_id)).cash_fen
    problem_of(await desk.post(f"/api/wishes/{coat['id']}/fulfil", json={"barcodes": [goods.book] * 5}),
               409, "wish-out-of-stock")
    fulfilled = await desk.post(f"/api/wishes/{coat['id']}/fulfil", json={"barcodes": [goods.book]})
    assert fulfilled.status_code == 200, fulfilled.text
    assert (fulfilled.json()["status"], fulfilled.json()["value_fen"]) == ("fulfilled", 1200)
    assert (await fund_balance(shop_id=goods.shop_id)).cash_fen == fund_before - 1200
    detail = problem_of(await desk.post(f"/api/wishes/{coat['id']}/fulfil", json={"barcodes": [goods.book]}),
                        409, "wish-already-fulfilled")
    assert "已经实现" in detail
    thanked = await desk.post(f"/api/wishes/{coat['id']}/thank", json={"note": "谢谢！"})
    assert thanked.json()["status"] == "thanked"

    # when the member claims the tap wish
    claimed = await desk.post(f"/api/wishes/{tap['id']}/claim", json={"member": desk.member["card_code"]})
    assert claimed.status_code == 200
    listed = (await desk.get("/api/wishes", params={"status": "open"})).json()
    assert [(w["number"], w["status"]) for w in listed] == [(tap["number"], "claimed")]
    problem_of(await desk.get("/api/wishes", params={"status": "lost"}), 400, "bad-wish-status")
    # and it is mended: a pending service for the member
    mended = await desk.post(f"/api/wishes/{tap['id']}/fulfil", json={
        "half_hours": 2, "witness": "楼长", "served_on": date.today().isoformat(), "start_time": "14:00",
        "place": "幸福社区 5 号楼"})
    assert mended.status_code == 200, mended.text
    pending = (await desk.get("/api/lovebank/approvals")).json()
    assert [(p["member_number"], p["status"]) for p in pending] == [(desk.member["number"], "pending")]

    # when a donor's own coat fulfils a wish: their donation, given straight to the household
    coat2 = (await desk.post("/api/wishes", json={"household_ref": "H-2026-21", "text": "冬天的外套",
                                                  "kind": "goods"})).json()
    await desk.post(f"/api/wishes/{coat2['id']}/claim", json={"donor_id": goods.donor_id})
    given = await desk.post(f"/api/wishes/{coat2['id']}/fulfil", json={"donation": {"items": [
        {"category": "clothes", "description": "成人羽绒服", "condition": "good", "price_fen": 5000}]}})
    assert given.status_code == 200, given.text
    assert (given.json()["fulfilled_how"], given.json()["value_fen"]) == ("donation", 0)
    problem_of(await desk.post(f"/api/wishes/{coat2['id']}/fulfil", json={"donation_id": given.json()["donation_id"]}),
               409, "wish-already-fulfilled")

    # when the open wishes are printed for the notice board (a third is posted first)
    await desk.post("/api/wishes", json={"household_ref": "H-2026-20", "text": "给老人买一台收音机", "kind": "goods"})
    job = await desk.post("/api/wishes/print")
    assert job.status_code == 202, job.text
    files = await desk.printed("*wish_list-*")
    assert len(files) == 1

    # then the paper lists the open wish's number and text in Chinese, and no household, name or phone
    texts = decode(files[0].read_bytes()).texts
    printed = "\n".join(texts)
    assert "微心愿墙" in printed and "给老人买一台收音机" in printed
    assert all(word not in printed for word in ("H-2026", "李阿姨", "13812345678", "张先生", "字典", "水龙头"))


async def test_the_wall_page_posts_claims_fulfils_and_prints(desk, goods):
    # when a wish is posted and claimed through the page's forms
    page = await desk.client.post("/wishes", data={"household_ref": "H-2026-31", "text": "冬天的棉被",
                                                   "kind": "goods", "_csrf_token": desk.csrf}, follow_redirects=False)
    assert page.status_code in (302, 303), page.text
    wall = (await desk.get("/wishes")).text
    assert "冬天的棉被" in wall and "H-2026-31" in wall
    wish = (await desk.get("/api/wishes")).json()[0]
    refused = await desk.client.post(f"/wishes/{wish['id']}/claim", data={"member": "M999999",
                                                                          "_csrf_token": desk.csrf})
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    await desk.client.post(f"/wishes/{wish['id']}/claim", data={"member": desk.member["number"],
                                                                "_csrf_token": desk.csrf})
    await desk.client.post(f"/wishes/{wish['id']}/fulfil", data={"how": "stock", "barcodes": goods.coasters,
                                                                 "_csrf_token": desk.csrf})
    # then it is fulfilled from stock, and the page prints an empty board
    assert (await desk.get(f"/api/wishes/{wish['id']}")).json()["status"] == "fulfilled"
    printed = await desk.client.post("/wishes/print", data={"_csrf_token": desk.csrf})
    preview = printed.text.split('id="wish-list-preview">')[1].split("</pre>")[0]
    assert "微心愿墙" in preview and "冬天的棉被" not in preview
