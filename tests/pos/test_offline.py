"""Sales made while the till was offline, as they arrive (pos/offline.py), on SQLite and PostgreSQL: sold at their
time and the prices charged, in the session open then; each once, however often and however concurrently the
journal is sent; held for a manager when they cannot be sales, and settled or written off later, in the books."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from inventory.catalogue import add_item, change_price, item_by_barcode, update_item
from pos.errors import OfflineError, SaleError
from pos.offline import (
    MAX_AGE, OFFLINE_PRICE, OFFLINE_SETTLEMENT, ChargedLine, Differed, Held, Status, TillOffline, accept_offline_sale,
    charged_total, check_made_at, check_offline_number, check_sold, offline_of_session, request_digest, settle_held,
    to_settle, write_off_held,
)
from pos.overrides import overrides_between
from pos.oversold import oversold
from pos.reports import period_of, report
from pos.summaries import fold
from pos.returns import ReturnRequestLine, commit_return, sale_for_return
from pos.sessions import close_session, open_session, session_figures
from pos.sold import sold_totals
from pos.tables import OfflineSale, Override, Sale, SaleLine
from pos.tills import add_till
from pos.verify import verify
from shop import ledger
from shop.database import run
from shop.errors import DomainError
from shop.tables import LedgerTxn
from tests.pos.till import till_rules

UNKNOWN = "6901234500028"  # a well-formed EAN-13 the test shop does not sell (yet)


def _lines(*lines: tuple[str, int, int]) -> list[ChargedLine]:
    return [ChargedLine(code, quantity, price) for code, quantity, price in lines]


def offline(goods, settings, *lines: tuple[str, int, int], made_at: datetime, number: str, till_id: int | None = None,
            till_code: str = "T1", key: str | None = None, cash: int | None = None, paper=None):
    charged = _lines(*lines)
    return accept_offline_sale(
        shop_id=goods.shop_id, till_id=till_id or goods.till_id, till_code=till_code, cashier_id=goods.cashier_id,
        offline_number=number, made_at=made_at, idempotency_key=key or uuid.uuid4().hex, lines=charged,
        cash_given_fen=charged_total(charged) if cash is None else cash, rules=till_rules(settings), paper=paper)


async def till_opened(goods, code: str, *, ago: timedelta) -> tuple[int, int]:
    """Another till, opened `ago` (a float of ¥0): its id and its session's."""
    till_id = await add_till(shop_id=goods.shop_id, code=code, name=f"{code} 收银台")
    session = await open_session(shop_id=goods.shop_id, till_id=till_id, staff_id=goods.cashier_id, float_fen=0,
                                 now=datetime.now(UTC) - ago)
    return till_id, session.id


async def test_a_sale_made_offline_an_hour_ago_is_of_that_hour_and_of_the_session_open_then(goods, settings):
    # given a till opened three hours ago, and a sale made on it an hour ago while the server was out of reach
    t2, session_id = await till_opened(goods, "T2", ago=timedelta(hours=3))
    made_at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    # when it arrives now
    result = await offline(goods, settings, (goods.noodles, 2, 1250), (goods.book, 1, 1200), made_at=made_at,
                           number="T2-0000001", till_id=t2, till_code="T2", cash=5000)
    # then it is a sale of that time, in that session, at the prices charged, with nothing to settle
    assert result.status == Status.SOLD and result.settle == () and not result.replayed
    sale = result.sale
    assert (sale.created_at, sale.total_fen, sale.change_fen) == (made_at, 3700, 1300)
    row = await Sale.select(Sale.session, Sale.created_at).where(Sale.id == sale.id).first()
    assert row["session"] == session_id and row["created_at"] == made_at
    # and the reports' summary of that hour holds it, at that till (once folded from the outbox, pos/summaries.py)
    assert await fold() > 0
    hour = made_at.strftime("%Y-%m-%d %H")
    summed = await run(Sale._meta.db, "SELECT till, sales, value, fund FROM report_sale_hour WHERE utc_hour = $1",
                       hour)
    assert [(r["till"], r["sales"], r["value"], r["fund"]) for r in summed] == [(t2, 1, 3700, sale.fund_fen)]
    # and the till's X report counts it among its sales and says it arrived offline
    figures = await session_figures(shop_id=goods.shop_id, session_id=session_id)
    assert (figures.sales_count, figures.gross_fen, figures.offline_count, figures.offline_held) == (1, 3700, 1, 0)
    assert figures.expected_cash_fen == 3700
    assert await offline_of_session(session_id=session_id) == TillOffline(received=1, held=0, to_settle=0)


