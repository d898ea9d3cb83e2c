"""Members as the seeds describe them (issue 20), on both engines: skills found by search, details edited with their
history, a lost card reissued (the old code refused at the till over HTTP), service entered once per key; and
verify() catching a replaced code back on a card, a reissue without its replaced code, a link made after closing."""

from datetime import date, timedelta

import pytest

from lovebank import members, passbook
from lovebank.errors import LoveBankError
from lovebank.tables import MemberChange, ServiceRecord
from pos.verify import verify
from shop.database import run
from shop.errors import DomainError
from shop.staff import Role, create_staff
from tests.web.conftest import browser  # noqa: F401  (the till's HTTP client)
from web.problems import status_of

SERVICE = {"served_on": (date.today() - timedelta(days=1)).isoformat(), "start_time": "14:00", "place": "幸福社区活动室",
           "content": "为老人理发", "service_type": "community", "half_hours": 3, "witness": "社工 小周"}


@pytest.fixture
async def desk(browser, goods):  # noqa: F811
    """A coordinator logged in (a second exists to approve), and member 李阿姨 with a phone."""
    for username, name in (("coord", "刘老师"), ("coord2", "赵老师")):
        await create_staff(shop_id=goods.shop_id, username=username, password=f"{username}-pw",
                           role=Role.COORDINATOR, display_name=name)
    assert (await browser.login("coord", "coord-pw")).status_code in (302, 303)
    browser.member = (await browser.post("/api/lovebank/members", json={"name": "李阿姨", "phone": "13812345678"})).json()
    return browser


