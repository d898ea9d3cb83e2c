"""The love bank on both engines: service approved into points by another coordinator, points given (between
members: approved by another), corrected by reversing transactions (approved by another), accounts closed;
balances never below zero however many requests come at once."""

import asyncio
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from lovebank import passbook
from lovebank.passbook import approve_gift, approve_reversal, approve_service, approved_half_hours, close_member, donate_points, fund_points, gift_by_id, hours_text, member_for_till, open_member, pending_gifts, pending_reversals, pending_service, points_for, points_of, record_service, reject_gift, reject_reversal, reject_service, reverse_gift, reverse_service, service_of, statement
from lovebank.tables import PointsGift, PointsReversal, ServiceRecord
from shop import ledger
from shop.errors import DomainError
from web.problems import status_of
from shop.settings import ServiceType
from shop.staff import Role, create_staff
from shop.tables import LedgerTxn
from tests.tampering import triggers_off

TYPES = (ServiceType("elder-care", "助老", 10), ServiceType("environment", "环保", 15),
         ServiceType("nothing", "无积分", 0))
TODAY = date(2026, 11, 30)


@pytest.fixture
async def bank(goods):
    """The test shop with two coordinators and two members."""
    goods.coordinator_id = (await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw",
                                               role=Role.COORDINATOR, display_name="刘老师")).id
    goods.second_id = (await create_staff(shop_id=goods.shop_id, username="coord2", password="coord2-pw",
                                          role=Role.COORDINATOR, display_name="赵老师")).id
    goods.li = (await open_member(shop_id=goods.shop_id, name="李阿姨", phone="13812345678")).id
    goods.wang = (await open_member(shop_id=goods.shop_id, name="王叔叔")).id
    return goods


async def record(bank, member_id=None, *, half_hours=4, service_type="elder-care", served_on=TODAY, **changes):
    fields = dict(shop_id=bank.shop_id, member_id=member_id or bank.li, served_on=served_on, start_time="9:00",
                  place="幸福社区 3 号楼", content="陪独居老人聊天、打扫", service_type=service_type,
                  half_hours=half_hours, witness="楼长 陈师傅", staff_id=bank.coordinator_id, today=TODAY,
                  types=TYPES, max_hours=12)
    fields.update(changes)
    return await record_service(**fields)


async def earn(bank, member_id, half_hours=4, service_type="elder-care"):
    entered = await record(bank, member_id, half_hours=half_hours, service_type=service_type)
    return await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, types=TYPES)


async def give(bank, from_id, to_id, points, note=""):
    """A gift entered by the first coordinator; between members, approved by the second."""
    gift = await donate_points(shop_id=bank.shop_id, from_member_id=from_id, to_member_id=to_id, points=points,
                               staff_id=bank.coordinator_id, note=note)
    if to_id is None:
        return gift
    return await approve_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id)


async def corrected(bank, *, service_id=None, gift_id=None, reason="录错了"):
    """A correction asked for by the first coordinator and approved by the second."""
    if service_id is not None:
        asked = await reverse_service(shop_id=bank.shop_id, record_id=service_id, staff_id=bank.coordinator_id,
                                      reason=reason)
    else:
        asked = await reverse_gift(shop_id=bank.shop_id, gift_id=gift_id, staff_id=bank.coordinator_id, reason=reason)
    return await approve_reversal(shop_id=bank.shop_id, reversal_id=asked.id, staff_id=bank.second_id)


async def codes_of(calls):
    codes = []
    for outcome in await asyncio.gather(*calls, return_exceptions=True):
        if isinstance(outcome, DomainError):
            codes.append((str(outcome.code), status_of(outcome)))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            codes.append("ok")
    return codes


def test_points_are_the_rate_times_the_hours_rounded_down_to_a_whole_point():
    assert points_for(3, 15) == 22  # 1.5 h × 15 = 22.5 → 22
    assert points_for(1, 15) == 7
    assert points_for(4, 10) == 20
    assert points_for(5, 0) == 0
    assert [hours_text(h) for h in (1, 2, 3, 24, -1)] == ["0.5", "1.0", "1.5", "12.0", "-0.5"]


@given(half_hours=st.integers(1, 48), rate=st.integers(0, 1000))
def test_points_are_a_whole_number_never_more_than_earned_and_less_by_under_one(half_hours, rate):
    points = points_for(half_hours, rate)
    assert isinstance(points, int)
    assert 0 <= rate * half_hours - 2 * points < 2  # exact: rate × hours − points is in [0, 1)