async def test_a_price_charged_offline_is_the_price_sold_at_with_an_offline_price_override_and_no_pin(goods, settings):
    # given noodles at ¥12.50 sold offline at ¥10.00 (20% off: past the 10% a cashier may give without a PIN)
    now = datetime.now(UTC)
    # when the sale arrives
    result = await offline(goods, settings, (goods.noodles, 3, 1000), (goods.book, 1, 1200), made_at=now,
                           number="T1-0000001")
    # then it is sold as charged, the difference logged with the reason "offline price", for a manager to settle
    assert result.settle == (Differed.OFFLINE_PRICE,)
    assert result.sale.total_fen == 4200
    noodles = next(line for line in result.sale.lines if line.barcode == goods.noodles)
    assert (noodles.unit_price_fen, noodles.value_fen) == (1000, 3000)
    logged = await overrides_between(shop_id=goods.shop_id, start=now - timedelta(minutes=1),
                                     end=now + timedelta(minutes=1))
    assert [(o.sale, o.kind, o.before_fen, o.after_fen, o.reason, o.approved_by) for o in logged] == [
        (result.sale.number, "price", 1250, 1000, OFFLINE_PRICE, "")]
    listed = await to_settle(shop_id=goods.shop_id)
    assert [(o.offline_number, o.status, o.detail, o.sale_number) for o in listed] == [
        ("T1-0000001", Status.SOLD, Differed.OFFLINE_PRICE, result.sale.number)]
    assert (await offline_of_session(session_id=goods.session_id)).to_settle == 1
    # when a manager has checked it, it is off the list (and checking it again is refused)
    await check_sold(shop_id=goods.shop_id, offline_id=result.id, manager_id=goods.manager_id)
    assert await to_settle(shop_id=goods.shop_id) == []
    with pytest.raises(DomainError) as again:
        await check_sold(shop_id=goods.shop_id, offline_id=result.id, manager_id=goods.manager_id)
    assert again.value.code == OfflineError.NOT_TO_SETTLE


async def test_the_price_of_the_time_of_the_sale_counts_not_the_price_changed_since(goods, settings):
    # given a book sold offline at ¥12.00, its price then; the manager raised it to ¥15.00 afterwards
    made_at = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await change_price(shop_id=goods.shop_id, barcode=goods.book, price_fen=1500, staff_id=goods.manager_id)
    # when the sale arrives
    result = await offline(goods, settings, (goods.book, 1, 1200), made_at=made_at, number="T1-0000002")
    # then nothing differed: it was sold at its price of the time
    assert result.settle == () and result.sale.total_fen == 1200
    assert await Override.count() == 0


async def test_an_item_withdrawn_meanwhile_is_sold_as_charged_and_listed_to_settle(goods, settings):
    # given the coasters withdrawn from sale after the till, offline, sold two at their price
    await update_item(shop_id=goods.shop_id, barcode=goods.coasters, name="手工编织杯垫", category="crafts",
                      location="", low_stock_at=None, active=False)
    # when the sale arrives
    result = await offline(goods, settings, (goods.coasters, 2, 500), made_at=datetime.now(UTC), number="T1-0000003")
    # then it is sold (the maker earns their share), with an "offline price" override logged for the line
    assert result.settle == (Differed.ITEM_WITHDRAWN,)
    assert (result.sale.total_fen, result.sale.maker_fen) == (1000, 800)
    logged = await Override.select(Override.kind, Override.before_fen, Override.after_fen, Override.reason)
    assert logged == [dict(kind="price", before_fen=500, after_fen=500, reason=OFFLINE_PRICE)]
    assert [o.detail for o in await to_settle(shop_id=goods.shop_id)] == [Differed.ITEM_WITHDRAWN]
    assert await ledger.balance(ledger.maker_payable(goods.maker_id)) == -800