async def test_skills_are_found_by_search_and_each_change_of_the_details_is_kept(desk, goods, db):
    member = desk.member
    other = (await desk.post("/api/lovebank/members", json={"name": "王师傅"})).json()
    # when the coordinator gives 李阿姨 her skills and a new note, and 王师傅 his
    edited = await desk.put_json(f"/api/lovebank/members/{member['id']}", {
        "name": "李阿姨", "phone": "13812345678", "notes": "周末有空", "may_contact": True,
        "skills": ["理发", " 缝补  衣物 ", "理发"]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["skills"] == ["理发", "缝补 衣物"] and edited.json()["notes"] == "周末有空"
    await desk.put_json(f"/api/lovebank/members/{other['id']}", {"name": "王师傅", "skills": ["维修水电、理发"]})
    # then a search by skill finds who offers it, by part of the word too
    def numbers(response):
        return [m["number"] for m in response.json()]
    assert numbers(await desk.get("/api/lovebank/members", params={"skill": "理发"})) == [member["number"],
                                                                                           other["number"]]
    assert numbers(await desk.get("/api/lovebank/members", params={"skill": "维修"})) == [other["number"]]
    assert numbers(await desk.get("/api/lovebank/members", params={"skill": "%"})) == []
    # and each field that changed is in the history, with who and when; the phone masked for a coordinator
    changes = (await desk.get(f"/api/lovebank/members/{member['id']}/changes")).json()
    assert {(c["field"], c["old_value"], c["new_value"], c["changed_by"]) for c in changes} == {
        ("notes", "", "周末有空", "刘老师"), ("may_contact", "0", "1", "刘老师"), ("skills", "", "理发、缝补 衣物", "刘老师")}
    # when the name changes from the member's page (the phone left empty: it stays)
    page = await desk.client.post(f"/lovebank/members/{member['id']}/details", data={
        "name": "李秀英", "phone": "", "notes": "周末有空", "may_contact": "1", "skills": "理发、缝补 衣物",
        "_csrf_token": desk.csrf})
    assert page.status_code in (302, 303), page.text
    shown = (await desk.get(f"/lovebank/members/{member['id']}")).text
    assert "李秀英" in shown and "理发、缝补 衣物" in shown and "李阿姨" in shown  # the old name in the history
    assert (await passbook.member_by_id(member_id=member["id"])).phone == "13812345678"
    # refused, changing nothing: a skill too long, too many skills
    for skills, code in ((["很长很长很长很长很长很长很长很长很长很长的技能"], "bad-skill"),
                         ([f"技能{n}" for n in range(11)], "too-many-skills")):
        refused = await desk.put_json(f"/api/lovebank/members/{member['id']}", {"name": "李秀英", "skills": skills})
        assert (refused.status_code, refused.json()["code"]) == (400, code)
        assert "技能" in refused.json()["detail"]
    assert len(await members.changes_of(member["id"])) == 4
    # and erasing the member blanks the history's personal values too
    await members.edit_member(member_id=other["id"], staff_id=goods.manager_id, name="王建国", phone="", notes="",
                              may_contact=False, skills=[])
    await passbook.erase_member(shop_id=goods.shop_id, member_id=other["id"])
    assert {(c.old_value, c.new_value) for c in await members.changes_of(other["id"])} == {("", "")}
    assert await members.skills_of(other["id"]) == []


async def test_a_lost_card_is_reissued_and_its_old_code_refused_at_the_till(desk, goods, db):
    member = desk.member
    old = member["card_code"]
    # when the coordinator reissues the card
    response = await desk.post(f"/api/lovebank/members/{member['id']}/reissue-card")
    assert response.status_code == 200, response.text
    new = response.json()["card_code"]
    assert new != old and new.startswith("LB")
    # then the new card is printed, with its new code
    assert await desk.printed(f"*member_card-{member['number']}*")
    # and at the till the new card is the member, the old one refused with the reason
    await desk.login("cashier", "cashier-pw")
    assert (await desk.get(f"/api/till/members/{new}")).json()["number"] == member["number"]
    refused = await desk.get(f"/api/till/members/{old}")
    assert refused.status_code == 409 and refused.json()["code"] == "card-replaced"
    assert "补办" in refused.json()["detail"] or "新卡" in refused.json()["detail"]
    assert member["number"] in refused.json()["detail"]
    # the card change is in the history; verify() is content
    changes = await members.changes_of(member["id"])
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("card_code", old, new)]
    assert await verify() == []
    # when someone at the database puts the old code back on the card, and drops a replaced code's record
    await run(db, "UPDATE member SET card_code = $1 WHERE id = $2", old, member["id"])
    problems = await verify()
    assert any(p.startswith("member card whose code was replaced") for p in problems)
    await run(db, "UPDATE member SET card_code = $1 WHERE id = $2", new, member["id"])
    await MemberChange.insert(MemberChange(member=member["id"], field="card_code", old_value="LB000000000001",
                                           new_value=new))
    assert any(p.startswith("card reissued without its old code") for p in await verify())
    await MemberChange.delete().where(MemberChange.old_value == "LB000000000001")
    # and the replaced codes' record refuses to be deleted
    with pytest.raises(Exception, match="append-only"):
        await run(db, "DELETE FROM replaced_card")


async def test_service_entered_twice_with_one_key_is_recorded_once(desk, goods, db):
    member = desk.member
    body = {**SERVICE, "member_id": member["id"], "idempotency_key": "svc-key-0001"}
    # when the form is sent twice (a double click) with its key
    first = await desk.post("/api/lovebank/service", json=body)
    again = await desk.post("/api/lovebank/service", json=body)
    assert first.status_code == again.status_code == 201, first.text
    # then one record, the same one both times
    assert again.json()["id"] == first.json()["id"]
    assert await ServiceRecord.count().where(ServiceRecord.member == member["id"]) == 1
    # the same key with another service is refused, in Chinese, and writes nothing
    other = await desk.post("/api/lovebank/service", json={**body, "half_hours": 4})
    assert other.status_code == 409 and other.json()["code"] == "service-key-reused"
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "服务" in other.json()["detail"]
    assert await ServiceRecord.count().where(ServiceRecord.member == member["id"]) == 1
    # the page's form carries its own key: sent twice, one record more
    page = (await desk.get(f"/lovebank/members/{member['id']}")).text
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {**{k: str(v) for k, v in SERVICE.items()}, "idempotency_key": key, "_csrf_token": desk.csrf}
    for _ in range(2):
        sent = await desk.client.post(f"/lovebank/members/{member['id']}/service", data=form)
        assert sent.status_code in (302, 303), sent.text
    assert await ServiceRecord.count().where(ServiceRecord.member == member["id"]) == 2


async def test_a_link_checks_the_member_and_verify_catches_a_link_made_after_closing(goods, db):
    # given two members, one closed
    open_one = await passbook.open_member(shop_id=goods.shop_id, name="李阿姨")
    closed = await passbook.open_member(shop_id=goods.shop_id, name="王叔叔")
    await passbook.close_member(shop_id=goods.shop_id, member_id=closed.id, staff_id=goods.manager_id)
    # a closed member, an unknown one: refused
    for number, code in ((closed.number, LoveBankError.MEMBER_CLOSED), ("M999999", LoveBankError.UNKNOWN_MEMBER)):
        with pytest.raises(DomainError) as refused:
            await members.link_staff(username="cashier", member=number, by=goods.manager_id)
        assert refused.value.code == code
    # linked once; the login, or the member, linked again: refused (409)
    link = await members.link_staff(username="cashier", member=open_one.number, by=goods.manager_id)
    assert await members.member_of_staff(staff_id=goods.cashier_id) == open_one.id == link.member_id
    for username, code in (("cashier", LoveBankError.STAFF_LINKED), ("manager", LoveBankError.MEMBER_LINKED)):
        with pytest.raises(DomainError) as refused:
            await members.link_staff(username=username, member=open_one.number, by=goods.manager_id)
        assert refused.value.code == code and status_of(refused.value) == 409
    assert await verify() == []
    # when someone at the database points the link at the closed member
    await run(db, "UPDATE staff_member SET member = $1", closed.id)
    assert any(p.startswith("staff login linked to a member closed before the link") for p in await verify())
    await run(db, "UPDATE staff_member SET member = $1", open_one.id)
    # unlinked: no member, and unlinking again is refused
    await members.unlink_staff(username="cashier")
    assert await members.member_of_staff(staff_id=goods.cashier_id) is None
    with pytest.raises(DomainError) as refused:
        await members.unlink_staff(username="cashier")
    assert refused.value.code == LoveBankError.NOT_LINKED