async def test_a_service_is_pending_until_another_coordinator_approves_it_into_points(bank):
    # given
    entered = await record(bank, half_hours=3, service_type="environment")
    assert (entered.status, entered.points, entered.hours, entered.start_time) == ("pending", None, "1.5", "09:00")
    assert [r.id for r in await pending_service(shop_id=bank.shop_id)] == [entered.id]
    assert await points_of(bank.li) == 0

    # when: the one who entered it may not approve (nor reject) it
    for decide in (approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.coordinator_id,
                                   types=TYPES),
                   reject_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.coordinator_id,
                                  reason="写错了")):
        with pytest.raises(DomainError) as error:
            await decide
        assert (str(error.value.code), status_of(error.value)) == ("own-service", 403)
    approved = await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, types=TYPES)

    # then: 1.5 h at 15 points an hour = 22 points, in one ledger transaction
    assert (approved.status, approved.points, approved.decided_by_name) == ("approved", 22, "赵老师")
    assert await points_of(bank.li) == 22
    assert -await ledger.balance(ledger.POINTS_ISSUED, ledger.Currency.PTS) == -22
    txns = await LedgerTxn.select().where(LedgerTxn.kind == "service")
    assert [(t["ref"], t["staff"]) for t in txns] == [(f"service:{entered.id}", bank.second_id)]
    assert await pending_service(shop_id=bank.shop_id) == []
    assert (await member_for_till(code=f"M{bank.li}")).points == 22


async def test_a_manager_may_approve_but_not_what_they_entered(bank):
    entered = await record(bank, staff_id=bank.manager_id)
    with pytest.raises(DomainError, match="own-service"):
        await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.manager_id, types=TYPES)
    assert (await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.coordinator_id,
                                  types=TYPES)).points == 20


async def test_two_approvals_at_the_same_moment_issue_the_points_once(bank):
    # given
    entered = await record(bank)
    third = (await create_staff(shop_id=bank.shop_id, username="coord3", password="coord3-pw",
                                role=Role.COORDINATOR)).id

    # when
    codes = await codes_of([
        approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=staff, types=TYPES)
        for staff in [bank.second_id, third, bank.manager_id] * 3])

    # then
    assert codes.count("ok") == 1 and codes.count(("already-decided", 409)) == 8
    assert await points_of(bank.li) == 20
    assert await LedgerTxn.count().where(LedgerTxn.kind == "service") == 1


async def test_a_rejected_service_says_why_and_never_earns_nor_counts_hours(bank):
    entered = await record(bank)
    with pytest.raises(DomainError, match="bad-correction-reason"):
        await reject_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, reason="  ")
    rejected = await reject_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id,
                                    reason="见证人不认识此人")
    assert (rejected.status, rejected.reason) == ("rejected", "见证人不认识此人")
    with pytest.raises(DomainError, match="already-decided"):
        await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, types=TYPES)
    assert await points_of(bank.li) == 0 and await approved_half_hours(bank.li) == 0


@pytest.mark.parametrize(("changes", "code"), [
    ({"served_on": TODAY + timedelta(days=1)}, "bad-service-date"),
    ({"served_on": TODAY - timedelta(days=400)}, "bad-service-date"),
    ({"start_time": "25:00"}, "bad-service-time"),
    ({"start_time": ""}, "bad-service-time"),
    ({"place": " "}, "bad-place"),
    ({"content": "长" * 201}, "bad-content"),
    ({"witness": ""}, "bad-witness"),
    ({"half_hours": 0}, "bad-hours"),
    ({"half_hours": 25}, "bad-hours"),
    ({"service_type": "knitting"}, "unknown-service-type"),
])
async def test_a_service_with_a_mistake_is_refused_and_nothing_is_saved(bank, changes, code):
    with pytest.raises(DomainError) as error:
        await record(bank, **changes)
    assert str(error.value.code) == code
    assert await ServiceRecord.count() == 0