async def test_selling_offline_past_the_stock_takes_it_below_zero_and_lists_it_oversold(goods, settings):
    # given the one coat sold at the till while another till, offline, sold it too
    now = datetime.now(UTC)
    first = await offline(goods, settings, (goods.coat, 1, 3500), made_at=now, number="T1-0000004")
    # when the offline sale arrives second
    second = await offline(goods, settings, (goods.coat, 1, 3500), made_at=now, number="T1-0000005")
    # then both are sales; the books hold -1 coats and the second sale is listed as sold beyond stock
    assert not first.sale.lines[0].oversold and second.sale.lines[0].oversold
    (coat,) = await oversold(shop_id=goods.shop_id)
    assert coat.on_hand == -1 and [s.number for s in coat.sales] == [second.sale.number]


async def test_the_same_journal_sent_three_times_and_at_once_makes_each_sale_once(goods, settings):
    # given two sales made offline, each with its key
    now = datetime.now(UTC)
    one = dict(made_at=now, number="T1-0000010", key="offline-key-one")
    two = dict(made_at=now, number="T1-0000011", key="offline-key-two")
    # when the journal is sent from two tabs at once, and once more after a crash
    noodles, book = (goods.noodles, 1, 1250), (goods.book, 1, 1200)
    results = await asyncio.gather(
        offline(goods, settings, noodles, **one), offline(goods, settings, noodles, **one),
        offline(goods, settings, book, **two), offline(goods, settings, noodles, **one),
        offline(goods, settings, book, **two))
    again = await offline(goods, settings, (goods.noodles, 1, 1250), **one)
    # then each sale was written once: one sale per key, the others its replays with the same number
    firsts = [r for r in results if not r.replayed]
    assert sorted(r.offline_number for r in firsts) == ["T1-0000010", "T1-0000011"]
    assert {r.offline_number: r.sale.number for r in results} == {r.offline_number: r.sale.number for r in firsts}
    assert again.replayed
    assert again.sale.number == next(r.sale.number for r in firsts if r.offline_number == "T1-0000010")
    assert await Sale.count() == 2 and await OfflineSale.count() == 2
    assert await LedgerTxn.count().where(LedgerTxn.kind == "sale") == 2
    assert (await item_by_barcode(shop_id=goods.shop_id, barcode=goods.noodles)).on_hand == 39


async def test_a_key_sent_with_another_sale_or_a_number_with_another_key_is_refused_and_changes_nothing(goods,
                                                                                                     settings):
    # given one offline sale arrived
    now = datetime.now(UTC)
    await offline(goods, settings, (goods.noodles, 1, 1250), made_at=now, number="T1-0000020", key="offline-key-20")
    # when its key comes with another sale, or its number with another key
    with pytest.raises(DomainError) as reused:
        await offline(goods, settings, (goods.noodles, 2, 1250), made_at=now, number="T1-0000020",
                      key="offline-key-20")
    with pytest.raises(DomainError) as taken:
        await offline(goods, settings, (goods.noodles, 1, 1250), made_at=now, number="T1-0000020",
                      key="offline-key-21")
    # then both are refused, and nothing more was written
    assert reused.value.code == OfflineError.OFFLINE_KEY_REUSED
    assert taken.value.code == OfflineError.OFFLINE_NUMBER_TAKEN
    assert await Sale.count() == 1 and await OfflineSale.count() == 1


@pytest.mark.parametrize("change, code", [
    (dict(number="T2-0000001"), OfflineError.BAD_OFFLINE_NUMBER),
    (dict(number="T1-123"), OfflineError.BAD_OFFLINE_NUMBER),
    (dict(made_at=lambda: datetime.now(UTC) + timedelta(minutes=10)), OfflineError.BAD_MADE_AT),
    (dict(made_at=lambda: datetime.now(UTC) - MAX_AGE - timedelta(hours=1)), OfflineError.BAD_MADE_AT),
    (dict(made_at=lambda: datetime.now()), OfflineError.BAD_MADE_AT),  # no offset
    (dict(lines=[("6901234500011", 1, -1)]), OfflineError.BAD_CHARGED_PRICE),
    (dict(lines=[("6901234500011", 1, 100_000_001)]), OfflineError.BAD_CHARGED_PRICE),
    (dict(lines=[("6901234500011", 0, 1250)]), "bad-quantity"),
    (dict(lines=[("6901234500012", 1, 1250)]), "bad-check-digit"),
    (dict(lines=[]), SaleError.EMPTY_CART),
    (dict(cash=1000), SaleError.NOT_ENOUGH_CASH),
    (dict(key="bad key!"), "bad-idempotency-key"),
])
async def test_a_malformed_offline_sale_is_refused_and_changes_nothing(goods, settings, change, code):
    # given a well-formed sale, with one thing wrong
    request = dict(lines=[(goods.noodles, 1, 1250)], made_at=datetime.now(UTC), number="T1-0000030") | change
    if callable(request["made_at"]):  # a time near the bounds is taken when the test runs, not when it is collected
        request["made_at"] = request["made_at"]()
    # when it arrives / then it is refused with its reason, and nothing is written
    with pytest.raises(DomainError) as refused:
        await offline(goods, settings, *request.pop("lines"), **request)
    assert str(refused.value.code) == str(code)
    assert await Sale.count() == 0 and await OfflineSale.count() == 0


