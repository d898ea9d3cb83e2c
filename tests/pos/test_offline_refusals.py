"""Offline sales the server refused, reported by the till for a manager (pos/offline_refusals.py), on SQLite and
PostgreSQL: read leniently and kept whole, once per key however often and however concurrently reported, settled by a
manager with a note and nothing in the books changed; and a renumbered offline sale keeps the number it was printed
with (pos/offline.py printed_number, last_offline_number)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from inventory.catalogue import add_item
from pos.errors import OfflineError
from pos.offline import (
    ChargedLine, Differed, Status, accept_offline_sale, charged_total, last_offline_number, settle_held, to_settle,
)
from pos.offline_refusals import (
    MAX_REPORT_BYTES, RefusalStatus, charged, read_report, refusals_to_settle, report_refusal, settle_refusal,
)
from pos.tables import OfflineRefusal, OfflineSale, Sale
from pos.verify import verify
from shop.database import run
from shop.errors import DomainError
from shop.tables import LedgerTxn
from tests.pos.till import till_rules


def report(*, code="bad-made-at", key=None, number="T1-0000022", made_at="2027-01-01T10:00:00.000+08:00",
           lines=None, cash=1250, **extra) -> bytes:
    sale = {"till": "T1", "offline_number": number, "made_at": made_at,
            "idempotency_key": key or uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": lines if lines is not None else [{"barcode": "6901234500011", "quantity": 1,
                                                        "unit_price_fen": 1250}],
            "code": code, "detail": "服务器拒收：时间不可能", "params": {"made_at": made_at}, **extra}
    return json.dumps(sale).encode()


UNKNOWN = "6901234500028"  # a well-formed EAN-13 the test shop does not sell (yet)


async def books() -> tuple[int, int]:
    return await Sale.count(), await LedgerTxn.count()


# -- reading a report: lenient, bounded -----------------------------------------------------------------------------


def test_a_report_keeps_the_sale_whole_and_its_refusal():
    # given a sale refused for its time, with a field the sale endpoint would refuse (points)
    raw = report(key="key-of-the-sale-1", points=10)
    # when it is read
    found = read_report(raw)
    # then the sale is kept whole (the refusal's own fields apart), its key is the sale's
    sale = json.loads(found.body)
    assert sale["points"] == 10 and sale["lines"][0]["unit_price_fen"] == 1250 and "code" not in sale
    assert (found.till_code, found.offline_number, found.made_at, found.key, found.code) == (
        "T1", "T1-0000022", "2027-01-01T10:00:00.000+08:00", "key-of-the-sale-1", "bad-made-at")
    assert found.detail == "服务器拒收：时间不可能"
    assert json.loads(found.params) == {"made_at": "2027-01-01T10:00:00.000+08:00"}


@pytest.mark.parametrize("sale", [
    {"idempotency_key": "no", "lines": "not lines", "cash_given_fen": -5, "made_at": 12, "offline_number": None},
    {"idempotency_key": ["x"], "lines": [{"quantity": 1.5}], "till": "T\u0000 9\n", "made_at": "\ud800"},
    {},
])
def test_a_malformed_sale_is_still_reported_under_its_hash_when_its_key_is_malformed(sale):
    found = read_report(json.dumps({**sale, "code": "malformed-request", "params": {"reason": "x", "n": 1.5}}).encode())
    assert len(found.key) == 64 and found.code == "malformed-request"
    assert json.loads(found.params) == {"reason": "x"}  # a float is no parameter a sentence takes
    assert found.key == read_report(json.dumps({**sale, "code": "other"}).encode()).key  # the same sale, the same key
    assert "\x00" not in found.till_code and "\n" not in found.till_code and "\ud800" not in found.made_at
    json.loads(found.body)  # JSON both engines take


@pytest.mark.parametrize("raw, code", [
    (b"{not json", OfflineError.BAD_REFUSAL),
    (b"[1, 2]", OfflineError.BAD_REFUSAL),
    (b'{"till": "T1"}', OfflineError.BAD_REFUSAL),  # no refusal code: not a report
    (b'{"code": "bad-made-at", "cash_given_fen": NaN}', OfflineError.BAD_REFUSAL),
    (b"[" * 5000 + b"]" * 5000, OfflineError.BAD_REFUSAL),
    (b'{"code": "x", "pad": "' + b"x" * MAX_REPORT_BYTES + b'"}', OfflineError.REFUSAL_TOO_LARGE),
])
def test_what_is_not_a_report_is_refused(raw, code):
    with pytest.raises(DomainError) as refused:
        read_report(raw)
    assert refused.value.code == code


def test_what_the_till_charged_is_its_lines_when_they_are_whole_numbers():
    assert charged([{"quantity": 2, "unit_price_fen": 1250}, {"quantity": 1, "unit_price_fen": 0}]) == 2500
    assert charged([]) == 0
    for lines in ([{"quantity": 1.5, "unit_price_fen": 100}], [{"quantity": True, "unit_price_fen": 1}], "x",
                  [{"quantity": 1}], [3]):
        assert charged(lines) is None


# -- kept once, listed, settled --------------------------------------------------------------------------------------


async def test_a_refused_sale_is_kept_once_per_key_from_two_tabs_at_once_and_listed_for_a_manager(goods):
    # given a refused sale and another, reported from two tabs at once, three times each
    first, second = read_report(report(key="refused-key-0001")), read_report(report(key="refused-key-0002",
                                                                                    number="T1-0000023"))
    before = await books()
    # when
    answers = await asyncio.gather(*(report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id, report=r)
                                     for _ in range(3) for r in (first, second)))
    # then each is kept once; the other reports answer the first, replayed
    assert await OfflineRefusal.count() == 2
    assert sorted(a.replayed for a in answers) == [False, False, True, True, True, True]
    assert len({a.id for a in answers}) == 2
    # and a second report of the key saying something else still answers the first
    again = await report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id,
                                 report=read_report(report(key="refused-key-0001", code="offline-key-reused")))
    assert again.replayed and again.code == "bad-made-at" and await OfflineRefusal.count() == 2
    # and the manager's list has both, in the order they arrived (the two tabs raced: either may be first), with
    # what the till charged and when it said it sold
    listed = await refusals_to_settle(shop_id=goods.shop_id)
    assert [r.id for r in listed] == sorted(a.id for a in answers if not a.replayed)
    listed.sort(key=lambda r: r.offline_number)
    assert [(r.offline_number, r.till_code, r.code, r.total_fen, r.cash_given_fen, r.cashier, r.status)
            for r in listed] == [("T1-0000022", "T1", "bad-made-at", 1250, 1250, "小张", "open"),
                                 ("T1-0000023", "T1", "bad-made-at", 1250, 1250, "小张", "open")]
    assert listed[0].made_at_time == datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
    # and nothing in the books was written
    assert await books() == before


async def test_a_manager_settles_a_refused_sale_with_a_note_and_the_books_do_not_change(goods):
    # given a refused sale kept for a manager
    kept = await report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id,
                                report=read_report(report(key="refused-key-0003")))
    before = await books()
    # when settled with no note, or too long a note / then refused, and it stays listed
    for note in ("", "   ", "x" * 201):
        with pytest.raises(DomainError) as refused:
            await settle_refusal(shop_id=goods.shop_id, refusal_id=kept.id, manager_id=goods.manager_id, note=note)
        assert refused.value.code == OfflineError.REFUSAL_NOTE
    assert [r.id for r in await refusals_to_settle(shop_id=goods.shop_id)] == [kept.id]
    # when settled with a note
    done = await settle_refusal(shop_id=goods.shop_id, refusal_id=kept.id, manager_id=goods.manager_id,
                                note="  顾客回店，  已在一号台重新销售 ")
    # then it is off the list, who, when and what kept; the books as they were
    assert (done.status, done.decided_by, done.note) == (RefusalStatus.SETTLED, "陈姐", "顾客回店， 已在一号台重新销售")
    assert done.decided_at is not None and await refusals_to_settle(shop_id=goods.shop_id) == []
    assert await books() == before
    # and it is settled once; another shop's or no row is not found
    with pytest.raises(DomainError) as twice:
        await settle_refusal(shop_id=goods.shop_id, refusal_id=kept.id, manager_id=goods.manager_id, note="again")
    assert twice.value.code == OfflineError.NOT_TO_SETTLE
    with pytest.raises(DomainError) as missing:
        await settle_refusal(shop_id=goods.shop_id + 1, refusal_id=kept.id, manager_id=goods.manager_id, note="x")
    assert missing.value.code == OfflineError.UNKNOWN_OFFLINE_SALE


async def test_a_refused_sale_is_never_deleted_and_verify_finds_a_settled_one_without_its_note(goods):
    kept = await report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id,
                                report=read_report(report(key="refused-key-0004")))
    db = OfflineRefusal._meta.db
    with pytest.raises(Exception, match="kept"):
        await run(db, "DELETE FROM offline_refusal WHERE id = $1", kept.id)
    # when a row is settled past the operation, with no manager or note / then verify() says so
    await run(db, "UPDATE offline_refusal SET status = 'settled' WHERE id = $1", kept.id)
    assert any("T1-0000022" in problem for problem in await verify())
    await run(db, "UPDATE offline_refusal SET decided_by = $2, decided_at = $3, note = 'fixed' WHERE id = $1",
              kept.id, goods.manager_id, datetime.now(UTC))
    assert await verify() == []


# -- renumbered: the number printed first ----------------------------------------------------------------------------


def _offline(goods, settings, *, number: str, key: str, printed: str = "", paper=None, barcode: str = ""):
    lines = [ChargedLine(barcode or goods.noodles, 1, 1250)]
    return accept_offline_sale(
        shop_id=goods.shop_id, till_id=goods.till_id, till_code="T1", cashier_id=goods.cashier_id,
        offline_number=number, made_at=datetime.now(UTC), idempotency_key=key,
        lines=lines, cash_given_fen=charged_total(lines), rules=till_rules(settings), printed_number=printed,
        paper=paper)


async def test_a_renumbered_sale_keeps_the_number_it_was_printed_with_and_is_listed_for_a_manager(goods, settings):
    # given a sale sold as T1-0000001, and another browser's sale printed T1-0000001, renumbered by its till
    await _offline(goods, settings, number="T1-0000001", key="renumber-key-0001")
    with pytest.raises(DomainError) as taken:
        await _offline(goods, settings, number="T1-0000001", key="renumber-key-0002")
    assert taken.value.code == OfflineError.OFFLINE_NUMBER_TAKEN
    # when it arrives as T1-0000002, printed T1-0000001
    printed = []

    class Paper:
        async def print_offline_sale(self, sale, *, made_at, number, printed_number=""):
            printed.append((number, printed_number))

    result = await _offline(goods, settings, number="T1-0000002", key="renumber-key-0002", printed="t1-0000001",
                            paper=Paper())
    # then it is sold, its first number kept and printed, and listed for a manager to see
    assert result.status == Status.SOLD and result.settle == (Differed.RENUMBERED,)
    assert printed == [("T1-0000002", "T1-0000001")]
    row = await OfflineSale.select(OfflineSale.printed_number).where(OfflineSale.id == result.id).first()
    assert row["printed_number"] == "T1-0000001"
    (listed,) = await to_settle(shop_id=goods.shop_id)
    assert (listed.offline_number, listed.printed_number, listed.detail) == ("T1-0000002", "T1-0000001", "renumbered")
    # and a sale sent with its own number as the printed one is no renumbered sale
    same = await _offline(goods, settings, number="T1-0000003", key="renumber-key-0003", printed="T1-0000003")
    assert same.settle == () and (await OfflineSale.select(OfflineSale.printed_number).where(
        OfflineSale.id == same.id).first())["printed_number"] is None
    # and a printed number not of this till's form is refused
    with pytest.raises(DomainError) as bad:
        await _offline(goods, settings, number="T1-0000004", key="renumber-key-0004", printed="T2-0000001")
    assert bad.value.code == OfflineError.BAD_OFFLINE_NUMBER


async def test_a_held_renumbered_sale_settled_later_still_says_it_was_renumbered(goods, settings):
    # given a sale of a code the shop did not know, held, renumbered by its till
    held = await _offline(goods, settings, number="T1-0000009", key="renumber-key-0009", printed="T1-0000005",
                          barcode=UNKNOWN)
    assert held.status == Status.HELD
    (listed,) = await to_settle(shop_id=goods.shop_id)
    assert (listed.status, listed.printed_number) == (Status.HELD, "T1-0000005")
    # when its item is in the catalogue and a manager makes it a sale
    food = (await run(Sale._meta.db, "SELECT id FROM category WHERE code = 'food'"))[0]["id"]
    await add_item(shop_id=goods.shop_id, barcode=UNKNOWN, name="绿豆 1kg", category_id=food, price_fen=1250,
                   quantity=5)
    settled = await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                                rules=till_rules(settings))
    # then it is a sale, and its record still says it was renumbered (its paper shows T1-0000005)
    assert settled.status == Status.SETTLED and settled.sale is not None
    row = await OfflineSale.select(OfflineSale.detail, OfflineSale.printed_number).where(
        OfflineSale.id == held.id).first()
    assert row == {"detail": "renumbered", "printed_number": "T1-0000005"}


async def test_the_till_counts_past_the_highest_number_the_server_has_and_a_refused_number_is_taken(goods, settings):
    # given no offline sale yet
    assert await last_offline_number(shop_id=goods.shop_id, till_id=goods.till_id, till_code="T1") == ""
    # when sales arrive, and a sale numbered further on is refused and reported (and another of a bad form)
    await _offline(goods, settings, number="T1-0000002", key="counting-key-0002")
    await _offline(goods, settings, number="T1-0000010", key="counting-key-0010")
    await report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id,
                         report=read_report(report(key="counting-key-0012", number="T1-0000012")))
    await report_refusal(shop_id=goods.shop_id, cashier_id=goods.cashier_id,
                         report=read_report(report(key="counting-key-0099", number="T1-00000ZZ")))
    # then the highest is the refused one's: it was printed on a customer's paper too
    assert await last_offline_number(shop_id=goods.shop_id, till_id=goods.till_id, till_code="T1") == "T1-0000012"
    # and another sale under that number is told to take the next one; the refused sale itself is not
    with pytest.raises(DomainError) as taken:
        await _offline(goods, settings, number="T1-0000012", key="counting-key-0013")
    assert taken.value.code == OfflineError.OFFLINE_NUMBER_TAKEN
    again = await _offline(goods, settings, number="T1-0000012", key="counting-key-0012")
    assert again.status == Status.SOLD