async def test_the_passbook_counts_approved_hours_only_in_the_order_served(bank):
    # given
    first = await earn(bank, bank.li, half_hours=4)
    await record(bank, half_hours=2, served_on=TODAY - timedelta(days=3))  # pending
    third = await record(bank, half_hours=3, served_on=TODAY - timedelta(days=10))
    await approve_service(shop_id=bank.shop_id, record_id=third.id, staff_id=bank.second_id, types=TYPES)

    # when
    lines = await service_of(member_id=bank.li)

    # then
    assert [(l.served_on, l.status, l.cumulative_half_hours) for l in lines] == [
        (TODAY - timedelta(days=10), "approved", 3), (TODAY - timedelta(days=3), "pending", None),
        (TODAY, "approved", 7)]
    assert first.points == 20 and await approved_half_hours(bank.li) == 7


async def test_twenty_gifts_of_thirty_points_at_once_from_a_hundred_exactly_three_succeed(bank):
    # given: 100 points, and ten gifts of 30 to 王 entered (each covered when entered: nothing is held back)
    await earn(bank, bank.li, half_hours=20)
    assert await points_of(bank.li) == 100
    entered = [await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=30,
                                   staff_id=bank.coordinator_id) for _ in range(10)]
    assert {g.status for g in entered} == {"pending"} and await points_of(bank.li) == 100

    # when: the ten are approved and ten gifts of 30 to the fund made, all at once
    codes = await codes_of([
        approve_gift(shop_id=bank.shop_id, gift_id=entered[n // 2].id, staff_id=bank.second_id) if n % 2 else
        donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=None, points=30,
                      staff_id=bank.coordinator_id) for n in range(20)])

    # then
    assert codes.count("ok") == 3
    assert sorted(set(codes) - {"ok"}) == [("not-enough-points", 409)]
    assert await points_of(bank.li) == 10
    assert await points_of(bank.wang) + await fund_points(bank.shop_id) == 90
    assert await PointsGift.count().where(PointsGift.status == "approved") == 3
    assert len(await pending_gifts(shop_id=bank.shop_id)) == 10 - (await points_of(bank.wang)) // 30


async def test_gifts_and_spends_from_one_account_at_once_never_overdraw_it(bank):
    """The till's points tender (h7b's) posts the same entries as this spend: member → POINTS_REDEEMED."""
    await earn(bank, bank.li, half_hours=20)

    async def spend(points):
        async with passbook.writing(LedgerTxn._meta.db):
            await ledger.post(ledger.Txn(kind="sale", ref="S-test", entries=(
                ledger.Entry(ledger.member_points(bank.li), ledger.Currency.PTS, points),
                ledger.Entry(ledger.POINTS_REDEEMED, ledger.Currency.PTS, -points),
            )), shop_id=bank.shop_id)

    codes = await codes_of([spend(30) if n % 2 else donate_points(
        shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=None, points=30, staff_id=bank.coordinator_id)
        for n in range(16)])

    assert codes.count("ok") == 3
    assert set(codes) - {"ok"} <= {("not-enough-points", 409), ("balance-below-zero", 409)}
    assert await points_of(bank.li) == 10


async def test_a_gift_needs_whole_points_another_open_member_and_cover(bank):
    await earn(bank, bank.li)  # 20 points
    for points, to, code in ((0, bank.wang, "bad-points"), (-5, bank.wang, "bad-points"),
                             (True, bank.wang, "bad-points"), (5, bank.li, "gift-to-self"),
                             (21, bank.wang, "not-enough-points"), (5, 999_999, "unknown-member")):
        with pytest.raises(DomainError) as error:
            await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=to, points=points,
                                staff_id=bank.coordinator_id)
        assert str(error.value.code) == code
    with pytest.raises(DomainError) as error:
        await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=21,
                            staff_id=bank.coordinator_id)
    assert error.value.params["points"] == 20 and error.value.params["asked"] == 21
    assert await PointsGift.count() == 0 and await points_of(bank.li) == 20


