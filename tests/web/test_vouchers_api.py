"""Services for points over real HTTP: the menu, a voucher redeemed and printed on the receipt printer (bytes decoded:
its number as a CODE128 barcode, the service, the points, the member's number and not their name), delivered and
cancelled by its number, refusals as problem+json in Chinese, the passbook and the coordinator's page."""

from datetime import UTC, datetime, timedelta

import pytest

from printing.printers import PrintError, send
from printing.queue import recent_jobs
from shop.staff import Role, create_staff
from tests.printing.escpos_decode import Barcode, decode
from web.shopfront import Shopfront

SERVICE = {"start_time": "09:00", "place": "幸福社区", "content": "陪独居老人聊天", "service_type": "elder-care",
           "half_hours": 8, "witness": "楼长"}


@pytest.fixture
async def desk(browser, goods):
    """coord logged in; 李阿姨 has earned points (service approved by coord2); 王师傅 offers haircuts."""
    for username in ("coord", "coord2"):
        await create_staff(shop_id=goods.shop_id, username=username, password=f"{username}-pw",
                           role=Role.COORDINATOR)
    await browser.login("coord", "coord-pw")
    li = (await browser.post("/api/lovebank/members", json={"name": "李阿姨", "phone": "13812345678"})).json()
    wang = (await browser.post("/api/lovebank/members", json={"name": "王师傅"})).json()
    entered = await browser.post("/api/lovebank/service", json={**SERVICE, "member_id": li["id"],
                                                                 "served_on": datetime.now(UTC).date().isoformat()})
    await browser.login("coord2", "coord2-pw")
    assert (await browser.post(f"/api/lovebank/service/{entered.json()['id']}/approve")).status_code == 200
    await browser.login("coord", "coord-pw")
    browser.li, browser.wang = li, wang
    browser.earned = (await browser.get(f"/api/lovebank/members/{li['id']}")).json()["points"]
    assert browser.earned >= 30
    return browser


async def points(desk, member) -> int:
    return (await desk.get(f"/api/lovebank/members/{member['id']}")).json()["points"]


async def test_a_member_redeems_a_service_the_voucher_prints_and_the_provider_earns_it(desk):
    # given the menu: a haircut by 王师傅, a meal by a partner
    haircut = await desk.post("/api/lovebank/offers", json={"name": "理发", "points": 20,
                                                             "provider_member_id": desk.wang["id"]})
    meal = await desk.post("/api/lovebank/offers", json={"name": "助餐", "points": 5, "partner": "老年食堂"})
    assert haircut.status_code == meal.status_code == 201
    haircut, meal = haircut.json(), meal.json()
    assert [(o["name"], o["points"]) for o in (await desk.get("/api/lovebank/offers")).json()] == [
        ("助餐", 5), ("理发", 20)]

    # when 李阿姨's card is scanned to redeem a haircut
    body = {"offer_id": haircut["id"], "member": desk.li["card_code"], "idempotency_key": "voucher-key-0001"}
    redeemed = await desk.post("/api/lovebank/redemptions", json=body)

    # then a voucher holds her points, and prints on the receipt printer
    assert redeemed.status_code == 201, redeemed.text
    voucher = redeemed.json()
    number = voucher["number"]
    assert (voucher["status"], voucher["points"], voucher["member_number"], voucher["replayed"]) == (
        "held", 20, desk.li["number"], False)
    assert await points(desk, desk.li) == desk.earned - 20
    files = await desk.printed(f"*voucher-{number}*")
    assert len(files) == 1
    printout = decode(files[0].read_bytes())
    assert [e.data for e in printout.events if isinstance(e, Barcode)] == ["{B" + number]
    text = "\n".join(printout.texts)
    for shown in ("服务券", number, "理发", "王师傅", "20", desk.li["number"], datetime.now(UTC).date().isoformat()[:4]):
        assert shown in text, shown
    assert "李阿姨" not in text and "5678" not in text  # the member by number only
    assert b"\x1bp" not in files[0].read_bytes()  # no cash: no drawer

    # when the same request comes again (a double tap): the same voucher, nothing more held or printed
    again = await desk.post("/api/lovebank/redemptions", json=body)
    assert again.status_code == 201 and again.json()["number"] == number and again.json()["replayed"]
    assert await points(desk, desk.li) == desk.earned - 20
    assert len(await recent_jobs(shop_id=desk.app.state.shopfront.shop_id, ref=number)) == 1

    # when it is printed again: marked 重打
    reprinted = await desk.post(f"/api/lovebank/redemptions/{number}/print")
    assert reprinted.status_code == 202 and reprinted.json()["document"] == "voucher"
    files = await desk.printed(f"*voucher-{number}*")
    assert len(files) == 2 and decode(files[1].read_bytes()).texts[0].strip() == "** 重打 **"

    # when the barber has given the haircut (the voucher scanned)
    delivered = await desk.post(f"/api/lovebank/redemptions/{number}/deliver")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert await points(desk, desk.wang) == 20

    # then a second settling is a clear refusal, in Chinese
    for action in ("deliver", "cancel"):
        refused = await desk.post(f"/api/lovebank/redemptions/{number}/{action}")
        assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "voucher-settled" and "已兑现或已取消" in refused.json()["detail"]
    # and both passbooks show it
    hers = (await desk.get(f"/api/lovebank/members/{desk.li['id']}/statement")).json()["lines"][-1]
    assert (hers["points"], hers["description"]) == (-20, f"服务券 {number}：理发（积分冻结）")
    his = (await desk.get(f"/api/lovebank/members/{desk.wang['id']}/statement")).json()["lines"]
    assert [(line["points"], line["description"]) for line in his] == [(20, f"提供服务，服务券 {number}：理发")]
    assert [v["number"] for v in (await desk.get(f"/api/lovebank/members/{desk.li['id']}/vouchers")).json()] == [
        number]