async def test_a_sale_of_an_unknown_code_is_held_whole_then_sold_once_the_item_is_in_the_catalogue(goods, settings):
    # given a sale made offline of noodles and of goods whose code the shop does not know
    made_at = datetime.now(UTC)
    held = await offline(goods, settings, (goods.noodles, 1, 1250), (UNKNOWN, 2, 800), made_at=made_at,
                         number="T1-0000040", cash=5000, key="offline-held-40")
    # then it is held, kept whole, not a sale: no stock moved, nothing in the ledger yet
    assert (held.status, held.reason, held.detail, held.sale) == (Status.HELD, Held.UNKNOWN_BARCODE, UNKNOWN, None)
    assert await Sale.count() == 0
    (listed,) = await to_settle(shop_id=goods.shop_id)
    assert (listed.total_fen, listed.cash_given_fen, listed.session_open) == (2850, 5000, True)
    assert [(l.barcode, l.quantity, l.unit_price_fen) for l in listed.lines] == [
        (goods.noodles, 1, 1250), (UNKNOWN, 2, 800)]
    figures = await session_figures(shop_id=goods.shop_id, session_id=goods.session_id)
    assert (figures.offline_count, figures.offline_held, figures.sales_count) == (1, 1, 0)
    # and the same journal sent again answers the same
    again = await offline(goods, settings, (goods.noodles, 1, 1250), (UNKNOWN, 2, 800), made_at=made_at,
                          number="T1-0000040", cash=5000, key="offline-held-40")
    assert (again.replayed, again.status, again.reason, again.id) == (True, Status.HELD, Held.UNKNOWN_BARCODE, held.id)
    assert await OfflineSale.count() == 1
    # when the manager settles it while the code is still unknown, it is refused
    with pytest.raises(DomainError) as unknown:
        await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                          rules=till_rules(settings))
    assert unknown.value.code == OfflineError.STILL_UNKNOWN
    # when the item is added to the catalogue (at ¥9.00) and the manager settles it
    food = (await run(Sale._meta.db, "SELECT id FROM category WHERE code = 'food'"))[0]["id"]
    await add_item(shop_id=goods.shop_id, barcode=UNKNOWN, name="绿豆 1kg", category_id=food, price_fen=900,
                   quantity=5)
    settled = await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                                rules=till_rules(settings))
    # then it is a sale of its time, in its session, at the prices charged (the ¥8.00 logged as an offline price)
    assert settled.status == Status.SETTLED and settled.settle == (Differed.OFFLINE_PRICE,)
    sale = settled.sale
    assert (sale.created_at, sale.total_fen, sale.change_fen) == (held.made_at, 2850, 2150)
    assert (await Sale.select(Sale.session).where(Sale.id == sale.id).first())["session"] == goods.session_id
    assert await to_settle(shop_id=goods.shop_id) == []
    assert (await session_figures(shop_id=goods.shop_id, session_id=goods.session_id)).expected_cash_fen == 2850
    # and settling it again is refused
    with pytest.raises(DomainError) as twice:
        await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                          rules=till_rules(settings))
    assert twice.value.code == OfflineError.NOT_TO_SETTLE