async def test_a_reversal_takes_back_exactly_what_was_done_with_its_reason_and_only_once(bank):
    # given: 20 points earned, 15 given to 王
    service = await earn(bank, bank.li)
    gift = await give(bank, bank.li, bank.wang, 15, note="生日快乐")

    # when: the service cannot be reversed while 李 holds only 5
    with pytest.raises(DomainError) as error:
        await reverse_service(shop_id=bank.shop_id, record_id=service.id, staff_id=bank.second_id, reason="重复录入")
    assert (str(error.value.code), error.value.params["points"], error.value.params["asked"]) == (
        "not-enough-points", 5, 20)
    assert (await passbook.service_by_id(shop_id=bank.shop_id, record_id=service.id)).status == "approved"
    assert await PointsReversal.count() == 0
    # the gift is reversed, then the service
    undone_reversal = await corrected(bank, gift_id=gift.id, reason="转错人了")
    service_reversal = await corrected(bank, service_id=service.id, reason="重复录入")

    # then
    undone = await gift_by_id(shop_id=bank.shop_id, gift_id=gift.id)
    reversed_service = await passbook.service_by_id(shop_id=bank.shop_id, record_id=service.id)
    assert undone.reversed and undone.reason == "转错人了"
    assert (reversed_service.status, reversed_service.reason) == ("reversed", "重复录入")
    assert (undone_reversal.status, service_reversal.status) == ("approved", "approved")
    assert await points_of(bank.li) == 0 and await points_of(bank.wang) == 0
    assert await approved_half_hours(bank.li) == 0
    reversals = await LedgerTxn.select(LedgerTxn.kind, LedgerTxn.reverses).where(LedgerTxn.reverses.is_not_null())
    assert sorted(r["kind"] for r in reversals) == ["points-gift-reversal", "service-reversal"]
    for again in (reverse_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id, reason="再来"),
                  reverse_service(shop_id=bank.shop_id, record_id=service.id, staff_id=bank.second_id, reason="再来")):
        with pytest.raises(DomainError, match="not-reversible"):
            await again


async def test_two_reversals_at_once_take_the_points_back_once(bank):
    # given
    service = await earn(bank, bank.li, half_hours=20)
    # when: six ask at once, then the one asked is approved six times at once
    codes = await codes_of([reverse_service(shop_id=bank.shop_id, record_id=service.id, staff_id=bank.coordinator_id,
                                            reason="录错了") for _ in range(6)])
    assert codes.count("ok") == 1 and set(codes) - {"ok"} == {("reversal-pending", 409)}
    (asked,) = await pending_reversals(shop_id=bank.shop_id)
    assert await points_of(bank.li) == 100  # nothing moves before a second person approves
    codes = await codes_of([approve_reversal(shop_id=bank.shop_id, reversal_id=asked.id, staff_id=bank.second_id)
                            for _ in range(6)])
    # then
    assert codes.count("ok") == 1 and set(codes) - {"ok"} == {("request-already-decided", 409)}
    assert await points_of(bank.li) == 0


async def test_a_gift_between_members_moves_only_when_someone_else_approves_it(bank):
    # given: 20 points, a gift of 15 to 王 entered by the first coordinator
    await earn(bank, bank.li)
    gift = await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=15,
                               staff_id=bank.coordinator_id, note="谢谢")
    assert (gift.status, gift.entered_by, gift.decided_by) == ("pending", bank.coordinator_id, None)
    assert (await points_of(bank.li), await points_of(bank.wang)) == (20, 0)

    # when: the one who entered it approves or rejects it
    for own in (approve_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.coordinator_id),
                reject_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.coordinator_id, reason="不")):
        with pytest.raises(DomainError) as error:
            await own
        assert (str(error.value.code), status_of(error.value)) == ("own-entry", 403)
    # then: nothing moved
    assert (await points_of(bank.li), await points_of(bank.wang)) == (20, 0)

    # when: another coordinator approves it, twice
    approved = await approve_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id)
    with pytest.raises(DomainError) as error:
        await approve_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.manager_id)
    # then: the points moved once
    assert (str(error.value.code), status_of(error.value)) == ("request-already-decided", 409)
    assert (approved.status, approved.decided_by, approved.decided_by_name) == ("approved", bank.second_id, "赵老师")
    assert (await points_of(bank.li), await points_of(bank.wang)) == (5, 15)
    assert await pending_gifts(shop_id=bank.shop_id) == []


