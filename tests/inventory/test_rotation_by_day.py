"""Markdown steps move at the shop's local midnight: an item's age is whole shop days from the date it came in to
the date of now, so a price holds all day. The pure rule in several zones, then the scanner on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from inventory.catalogue import find_for_till, price_now
from inventory.rotation import Rotation, Step, day_start
from inventory.shelf import ageing
from inventory.tables import Item

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8 all year: a shop day begins at 16:00 UTC the day before
STEPS = (Step(4, 30), Step(8, 50))


def rotation(zone: ZoneInfo = SHANGHAI) -> Rotation:
    return Rotation(steps=STEPS, remove_after_weeks=12, sources=frozenset({"donated"}), zone=zone)


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def test_a_piece_that_came_in_at_23_50_is_one_day_old_at_00_10():
    came_in = local(date(2026, 11, 8), 23, 50)
    assert rotation().age_days(came_in=came_in, now=local(date(2026, 11, 8), 23, 59)) == 0
    assert rotation().age_days(came_in=came_in, now=local(date(2026, 11, 9), 0, 10)) == 1  # 20 minutes later


def test_a_step_is_reached_at_the_shops_midnight_not_at_the_hour_it_came_in():
    # given a coat that came in at 18:00 on 9 November, shop time
    came_in = local(date(2026, 11, 9), 18)
    four_weeks = date(2026, 11, 9) + timedelta(weeks=4)
    # then it is full price until the last instant of the day before 4 weeks, and 30% off from that midnight on,
    # all day, hours before 18:00
    last_instant = datetime.combine(four_weeks, time.min, tzinfo=SHANGHAI) - timedelta(microseconds=1)
    assert rotation().markdown_percent(came_in=came_in, now=last_instant) == 0
    for hour in (0, 10, 17, 23):
        assert rotation().markdown_percent(came_in=came_in, now=local(four_weeks, hour)) == 30
    assert rotation().markdown_percent(came_in=came_in, now=local(four_weeks + timedelta(weeks=4), 0)) == 50
    assert not rotation().removal_due(came_in=came_in, now=local(date(2026, 11, 9) + timedelta(weeks=12), 0)
                                      - timedelta(microseconds=1))
    assert rotation().removal_due(came_in=came_in, now=local(date(2026, 11, 9) + timedelta(weeks=12), 0))


def test_days_are_the_shops_not_utcs():
    # given a piece that came in at 00:30 in Shanghai: 16:30 UTC, still the day before in UTC
    came_in = local(date(2026, 11, 9), 0, 30)
    assert came_in.astimezone(UTC).date() == date(2026, 11, 8)
    now = local(date(2026, 12, 7), 0, 10)  # 27 days 23 h 40 min later, but the 28th shop day
    # then in Shanghai it is 4 weeks old at ten past midnight, though not 28 × 24 hours
    assert now - came_in < timedelta(days=28)
    assert rotation().markdown_percent(came_in=came_in, now=now) == 30
    # and twenty minutes before, at 23:50 in Shanghai, it is not; a shop in UTC would count from its own dates
    # (8 November to 6 December): 4 weeks already
    before = local(date(2026, 12, 6), 23, 50)
    assert rotation().markdown_percent(came_in=came_in, now=before) == 0
    assert rotation(ZoneInfo("UTC")).markdown_percent(came_in=came_in, now=before) == 30
    assert rotation().day_start(date(2026, 12, 7)) == datetime(2026, 12, 6, 16, tzinfo=UTC)
    # and the price the scanner and the offline check use is that of the shop day
    assert price_now(price_fen=999, source="donated", perishable=False, came_in=came_in.astimezone(UTC).isoformat(),
                     rotation=rotation(), now=now) == (699, 30)
    assert price_now(price_fen=999, source="donated", perishable=True, came_in=came_in, rotation=rotation(),
                     now=now) == (999, 0)


ZONES = [ZoneInfo(name) for name in ("Asia/Shanghai", "UTC", "Europe/London", "America/Santiago",
                                     "America/Havana", "Pacific/Chatham", "Asia/Kathmandu")]
INSTANTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@given(st.sampled_from(ZONES), st.dates(min_value=date(2020, 1, 2), max_value=date(2035, 1, 1)))
def test_a_shop_day_starts_at_the_first_instant_of_its_date_also_where_a_clock_change_skips_midnight(zone, day):
    start = day_start(day, zone)
    assert start.astimezone(zone).date() == day
    assert (start - timedelta(microseconds=1)).astimezone(zone).date() == day - timedelta(days=1)


@given(st.sampled_from(ZONES), INSTANTS, INSTANTS, st.integers(0, 86_399))
def test_the_markdown_is_the_same_all_shop_day(zone, came_in, now, seconds):
    # given any intake time and any instant of a shop day
    ageing = rotation(zone)
    start = ageing.day_start(ageing.day_of(now))
    other = start + timedelta(seconds=seconds)
    if ageing.day_of(other) != ageing.day_of(now):  # a day of 23 hours (a clock put forward)
        return
    # then every instant of that day has the same markdown and the same removal: the one of its date
    assert ageing.markdown_percent(came_in=came_in, now=other) == ageing.markdown_percent(came_in=came_in, now=now) \
        == ageing.markdown_on(came_in_day=ageing.day_of(came_in), day=ageing.day_of(now))
    assert ageing.removal_due(came_in=came_in, now=other) == ageing.removal_due(came_in=came_in, now=now)


async def test_the_scanner_prices_by_the_shop_day(goods):
    # given a coat that came in at 23:50 shop time, 27 days before today (shop time)
    today = datetime.now(SHANGHAI).date()
    came_in = local(today - timedelta(days=28), 23, 50)
    await Item.update({Item.created_at: came_in.astimezone(UTC)}).where(Item.barcode == goods.coat)
    # when it is scanned at 23:59 the day it is 27 days old, and at 00:10 the next morning (28 days: 4 weeks)
    scans = [await find_for_till(shop_id=goods.shop_id, barcode=goods.coat, rotation=rotation(), today=today,
                                 now=local(day, hour, minute))
             for day, hour, minute in ((today - timedelta(days=1), 23, 59), (today, 0, 10), (today, 23, 59))]
    # then it is full price at 23:59, 30% off from ten past midnight to the end of the day
    assert [(s.markdown_percent, s.price_fen) for s in scans] == [(0, 3500), (30, 2450), (30, 2450)]


@pytest.mark.parametrize("hour", [0, 7, 8, 23])  # shop hours that are the day before in UTC, and after
async def test_the_scanner_and_the_rule_agree_at_every_hour_of_a_shanghai_day(goods, hour):
    today = datetime.now(SHANGHAI).date()
    intake = local(today - timedelta(weeks=8), hour)  # 8 weeks ago by the shop's calendar, at this hour
    await Item.update({Item.created_at: intake.astimezone(UTC)}).where(Item.barcode == goods.coat)
    first = local(today, 0) + timedelta(seconds=1)
    scanned = await find_for_till(shop_id=goods.shop_id, barcode=goods.coat, rotation=rotation(), today=today,
                                  now=first)
    assert (scanned.markdown_percent, scanned.price_fen) == (50, 1750)
    day_before = await find_for_till(shop_id=goods.shop_id, barcode=goods.coat, rotation=rotation(),
                                     today=today - timedelta(days=1), now=first - timedelta(seconds=2))
    assert (day_before.markdown_percent, day_before.price_fen) == (30, 2450)


async def test_the_shelfs_ageing_list_has_a_piece_from_the_midnight_its_first_step_is_reached(goods):
    # given a coat that came in at 23:50 shop time, 28 shop days before today
    today = datetime.now(SHANGHAI).date()
    await Item.update({Item.created_at: local(today - timedelta(days=28), 23, 50).astimezone(UTC)}).where(
        Item.barcode == goods.coat)
    listed = [[item.barcode for item in await ageing(shop_id=goods.shop_id, rotation=rotation(), now=now)]
              for now in (local(today - timedelta(days=1), 23, 59), local(today, 0, 10))]
    # then it is not on the list at 23:59 the day before, and is from ten past midnight (before 28 × 24 hours)
    assert listed == [[], [goods.coat]]