async def test_a_sale_arriving_after_its_session_closed_is_held_and_its_write_off_explains_the_overage(goods, settings):
    # given a till opened two hours ago, a sale made on it offline half an hour ago, and the till closed since,
    # its drawer counted with that sale's ¥12.50 in it (booked as over)
    t2, session_id = await till_opened(goods, "T2", ago=timedelta(hours=2))
    made_at = datetime.now(UTC) - timedelta(minutes=30)
    closed = await close_session(shop_id=goods.shop_id, till_id=t2, staff_id=goods.cashier_id, counted_fen=1250)
    assert closed.over_short_fen == 1250
    # when the sale arrives
    held = await offline(goods, settings, (goods.noodles, 1, 1250), made_at=made_at, number="T2-0000001",
                         till_id=t2, till_code="T2")
    # then it is held: a late sale must not change the expected cash of a session already counted
    assert (held.status, held.reason) == (Status.HELD, Held.SESSION_CLOSED)
    assert (await session_figures(shop_id=goods.shop_id, session_id=session_id)).offline_held == 1
    # when the manager writes it off without a reason, it is refused; with one, it is in the ledger
    with pytest.raises(DomainError) as no_reason:
        await write_off_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id, reason="  ")
    assert no_reason.value.code == OfflineError.WRITE_OFF_REASON
    done = await write_off_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                                reason="顾客已拿走面条，条码贴错")
    # then the overage is explained: the cash counted is booked to the offline settlement account
    assert done.status == Status.WRITTEN_OFF
    assert await ledger.balance(ledger.CASH_OVER_SHORT) == 0
    assert await ledger.balance(OFFLINE_SETTLEMENT) == -1250
    assert await Sale.count() == 0 and await to_settle(shop_id=goods.shop_id) == []


async def test_a_held_sale_of_a_closed_session_settled_as_a_sale_takes_its_cash_from_the_overage(goods, settings):
    # given a sale of an unknown code made offline on a till closed since with its cash counted
    t2, session_id = await till_opened(goods, "T2", ago=timedelta(hours=2))
    made_at = datetime.now(UTC) - timedelta(minutes=30)
    held = await offline(goods, settings, (UNKNOWN, 1, 800), made_at=made_at, number="T2-0000002", till_id=t2,
                         till_code="T2")
    await close_session(shop_id=goods.shop_id, till_id=t2, staff_id=goods.cashier_id, counted_fen=800)
    food = (await run(Sale._meta.db, "SELECT id FROM category WHERE code = 'food'"))[0]["id"]
    await add_item(shop_id=goods.shop_id, barcode=UNKNOWN, name="绿豆 1kg", category_id=food, price_fen=800,
                   quantity=3)
    # when the manager makes it a sale
    settled = await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                                rules=till_rules(settings))
    # then it is a sale of that session and time; its cash is the overage the count booked; nothing differed
    assert settled.settle == () and settled.sale.total_fen == 800
    assert await ledger.balance(ledger.CASH_OVER_SHORT) == 0
    assert await ledger.balance(ledger.till_cash(t2)) == 0
    assert (await item_by_barcode(shop_id=goods.shop_id, barcode=UNKNOWN)).on_hand == 2


async def test_a_held_sale_written_off_while_its_session_is_open_adds_its_cash_to_the_drawer(goods, settings):
    held = await offline(goods, settings, (UNKNOWN, 1, 800), made_at=datetime.now(UTC), number="T1-0000050",
                         cash=1000)
    await write_off_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id, reason="无法识别")
    figures = await session_figures(shop_id=goods.shop_id, session_id=goods.session_id)
    assert (figures.expected_cash_fen, figures.sales_count, figures.offline_held) == (800, 0, 0)
    assert await ledger.balance(OFFLINE_SETTLEMENT) == -800


async def test_verify_finds_a_written_off_offline_sale_that_disagrees_with_the_ledger(goods, settings):
    # given a held sale written off
    held = await offline(goods, settings, (UNKNOWN, 1, 800), made_at=datetime.now(UTC), number="T1-0000060")
    await write_off_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id, reason="无法识别")
    assert await verify() == []
    # when its amount is changed behind the shop's back / then verify says so
    db = Sale._meta.db
    await run(db, "UPDATE offline_sale SET total_fen = 900 WHERE id = $1", held.id)
    problems = await verify()
    assert any("T1-0000060" in p and "written-off" in p for p in problems), problems
    # and a held sale that claims to be sold without a sale
    await run(db, "UPDATE offline_sale SET total_fen = 800, status = 'sold' WHERE id = $1", held.id)
    assert any("T1-0000060" in p for p in await verify())
    await run(db, "UPDATE offline_sale SET status = 'written-off' WHERE id = $1", held.id)