async def test_a_rejected_gift_or_correction_leaves_every_balance_alone(bank):
    # given
    service = await earn(bank, bank.li)  # 20
    gift = await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=15,
                               staff_id=bank.coordinator_id)
    asked = await reverse_service(shop_id=bank.shop_id, record_id=service.id, staff_id=bank.coordinator_id,
                                  reason="录错了")
    # when
    rejected = await reject_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id, reason="本人不同意")
    kept = await reject_reversal(shop_id=bank.shop_id, reversal_id=asked.id, staff_id=bank.manager_id,
                                 reason="服务属实")
    # then
    assert (rejected.status, rejected.reason, rejected.reversed) == ("rejected", "本人不同意", False)
    assert (kept.status, kept.decision_reason, kept.decided_by) == ("rejected", "服务属实", bank.manager_id)
    assert (await points_of(bank.li), await points_of(bank.wang), await fund_points(bank.shop_id)) == (20, 0, 0)
    assert (await passbook.service_by_id(shop_id=bank.shop_id, record_id=service.id)).status == "approved"
    # a rejected gift is never approved nor reversed; a rejected correction may be asked again
    with pytest.raises(DomainError, match="request-already-decided"):
        await approve_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id)
    with pytest.raises(DomainError, match="not-reversible"):
        await reverse_gift(shop_id=bank.shop_id, gift_id=gift.id, staff_id=bank.second_id, reason="再来")
    with pytest.raises(DomainError, match="request-already-decided"):
        await approve_reversal(shop_id=bank.shop_id, reversal_id=asked.id, staff_id=bank.second_id)
    assert (await corrected(bank, service_id=service.id)).status == "approved"
    assert await points_of(bank.li) == 0


async def test_nobody_reverses_their_own_entry_alone_nor_approves_a_correction_they_asked_for(bank):
    # given: a service the second coordinator approved, a gift to the fund (one step, by the first coordinator)
    service = await earn(bank, bank.li)  # 20
    await earn(bank, bank.li)  # 40
    to_fund = await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=None, points=5,
                                  staff_id=bank.coordinator_id)
    assert (to_fund.status, to_fund.decided_by) == ("approved", None) and await fund_points(bank.shop_id) == 5
    # when: each asks for a correction and tries to approve it themselves
    for who, asked in ((bank.second_id, await reverse_service(shop_id=bank.shop_id, record_id=service.id,
                                                              staff_id=bank.second_id, reason="录错了")),
                       (bank.coordinator_id, await reverse_gift(shop_id=bank.shop_id, gift_id=to_fund.id,
                                                                staff_id=bank.coordinator_id, reason="捐错了"))):
        with pytest.raises(DomainError) as error:
            await approve_reversal(shop_id=bank.shop_id, reversal_id=asked.id, staff_id=who)
        assert (str(error.value.code), status_of(error.value)) == ("own-entry", 403)
    # then: nothing moved; both wait for someone else
    assert (await points_of(bank.li), await fund_points(bank.shop_id)) == (35, 5)
    waiting = await pending_reversals(shop_id=bank.shop_id)
    assert [(v.service_id, v.gift_id, v.points, v.member_number) for v in waiting] == [
        (service.id, None, 20, f"M{bank.li:06d}"), (None, to_fund.id, 5, f"M{bank.li:06d}")]
    assert [v.id for v in await pending_reversals(shop_id=bank.shop_id, member_id=bank.wang)] == []
    # a manager approves the fund gift's correction
    assert (await approve_reversal(shop_id=bank.shop_id, reversal_id=waiting[1].id,
                                   staff_id=bank.manager_id)).status == "approved"
    assert (await points_of(bank.li), await fund_points(bank.shop_id)) == (40, 0)
    await reject_reversal(shop_id=bank.shop_id, reversal_id=waiting[0].id, staff_id=bank.coordinator_id, reason="不改")


async def test_verify_names_a_gift_or_correction_approved_by_its_enterer_or_without_its_transaction(bank):
    # given: the books in order
    await earn(bank, bank.li)  # 20
    gift = await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=5,
                               staff_id=bank.coordinator_id)
    service = await record(bank)
    assert await passbook.lovebank_problems() == []
    # when: a gift and a correction are marked approved behind the rules' back (past the books' triggers), by their
    # enterer, moving nothing
    async with triggers_off(PointsGift._meta.db, "points_gift", "service_record", "points_reversal"):
        await PointsGift.update({PointsGift.status: "approved", PointsGift.decided_by: bank.coordinator_id}).where(
            PointsGift.id == gift.id)
        await ServiceRecord.update({ServiceRecord.status: "approved", ServiceRecord.decided_by: bank.second_id,
                                    ServiceRecord.points_pts: 0}).where(ServiceRecord.id == service.id)
        rows = await PointsReversal.insert(PointsReversal(
            shop=bank.shop_id, service=service.id, reason="x", status="approved", entered_by=bank.coordinator_id,
            decided_by=bank.coordinator_id)).returning(PointsReversal.id)
        sneaked = rows[0]["id"]
        # then
        assert await passbook.lovebank_problems() == [
            f"points gift differs from its ledger transaction: {gift.id}",
            f"points gift decided by the coordinator who entered it: {gift.id}",
            f"reversal decided by the coordinator who entered it: {sneaked}",
            f"approved reversal without its reversing transaction: {sneaked}",
        ]
        await PointsGift.update({PointsGift.status: "rejected", PointsGift.decided_by: bank.second_id}).where(
            PointsGift.id == gift.id)
        await PointsReversal.update({PointsReversal.status: "rejected",
                                     PointsReversal.decided_by: bank.second_id}).where(PointsReversal.id == sneaked)
        await ServiceRecord.update({ServiceRecord.status: "rejected", ServiceRecord.points_pts: None}).where(
            ServiceRecord.id == service.id)
    assert await passbook.lovebank_problems() == []


