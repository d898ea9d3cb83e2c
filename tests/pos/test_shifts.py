"""Shifts that count (issue 20), on both engines: a till session or an intake shift, once closed, waits in the linked
member's passbook as 店内值班 for its completed half-hours, witnessed by whoever closed it; approving it issues the
points. No linked member, a shift under 30 minutes, a closed member: nothing recorded, and the close still closes."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from donations.errors import DonationError
from donations.shifts import open_intake_shift, open_shift_of
from lovebank import members, passbook
from pos.sessions import close_session, open_session
from pos.shifts import ShiftRule, close_intake_shift, shift_half_hours
from pos.tills import add_till
from shop.errors import DomainError
from shop.staff import Role, create_staff


@given(minutes=st.integers(min_value=0, max_value=48 * 60), max_hours=st.integers(min_value=1, max_value=24))
def test_a_shift_counts_its_completed_half_hours_never_more_than_served_nor_past_the_limit(minutes, max_hours):
    opened = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    half_hours = shift_half_hours(opened, opened + timedelta(minutes=minutes), max_hours=max_hours)
    assert half_hours == min(minutes // 30, 2 * max_hours)
    assert half_hours * 30 <= minutes and (half_hours == 0) == (minutes < 30)


@pytest.fixture
async def crew(goods, settings):
    """A coordinator, an intake volunteer, member 李阿姨 linked to the cashier and 王叔叔 to the intake volunteer."""
    goods.coordinator_id = (await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw",
                                               role=Role.COORDINATOR, display_name="刘老师")).id
    goods.intake_id = (await create_staff(shop_id=goods.shop_id, username="desk", password="desk-pw",
                                          role=Role.INTAKE, display_name="小王")).id
    goods.li = await passbook.open_member(shop_id=goods.shop_id, name="李阿姨")
    goods.wang = await passbook.open_member(shop_id=goods.shop_id, name="王叔叔")
    await members.link_staff(username="cashier", member=goods.li.number, by=goods.manager_id)
    await members.link_staff(username="desk", member=goods.wang.card_code, by=goods.manager_id)
    goods.rule = ShiftRule.of(settings)
    return goods


async def session_of(crew, code: str, staff_id: int, length: timedelta, *, closer: int):
    """A till opened `length` ago by `staff_id`, closed now by `closer`."""
    till = await add_till(shop_id=crew.shop_id, code=code, name=f"{code} 收银台")
    opened = datetime.now(UTC) - length
    await open_session(shop_id=crew.shop_id, till_id=till, staff_id=staff_id, float_fen=0, now=opened)
    await close_session(shop_id=crew.shop_id, till_id=till, staff_id=closer, counted_fen=0, shift=crew.rule)
    return opened


async def test_a_till_session_of_2_h_10_min_waits_as_2_h_of_shop_duty_and_approving_it_issues_the_points(
        crew, settings):
    # when the cashier's till, opened 2 h 10 min ago, is closed by the manager
    opened = await session_of(crew, "T2", crew.cashier_id, timedelta(hours=2, minutes=10), closer=crew.manager_id)
    # then one pending 店内值班 record of 2 h for the cashier's member, witnessed by the manager
    [record] = await passbook.pending_service(shop_id=crew.shop_id)
    start = opened.astimezone(settings.zone)
    assert (record.member_id, record.service_type, record.half_hours, record.status) == (
        crew.li.id, "shop-duty", 4, "pending")
    assert (record.witness, record.entered_by, record.place) == ("陈姐", crew.manager_id, f"{settings.shop.name} T2")
    assert (record.served_on, record.start_time) == (start.date(), start.strftime("%H:%M"))
    assert record.content.startswith("收银值班 TS")
    # when the coordinator approves it, as any service: 2 h at 12 points an hour
    approved = await passbook.approve_service(shop_id=crew.shop_id, record_id=record.id,
                                              staff_id=crew.coordinator_id, types=settings.lovebank.service_types)
    assert approved.points == 24 and await passbook.points_of(crew.li.id) == 24


async def test_no_member_no_record_and_the_close_never_fails_for_it(crew, goods):
    # given a second cashier with no linked member
    other = (await create_staff(shop_id=crew.shop_id, username="cashier2", password="cashier2-pw",
                                role=Role.CASHIER, display_name="小李")).id
    # when their 3 h session closes, and the linked cashier's 25 minutes
    await session_of(crew, "T2", other, timedelta(hours=3), closer=other)
    await session_of(crew, "T3", crew.cashier_id, timedelta(minutes=25), closer=crew.cashier_id)
    # and when the linked member's account is closed before their 4 h session ends
    await passbook.close_member(shop_id=crew.shop_id, member_id=crew.li.id, staff_id=crew.coordinator_id)
    await session_of(crew, "T4", crew.cashier_id, timedelta(hours=4), closer=crew.manager_id)
    # then every till closed, and nothing waits in any passbook
    assert await passbook.pending_service(shop_id=crew.shop_id) == []


async def test_an_intake_shift_waits_in_the_volunteers_passbook(crew, settings):
    # given the intake volunteer's shift, opened 2 h 10 min ago
    await open_intake_shift(shop_id=crew.shop_id, staff_id=crew.intake_id,
                            now=datetime.now(UTC) - timedelta(hours=2, minutes=10))
    with pytest.raises(DomainError) as refused:  # one open shift at a time
        await open_intake_shift(shop_id=crew.shop_id, staff_id=crew.intake_id)
    assert refused.value.code == DonationError.SHIFT_ALREADY_OPEN
    # when they close it
    shift, record = await close_intake_shift(crew.rule, shop_id=crew.shop_id, staff_id=crew.intake_id)
    # then their member's passbook has 2 h of 店内值班 at the intake desk, witnessed by them, waiting
    assert shift.closed_at is not None and await open_shift_of(staff_id=crew.intake_id) is None
    assert (record.member_id, record.half_hours, record.service_type, record.witness, record.status) == (
        crew.wang.id, 4, "shop-duty", "小王", "pending")
    assert record.place == f"{settings.shop.name} 捐赠登记台"
    # and closing again is refused
    with pytest.raises(DomainError) as refused:
        await close_intake_shift(crew.rule, shop_id=crew.shop_id, staff_id=crew.intake_id)
    assert refused.value.code == DonationError.NO_OPEN_SHIFT
    approved = await passbook.approve_service(shop_id=crew.shop_id, record_id=record.id,
                                              staff_id=crew.coordinator_id, types=settings.lovebank.service_types)
    assert await passbook.points_of(crew.wang.id) == approved.points == 24