async def test_a_partial_return_of_an_offline_sale_every_figure_agrees_with_the_ledger(goods, settings):
    # given a sale made offline an hour ago on a till opened before, at a price charged below the catalogue's
    t2, session_id = await till_opened(goods, "T2", ago=timedelta(hours=3))
    made_at = datetime.now(UTC) - timedelta(hours=1)
    result = await offline(goods, settings, (goods.noodles, 4, 1000), (goods.coasters, 2, 500), made_at=made_at,
                           number="T2-0000003", till_id=t2, till_code="T2", cash=10000)
    # when two of the noodles come back at that till
    found = await sale_for_return(shop_id=goods.shop_id, number=result.sale.number)
    noodles = next(line for line in found.lines if line.barcode == goods.noodles)
    back = await commit_return(shop_id=goods.shop_id, till_id=t2, cashier_id=goods.cashier_id,
                               sale=result.sale.number, lines=[ReturnRequestLine(noodles.id, 2)],
                               idempotency_key="offline-return-1")
    # then the X report, the read model and the period's report agree with each other and with the ledger
    assert back.total_fen == 2000
    figures = await session_figures(shop_id=goods.shop_id, session_id=session_id)
    assert (figures.gross_fen, figures.refunds_fen, figures.net_fen) == (5000, 2000, 3000)
    assert (figures.cash_sales_fen, figures.cash_refunds_fen, figures.expected_cash_fen) == (5000, 2000, 3000)
    assert figures.offline_count == 1
    assert figures.expected_cash_fen == await ledger.balance(ledger.till_cash(t2))
    assert figures.fund_fen + figures.maker_fen + figures.running_fen == figures.net_fen
    net = await sold_totals(shop_id=goods.shop_id)
    assert net.fund_fen == -await ledger.balance(ledger.FUND)
    assert net.maker_fen == -await ledger.balance(ledger.maker_payable(goods.maker_id)) == 800
    # (the sale's day to today: an hour ago may be yesterday in the shop's zone)
    period = period_of("custom", made_at.astimezone(settings.zone).date(), datetime.now(settings.zone).date())
    for dimension in ("till", "category"):
        totals = (await report(shop_id=goods.shop_id, period=period, dimension=dimension, zone=settings.zone)).totals
        assert (totals.sales, totals.refund_fen, totals.net_fen, totals.fund_fen, totals.maker_fen) == (
            1, 2000, 3000, figures.fund_fen, 800)


# -- rules about money, for any sale the till may send ------------------------------------------------------------

charged_lines = st.lists(st.tuples(st.sampled_from(["noodles", "book", "coasters", "coat"]), st.integers(1, 4),
                                   st.integers(0, 5000)), min_size=1, max_size=4)


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=charged_lines, extra_cash=st.integers(0, 10_000))
async def test_any_offline_sale_is_sold_exactly_as_charged_and_booked_whole(goods, settings, lines, extra_cash):
    # given a sale as any till may have charged it offline (the books are not emptied between examples)
    charged = [(goods.codes[name], quantity, price) for name, quantity, price in lines]
    total = sum(quantity * price for _, quantity, price in charged)
    fund_before = await ledger.balance(ledger.FUND)
    cash_before = await ledger.balance(ledger.till_cash(goods.till_id))
    # when it arrives
    result = await offline(goods, settings, *charged, made_at=datetime.now(UTC),
                           number=f"T1-{uuid.uuid4().int % 10_000_000:07d}", cash=total + extra_cash)
    # then its total is what was charged, each line's value its price charged × quantity, split whole;
    sale = result.sale
    assert sale.total_fen == total and sale.change_fen == extra_cash
    stored = await SaleLine.select().where(SaleLine.sale == sale.id)
    assert sum(l["value_fen"] for l in stored) == total
    assert all(l["value_fen"] == l["unit_price_fen"] * l["quantity"] for l in stored)
    assert all(l["fund_fen"] + l["maker_fen"] + l["running_fen"] == l["value_fen"] for l in stored)
    # the drawer took the total, the fund its share, and a difference from the catalogue is always listed
    assert await ledger.balance(ledger.till_cash(goods.till_id)) - cash_before == total
    assert fund_before - await ledger.balance(ledger.FUND) == sale.fund_fen
    prices = {goods.noodles: 1250, goods.book: 1200, goods.coasters: 500, goods.coat: 3500}
    assert (Differed.OFFLINE_PRICE in result.settle) == any(price != prices[code] for code, _, price in charged)