async def test_an_account_closes_only_at_zero_or_giving_the_rest_to_the_fund_and_then_does_nothing(bank):
    # given
    await earn(bank, bank.li)  # 20
    # when / then
    with pytest.raises(DomainError) as error:
        await close_member(shop_id=bank.shop_id, member_id=bank.li, staff_id=bank.coordinator_id)
    assert (str(error.value.code), error.value.params["points"]) == ("member-has-points", 20)
    closed = await close_member(shop_id=bank.shop_id, member_id=bank.li, staff_id=bank.coordinator_id,
                                give_rest_to_fund=True)
    assert not closed.is_open and closed.closed_at is not None
    assert await points_of(bank.li) == 0 and await fund_points(bank.shop_id) == 20
    # a closed account cannot earn, receive or spend
    for attempt in (record(bank, bank.li),
                    donate_points(shop_id=bank.shop_id, from_member_id=bank.wang, to_member_id=bank.li, points=1,
                                  staff_id=bank.coordinator_id),
                    member_for_till(code=closed.card_code),
                    close_member(shop_id=bank.shop_id, member_id=bank.li, staff_id=bank.coordinator_id)):
        with pytest.raises(DomainError, match="member-closed"):
            await attempt


async def test_a_pending_service_of_a_closed_account_can_be_rejected_but_not_approved(bank):
    entered = await record(bank, bank.wang)
    await close_member(shop_id=bank.shop_id, member_id=bank.wang, staff_id=bank.coordinator_id)
    with pytest.raises(DomainError, match="member-closed"):
        await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, types=TYPES)
    assert (await reject_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id,
                                 reason="账户已销户")).status == "rejected"


async def test_the_statement_has_every_entry_with_its_running_balance_and_the_hours_so_far(bank):
    # given
    service = await earn(bank, bank.li, half_hours=4)  # +20, 2 h
    await earn(bank, bank.li, half_hours=3, service_type="environment")  # +22, 3.5 h
    gift = await give(bank, bank.li, bank.wang, 12, note="谢谢")
    await give(bank, bank.li, None, 5)
    await corrected(bank, service_id=service.id, reason="重复录入")

    # when
    mine = await statement(member_id=bank.li)
    theirs = await statement(member_id=bank.wang)

    # then
    assert [(l.kind, l.counterpart, l.detail, l.half_hours, l.points, l.balance, l.cumulative_half_hours)
            for l in mine.lines] == [
        ("service", "elder-care", "陪独居老人聊天、打扫", 4, 20, 20, 4),
        ("service", "environment", "陪独居老人聊天、打扫", 3, 22, 42, 7),
        ("points-gift", f"M{bank.wang:06d}", "谢谢", None, -12, 30, 7),
        ("points-gift", "fund", "", None, -5, 25, 7),
        ("service-reversal", "elder-care", "重复录入", -4, -20, 5, 3),
    ]
    assert (mine.closing_balance, mine.cumulative_half_hours) == (5, 3) == (await points_of(bank.li),
                                                                            await approved_half_hours(bank.li))
    assert [(l.kind, l.ref, l.counterpart, l.points, l.balance) for l in theirs.lines] == [
        ("points-gift", f"gift:{gift.id}", f"M{bank.li:06d}", 12, 12)]

    # a period brings the balance and hours forward
    third = mine.lines[2].at
    later = await statement(member_id=bank.li, start=third)
    assert (later.opening_balance, later.opening_half_hours) == (42, 7)
    assert [l.points for l in later.lines] == [-12, -5, -20]
    earlier = await statement(member_id=bank.li, end=third)
    assert [l.points for l in earlier.lines] == [20, 22] and earlier.closing_balance == 42


