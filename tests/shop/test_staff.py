"""Staff: wrong passwords and PINs throttled and logged, administration, and whether a session still holds."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop import throttle
from shop.errors import DomainError, ShopError
from web.problems import status_of
from shop.staff import (
    Role, StaffError, approving_manager, authenticate, check_manager_pin, create_staff, end_sessions, list_staff, reset_password,
    session_state, set_active, set_pin, set_role,
)
from shop.tables import AccessFailure, AccessThrottle, Staff
from shop.throttle import AccessError, Origin, origin, seconds_left, wait_after

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


# -- the rule ---------------------------------------------------------------------------------------------

def test_the_wait_starts_after_five_failures_at_30_seconds_and_doubles_up_to_15_minutes():
    assert [wait_after(n) for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert wait_after(10_000) == 900


@given(st.integers(0, 10_000), st.integers(0, 2 * 24 * 3600))
def test_the_time_left_shrinks_as_time_passes_and_a_day_forgets(failures, elapsed):
    left = seconds_left(failures, NOW, NOW + timedelta(seconds=elapsed))
    assert 0 <= left <= wait_after(failures)
    assert left == max(0, wait_after(failures) - elapsed) or elapsed >= 24 * 3600
    if elapsed >= 24 * 3600:
        assert left == 0


# -- a manager's PIN ----------------------------------------------------------------------------------------

async def _waited(key: str, seconds: int) -> None:
    """As if `seconds` had passed since the key's last failure."""
    row = await AccessThrottle.select(AccessThrottle.last_failure_at).where(AccessThrottle.key == key).first()
    await AccessThrottle.update({AccessThrottle.last_failure_at: row["last_failure_at"] - timedelta(seconds=seconds)}
                                ).where(AccessThrottle.key == key)


async def test_five_wrong_pins_then_even_the_right_one_waits_and_every_failure_is_logged(goods):
    # given
    await set_pin(username="manager", pin="24681357")
    token = origin.set(Origin(place="10.0.0.7", staff_id=goods.cashier_id, username="cashier"))
    try:
        # when five wrong PINs are typed
        for wrong in ("1111", "2222", "3333", "4444", "12"):
            with pytest.raises(DomainError) as caught:
                await check_manager_pin(goods.shop_id, wrong)
            assert caught.value.code is ShopError.BAD_PIN and status_of(caught.value) == 403
        # then even the right PIN is refused, with the wait, and not checked
        with pytest.raises(DomainError) as caught:
            await check_manager_pin(goods.shop_id, "24681357")
        assert caught.value.code is AccessError.TOO_MANY_TRIES and status_of(caught.value) == 429
        assert 25 <= caught.value.params["seconds"] <= 30
        failures = await AccessFailure.select().order_by(AccessFailure.id)
        assert [(f["kind"], f["staff"], f["username"], f["place"]) for f in failures] == \
            [("pin", goods.cashier_id, "cashier", "10.0.0.7")] * 5

        # when the wait is over, one more wrong PIN doubles it
        await _waited(f"pin:staff:{goods.cashier_id}", 31)
        await _waited("pin:at:10.0.0.7", 31)
        with pytest.raises(DomainError) as caught:
            await check_manager_pin(goods.shop_id, "5555")
        assert caught.value.code is ShopError.BAD_PIN
        with pytest.raises(DomainError) as caught:
            await check_manager_pin(goods.shop_id, "24681357")
        assert caught.value.code is AccessError.TOO_MANY_TRIES and 55 <= caught.value.params["seconds"] <= 60

        # when it is over again, the right PIN approves, and the count starts again
        await _waited(f"pin:staff:{goods.cashier_id}", 61)
        await _waited("pin:at:10.0.0.7", 61)
        assert await check_manager_pin(goods.shop_id, "24681357") == goods.manager_id
        assert await AccessThrottle.count() == 0
    finally:
        origin.reset(token)