@given(lines=st.lists(st.tuples(st.sampled_from(["6901234500011", "2000000000015"]), st.integers(1, 99),
                                st.integers(0, 10**6)), min_size=1, max_size=5),
       cash=st.integers(0, 10**8), price=st.integers(0, 10**6))
def test_the_digest_of_an_offline_sale_changes_with_anything_it_says(lines, cash, price):
    made_at = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    charged = [ChargedLine(*line) for line in lines]
    digest = request_digest(till_id=1, offline_number="T1-0000001", made_at=made_at, lines=charged,
                            cash_given_fen=cash)
    assert digest == request_digest(till_id=1, offline_number="T1-0000001", made_at=made_at.astimezone(),
                                    lines=list(charged), cash_given_fen=cash)
    assert charged_total(charged) == sum(l.quantity * l.unit_price_fen for l in charged)
    if price != charged[0].unit_price_fen:
        other = [ChargedLine(charged[0].barcode, charged[0].quantity, price), *charged[1:]]
        assert request_digest(till_id=1, offline_number="T1-0000001", made_at=made_at, lines=other,
                              cash_given_fen=cash) != digest
    assert request_digest(till_id=1, offline_number="T1-0000001", made_at=made_at, lines=charged,
                          cash_given_fen=cash + 1) != digest


def test_an_offline_number_and_time_are_checked():
    assert check_offline_number(" t1-0000123 ", till_code="T1") == "T1-0000123"
    for bad in ("T1-000012", "T2-0000123", "T1-00001234", "T10000123", ""):
        with pytest.raises(DomainError):
            check_offline_number(bad, till_code="T1")
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert check_made_at(now + timedelta(minutes=4), now=now) == now + timedelta(minutes=4)
    with pytest.raises(DomainError):
        check_made_at(now + timedelta(minutes=6), now=now)


@pytest.mark.parametrize("width", [32, 48])
def test_an_offline_receipt_prints_its_mark_and_time_near_the_top_on_either_paper(width):
    from printing.documents import Receipt, ReceiptLine, render_receipt
    from printing.layout import columns
    from tests.printing.escpos_decode import decode

    labels = {"sale_number": "单号", "time": "时间", "cashier": "收银员", "total": "合计", "cash": "现金",
              "change": "找零", "fund_share": "本次购物为社区慈善基金贡献 {amount}", "offline": "离线销售"}
    receipt = Receipt(shop_name="爱心超市", shop_address="", sale_number="S00000042", time="2026-12-06 14:05",
                      cashier="小张", lines=(ReceiptLine("红烧牛肉面", 1, 1250, 1250),), total_fen=1250,
                      cash_given_fen=1250, change_fen=0, fund_fen=0, labels=labels, offline_at="2026-12-06 14:05")
    lines = [line.text for line in decode(render_receipt(receipt, width=width)).lines]
    marked = next(i for i, text in enumerate(lines) if "离线销售" in text)
    assert lines[marked].strip() == "离线销售 2026-12-06 14:05" and columns(lines[marked]) <= width
    assert marked < next(i for i, text in enumerate(lines) if text.startswith("单号"))
    plain = replace(receipt, offline_at="")
    assert not any("离线销售" in line.text for line in decode(render_receipt(plain, width=width)).lines)


async def test_a_sale_sent_online_whose_answer_was_lost_then_sent_from_the_journal_is_that_sale(goods, settings):
    from pos.checkout import CartLine, commit_sale

    # given a sale submitted online with its key, made, whose answer never reached the till
    online = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               lines=[CartLine(goods.noodles, 2)], cash_given_fen=3000,
                               idempotency_key="lost-answer-key", rules=till_rules(settings))
    # when the till sends it again from its offline journal, with the same key
    again = await offline(goods, settings, (goods.noodles, 2, 1250), made_at=datetime.now(UTC), number="T1-0000070",
                          key="lost-answer-key", cash=3000)
    # then it is that sale, not a second one; another total with that key is refused
    assert again.replayed and again.sale.number == online.number and again.settle == ()
    assert await Sale.count() == 1 and await OfflineSale.count() == 1
    with pytest.raises(DomainError) as other:
        await offline(goods, settings, (goods.noodles, 1, 1250), made_at=datetime.now(UTC), number="T1-0000071",
                      key="lost-answer-key")
    assert other.value.code == OfflineError.OFFLINE_KEY_REUSED
    assert await Sale.count() == 1 and await OfflineSale.count() == 1