async def test_verify_names_service_approved_without_its_points_or_by_its_enterer(bank):
    # given: the books in order
    entered = await record(bank)
    await approve_service(shop_id=bank.shop_id, record_id=entered.id, staff_id=bank.second_id, types=TYPES)
    assert await passbook.lovebank_problems() == []

    # when: a record is marked approved behind the rules' back (no points issued, approved by its enterer)
    sneaked = await record(bank)
    async with triggers_off(ServiceRecord._meta.db, "service_record"):
        await ServiceRecord.update({ServiceRecord.status: "approved", ServiceRecord.points_pts: 20,
                                    ServiceRecord.decided_by: bank.coordinator_id}).where(
            ServiceRecord.id == sneaked.id)

        # then
        problems = await passbook.lovebank_problems()
        assert problems == [f"approved service without its ledger transaction of its points: {sneaked.id}",
                            f"service decided by the coordinator who entered it: {sneaked.id}"]
        await ServiceRecord.update({ServiceRecord.status: "rejected", ServiceRecord.points_pts: None,
                                    ServiceRecord.decided_by: bank.second_id}).where(ServiceRecord.id == sneaked.id)


def test_a_bad_love_bank_setting_stops_start_up_naming_its_key(tmp_path):
    from shop.settings import SettingsError, load_settings

    config = tmp_path / "config.toml"
    for text, key in (('service_types = [{ code = "elder-care", name = "助老", points_per_hour = -1 }]',
                       "lovebank.service_types[0].points_per_hour"),
                      ('service_types = [{ code = "Elder Care", name = "助老", points_per_hour = 10 }]',
                       "lovebank.service_types[0].code"),
                      ("service_types = []", "lovebank"),
                      ("max_hours = 0", "lovebank.max_hours")):
        config.write_text(f"[lovebank]\n{text}\n", encoding="utf-8")
        with pytest.raises(SettingsError, match=rf"setting {re.escape(key)} is wrong"):
            load_settings(config, environ={})
    config.write_text('[lovebank]\nservice_types = [{ code = "a", name = "甲", points_per_hour = 15 }]\n',
                      encoding="utf-8")
    assert [(t.code, t.points_per_hour) for t in load_settings(config, environ={}).lovebank.service_types] == [
        ("a", 15)]


async def test_sales_paid_in_points_and_gifts_from_one_account_at_once_never_overdraw_it(bank, settings):
    """The till's own points tender (pos.checkout) and the love bank's gifts, racing for one member's 100 points."""
    from pos.checkout import CartLine, commit_sale
    from tests.pos.till import till_rules
    from pos.tender import PointsIn

    # given
    member = await passbook.member_by_id(member_id=bank.li)
    await earn(bank, bank.li, half_hours=20)

    def sale(n):  # three books, ¥36.00: 30 points and ¥6.00 in cash
        return commit_sale(shop_id=bank.shop_id, till_id=bank.till_id, cashier_id=bank.cashier_id,
                           lines=[CartLine(bank.book, 3)], cash_given_fen=1000, idempotency_key=f"race-sale-{n:04d}",
                           rules=till_rules(settings),
                           points=PointsIn(points=30, member_code=member.card_code))

    gifts = [await donate_points(shop_id=bank.shop_id, from_member_id=bank.li, to_member_id=bank.wang, points=30,
                                 staff_id=bank.coordinator_id) for _ in range(6)]

    # when: the six gifts are approved while six sales are paid, all at once
    outcomes = await asyncio.gather(*(
        sale(n) if n % 2 else approve_gift(shop_id=bank.shop_id, gift_id=gifts[n // 2].id, staff_id=bank.second_id)
        for n in range(12)), return_exceptions=True)

    # then: exactly three of the twelve went through, the others were refused and changed nothing
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, DomainError) and status_of(o) in (400, 409) for o in failed), failed
    assert len(outcomes) - len(failed) == 3
    assert await points_of(bank.li) == 10
    redeemed = -await ledger.balance(ledger.POINTS_REDEEMED, ledger.Currency.PTS)
    assert redeemed + await points_of(bank.wang) == 90