async def test_refusals_are_problems_in_chinese_and_change_nothing(desk):
    massage = (await desk.post("/api/lovebank/offers", json={"name": "理疗", "points": 10_000,
                                                               "partner": "康复中心"})).json()
    cases = [
        ({"name": "理疗", "points": 10, "partner": "康复中心", "provider_member_id": desk.wang["id"]},
         "/api/lovebank/offers", 400, "offer-provider", "二者只能选一"),
        ({"name": "理疗", "points": 0, "partner": "康复中心"}, "/api/lovebank/offers", 400, "bad-points", "积分"),
        ({"offer_id": massage["id"], "member": desk.li["number"], "idempotency_key": "voucher-key-0002"},
         "/api/lovebank/redemptions", 409, "not-enough-points", "积分不足"),
        ({"offer_id": 999, "member": desk.li["number"], "idempotency_key": "voucher-key-0003"},
         "/api/lovebank/redemptions", 404, "unknown-offer", "服务清单"),
    ]
    for body, url, status, code, words in cases:
        response = await desk.post(url, json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert words in response.json()["detail"]
    unknown = await desk.post("/api/lovebank/redemptions/V999999/cancel")
    assert unknown.status_code == 404 and "V999999" in unknown.json()["detail"]
    # a withdrawn offer
    assert (await desk.post(f"/api/lovebank/offers/{massage['id']}/withdraw")).json()["status"] == "withdrawn"
    assert (await desk.get("/api/lovebank/offers")).json() == []
    assert await points(desk, desk.li) == desk.earned
    assert (await desk.get("/api/lovebank/redemptions")).json() == []
    # a cashier may not
    await desk.login("cashier", "cashier-pw")
    assert (await desk.get("/api/lovebank/offers")).status_code == 403


async def test_a_printer_that_is_off_never_holds_a_redemption_and_the_page_redeems_and_cancels(desk):
    # given a printer that refuses every job
    front: Shopfront = desk.app.state.shopfront
    await front.printing.stop()

    def refuse(config, job_name, data):
        raise PrintError("printer not found: Connection refused")

    front.printing.sender = refuse
    meal = (await desk.post("/api/lovebank/offers", json={"name": "助餐", "points": 5, "partner": "老年食堂"})).json()

    # when the coordinator redeems on the page
    page = await desk.get("/lovebank/offers")
    assert page.status_code == 200 and "助餐" in page.text and "积分换服务" in page.text
    form = {"offer_id": str(meal["id"]), "member": desk.li["number"], "idempotency_key": "page-key-0001",
            "_csrf_token": desk.csrf}
    redeemed = await desk.client.post("/lovebank/redemptions", data=form, follow_redirects=False)

    # then the voucher is made, its job waits in the queue
    assert redeemed.status_code in (302, 303), redeemed.text
    number = redeemed.headers["location"].split("voucher=")[1].split("&")[0]
    await front.printing.print_due()
    jobs = await recent_jobs(shop_id=front.shop_id, ref=number)
    assert [job.status for job in jobs] == ["queued"] and jobs[0].attempts == 1
    shown = await desk.get(redeemed.headers["location"])
    assert number in shown.text and "正在打印" in shown.text and "老年食堂" in shown.text
    member_page = await desk.get(f"/lovebank/members/{desk.li['id']}")
    assert f'id="voucher-{number}"' in member_page.text and "积分冻结中" in member_page.text

    # when it is cancelled on the page (typed in lower case)
    cancelled = await desk.client.post("/lovebank/redemptions/cancel",
                                       data={"number": number.lower(), "_csrf_token": desk.csrf},
                                       follow_redirects=False)
    assert cancelled.status_code in (302, 303)
    assert await points(desk, desk.li) == desk.earned
    again = await desk.client.post("/lovebank/redemptions/deliver", data={"number": number, "_csrf_token": desk.csrf})
    assert again.status_code == 200 and "已兑现或已取消" in again.text

    # and when the printer is back, the voucher prints
    front.printing.sender = send
    front.printing.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)
    assert await front.printing.print_due() == 1