async def test_many_pins_sent_at_once_are_counted_before_they_are_checked(goods):
    # when twelve wrong PINs arrive together from one till
    await set_pin(username="manager", pin="97531")

    async def guess(pin: str):
        try:
            return await check_manager_pin(goods.shop_id, pin, by=goods.cashier_id, place="10.0.0.7")
        except DomainError as error:
            return error.code

    answers = await asyncio.gather(*(guess(f"{1000 + i}") for i in range(12)))
    # then five are checked, the others wait unchecked
    assert sorted(map(str, answers)) == ["bad-pin"] * 5 + ["too-many-tries"] * 7
    assert await AccessFailure.count() == 5


async def test_another_cashier_at_another_till_is_not_held_up_by_a_guesser(goods):
    # given a cashier who guessed five times at one till
    await set_pin(username="manager", pin="8642")
    other = await create_staff(shop_id=goods.shop_id, username="cashier2", password="cashier-pw", role=Role.CASHIER)
    for _ in range(5):
        with pytest.raises(DomainError):
            await check_manager_pin(goods.shop_id, "0000", by=goods.cashier_id, place="10.0.0.7")
    with pytest.raises(DomainError) as caught:
        await check_manager_pin(goods.shop_id, "8642", by=goods.cashier_id, place="10.0.0.8")  # the person waits
    assert caught.value.code is AccessError.TOO_MANY_TRIES
    with pytest.raises(DomainError) as caught:
        await check_manager_pin(goods.shop_id, "8642", by=other.id, place="10.0.0.7")  # and so does the till
    assert caught.value.code is AccessError.TOO_MANY_TRIES
    # then another person at another till is served
    assert await check_manager_pin(goods.shop_id, "8642", by=other.id, place="10.0.0.8") == goods.manager_id


async def test_pins_of_4_to_12_digits_and_a_deactivated_managers_pin_approves_nothing(goods):
    await set_pin(username="manager", pin="123456789012")
    assert await check_manager_pin(goods.shop_id, "123456789012") == goods.manager_id
    for bad in ("123", "1234567890123", "12a4"):
        with pytest.raises(DomainError) as caught:
            await set_pin(username="manager", pin=bad)
        assert caught.value.code is ShopError.PIN_FORMAT and caught.value.params == {"minimum": 4, "maximum": 12}
    await set_active(username="manager", active=False)
    with pytest.raises(DomainError) as caught:
        await check_manager_pin(goods.shop_id, "123456789012")
    assert caught.value.code is ShopError.BAD_PIN


async def test_a_manager_at_the_till_allows_by_being_there_a_cashier_needs_a_managers_pin(goods):
    await set_pin(username="manager", pin="24681357")
    # a manager (or an admin) logged in allows it without a PIN
    assert await approving_manager(goods.shop_id, role=Role.MANAGER, staff_id=goods.manager_id, pin=None) == \
        goods.manager_id
    # a cashier: the manager whose PIN was typed, nobody without one, a refusal for a wrong one
    assert await approving_manager(goods.shop_id, role=Role.CASHIER, staff_id=goods.cashier_id,
                                   pin="24681357") == goods.manager_id
    assert await approving_manager(goods.shop_id, role=Role.CASHIER, staff_id=goods.cashier_id, pin="") is None
    with pytest.raises(DomainError) as caught:
        await approving_manager(goods.shop_id, role=Role.CASHIER, staff_id=goods.cashier_id, pin="1111")
    assert caught.value.code is ShopError.BAD_PIN


# -- logins ----------------------------------------------------------------------------------------------------

async def test_logins_are_throttled_by_username_and_by_place_and_logged(goods):
    # when five wrong passwords are typed for one username, from several places
    for i in range(5):
        with pytest.raises(DomainError) as caught:
            await authenticate(username="Manager", password="guess", place=f"10.0.0.{i}")
        assert caught.value.code is ShopError.BAD_LOGIN
    # then the username waits, wherever it is typed, even with the right password
    with pytest.raises(DomainError) as caught:
        await authenticate(username="manager", password="manager-pw", place="10.0.0.99")
    assert caught.value.code is AccessError.TOO_MANY_TRIES
    assert (await authenticate(username="cashier", password="cashier-pw", place="10.0.0.1")).id == goods.cashier_id

    # when one place tries five usernames nobody has
    for name in ("a", "b", "c", "d", "e"):
        with pytest.raises(DomainError):
            await authenticate(username=name, password="guess", place="10.0.0.50")
    # then that place waits, even for a right password
    with pytest.raises(DomainError) as caught:
        await authenticate(username="cashier", password="cashier-pw", place="10.0.0.50")
    assert caught.value.code is AccessError.TOO_MANY_TRIES

    logged = await AccessFailure.select().order_by(AccessFailure.id)
    assert [(f["kind"], f["staff"], f["username"]) for f in logged[:5]] == [("login", goods.manager_id, "manager")] * 5
    assert [f["place"] for f in logged[:5]] == [f"10.0.0.{i}" for i in range(5)]
    assert [(f["staff"], f["username"], f["place"]) for f in logged[5:]] == \
        [(None, name, "10.0.0.50") for name in "abcde"]
    failures = await throttle.recent_failures(shop_id=goods.shop_id)
    assert len(failures) == 10 and failures[0].username == "e" and failures[-1].display_name == "陈姐"


async def test_a_deactivated_person_cannot_log_in_and_the_attempt_is_logged(goods):
    await set_active(username="cashier", active=False)
    with pytest.raises(DomainError) as caught:
        await authenticate(username="cashier", password="cashier-pw")
    assert caught.value.code is ShopError.BAD_LOGIN
    assert await AccessFailure.select(AccessFailure.staff, AccessFailure.place).first() == \
        {"staff": goods.cashier_id, "place": "local"}
    await set_active(username="cashier", active=True)
    assert (await authenticate(username="cashier", password="cashier-pw")).id == goods.cashier_id


# -- administration and sessions ----------------------------------------------------------------------------

async def test_each_change_to_a_person_ends_their_sessions(goods):
    state = await session_state(goods.cashier_id)
    assert state is not None and state.active and state.role == "cashier" and state.ended_us == 0
    ended = []
    for change in (lambda: end_sessions(goods.cashier_id),
                   lambda: reset_password(username="cashier", password="new-cashier-pw"),
                   lambda: set_role(username="cashier", role=Role.INTAKE),
                   lambda: set_active(username="cashier", active=False)):
        await change()
        ended.append((await session_state(goods.cashier_id)).ended_us)  # seen at once in this process
    assert ended[0] > 0 and ended == sorted(ended) and len(set(ended)) == 4
    state = await session_state(goods.cashier_id)
    assert (state.active, state.role) == (False, "intake")
    assert await session_state(99_999) is None


async def test_the_last_admin_stays_and_a_demoted_manager_loses_the_pin(goods):
    await create_staff(shop_id=goods.shop_id, username="boss", password="boss-pw-1", role=Role.ADMIN)
    for change in (lambda: set_active(username="boss", active=False),
                   lambda: set_role(username="boss", role=Role.MANAGER)):
        with pytest.raises(DomainError) as caught:
            await change()
        assert caught.value.code is StaffError.LAST_ADMIN and status_of(caught.value) == 409
    await set_pin(username="manager", pin="2468")
    await set_role(username="manager", role=Role.CASHIER)
    assert await Staff.select(Staff.pin_hash).where(Staff.username == "manager").first() == {"pin_hash": None}
    with pytest.raises(DomainError) as caught:
        await reset_password(username="cashier", password="short")
    assert caught.value.code is ShopError.WEAK_PASSWORD
    with pytest.raises(DomainError) as caught:
        await set_active(username="nobody", active=False)
    assert caught.value.code is ShopError.NOT_FOUND
    listed = await list_staff(shop_id=goods.shop_id)
    assert [(s.username, s.role, s.active, s.has_pin) for s in listed] == [
        ("boss", "admin", True, False), ("cashier", "cashier", True, False), ("manager", "cashier", True, False)]
