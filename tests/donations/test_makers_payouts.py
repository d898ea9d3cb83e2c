"""Makers on both engines: consigned goods, what they are owed after sales, statements and payouts in the ledger."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from donations.makers import consign_goods, owed_to, record_payout, register_maker, set_maker_terms
from donations.tables import Consignment, MakerPayout
from inventory.barcodes import in_store_code
from inventory.tables import Item
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.maker_statements import maker_statement
from shop import ledger
from shop.errors import DomainError


async def sell(goods, settings, *lines, key):
    return await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(code, quantity) for code, quantity in lines], cash_given_fen=100_000,
                             idempotency_key=key, rules=till_rules(settings))


def wide_period():
    now = datetime.now(UTC)
    return now - timedelta(days=1), now + timedelta(days=1)


async def test_a_maker_brings_new_goods_and_more_of_the_same_and_they_are_theirs(goods):
    # given a new maker
    maker = await register_maker(shop_id=goods.shop_id, name="李师傅", phone="139-0000-1234")
    # when they bring ten paper-cuts, then five more of the same
    first = await consign_goods(shop_id=goods.shop_id, maker_id=maker, category_code="crafts", name="剪纸窗花",
                                price_fen=1000, quantity=10, staff_id=goods.manager_id)
    more = await consign_goods(shop_id=goods.shop_id, maker_id=maker, category_code="crafts", name="剪纸窗花",
                               price_fen=1000, quantity=5, staff_id=goods.manager_id, barcode=first.barcode)
    # then one item with the next in-store code holds 15, consigned to them
    assert first.barcode == in_store_code(4) and first.in_store and more.item_id == first.item_id
    item = await Item.select().where(Item.id == first.item_id).first()
    assert item["on_hand"] == 15
    assert (await Consignment.select().where(Consignment.item == first.item_id).first())["maker"] == maker


@pytest.mark.parametrize("kwargs, code", [
    ({"category_code": "clothes"}, "not-handicraft"),
    ({"category_code": "jewels"}, "unknown-category"),
    ({"price_fen": 0}, "bad-price"),
    ({"quantity": 0}, "bad-quantity"),
    ({"name": ""}, "bad-name"),
    ({"maker_id": 999}, "unknown-maker"),
    ({"barcode": in_store_code(88)}, "in-store-code-given"),
])
async def test_bad_consigned_goods_are_refused_and_nothing_saved(goods, kwargs, code):
    before = (await Item.count(), await Consignment.count())
    fields = dict(shop_id=goods.shop_id, maker_id=goods.maker_id, category_code="crafts", name="杯垫", price_fen=500,
                  quantity=1, staff_id=goods.manager_id)
    with pytest.raises(DomainError) as error:
        await consign_goods(**{**fields, **kwargs})
    assert str(error.value.code) == code
    assert (await Item.count(), await Consignment.count()) == before


async def test_another_makers_goods_cannot_be_restocked_under_this_maker(goods):
    other = await register_maker(shop_id=goods.shop_id, name="赵奶奶")
    with pytest.raises(DomainError) as error:
        await consign_goods(shop_id=goods.shop_id, maker_id=other, category_code="crafts", name="手工编织杯垫",
                            price_fen=500, quantity=3, staff_id=goods.manager_id, barcode=goods.coasters)
    assert str(error.value.code) == "not-their-goods"


async def test_sales_owe_the_maker_their_share_the_statement_says_so_and_a_payout_balances_the_books(goods, settings):
    # given two sales of the maker's coasters (¥5.00 each, maker's share 80%) and a coat that is not theirs
    await sell(goods, settings, (goods.coasters, 3), (goods.coat, 1), key="sale-key-0001")
    await sell(goods, settings, (goods.coasters, 1), key="sale-key-0002")
    # then the shop owes them 80% of ¥20.00
    assert await owed_to(goods.maker_id) == 1600
    start, end = wide_period()
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    assert [(e.kind, e.quantity, e.value_fen, e.rule_maker, e.owed_fen, e.balance_fen) for e in statement.entries] == [
        ("sale", 3, 1500, 80, 1200, 1200), ("sale", 1, 500, 80, 400, 1600)]
    assert (statement.opening_fen, statement.sold_pieces, statement.earned_fen, statement.closing_fen) == (0, 4, 1600, 1600)
    # when a manager pays ¥10.00 in cash
    await record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=1000, method="cash",
                        staff_id=goods.manager_id, note="十一月结算")
    # then ¥6.00 is still owed, the shop's cash box paid it, and the statement shows the payout
    assert await owed_to(goods.maker_id) == 600
    assert await ledger.balance("asset:shop:cash") == -1000
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    last = statement.entries[-1]
    assert (last.kind, last.owed_fen, last.balance_fen, last.description) == ("payout", -1000, 600, "十一月结算")
    assert (statement.paid_fen, statement.closing_fen, statement.owed_now_fen) == (1000, 600, 600)
    # and a statement that starts after the sales opens with what was owed then
    later = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=end, end=end + timedelta(days=1))
    assert (later.opening_fen, later.entries, later.closing_fen) == (600, (), 600)
    assert await ledger.ledger_problems() == []


async def test_a_return_is_on_the_statement_as_a_negative_entry_and_the_closing_balance_is_the_ledgers(goods, settings):
    from pos.maker_payouts import makers_owed
    from pos.returns import ReturnRequestLine, commit_return
    from pos.tables import SaleLine

    # given three coasters sold (¥15.00: the maker's 80% is ¥12.00), and one of them brought back
    sale = await sell(goods, settings, (goods.coasters, 3), (goods.coat, 1), key="sale-key-0001")
    line = await SaleLine.select(SaleLine.id).where(
        (SaleLine.sale == sale.id) & (SaleLine.barcode == goods.coasters)).first()
    back = await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(line["id"], 1)],
                               idempotency_key="return-key-0001", reason="不喜欢")
    # when the maker's statement is read
    start, end = wide_period()
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    # then the return is a negative entry with its number, and the figures are net of it
    assert [(e.kind, e.ref, e.quantity, e.value_fen, e.owed_fen, e.balance_fen) for e in statement.entries] == [
        ("sale", sale.number, 3, 1500, 1200, 1200), ("return", back.number, -1, -500, -400, 800)]
    assert (statement.sold_pieces, statement.sold_value_fen, statement.earned_fen, statement.paid_fen) == (
        2, 1000, 800, 0)
    assert statement.closing_fen == statement.owed_now_fen == -await ledger.balance(ledger.maker_payable(goods.maker_id))
    # and the makers' page: owed the ledger's ¥8.00, earned ¥8.00, paid nothing (the return is not a payout)
    (owed,) = await makers_owed(shop_id=goods.shop_id)
    assert (owed.owed_fen, owed.earned_fen, owed.paid_fen, owed.last_paid_at) == (800, 800, 0, None)
    # when ¥3.00 is paid out
    await record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=300, method="cash",
                        staff_id=goods.manager_id)
    (owed,) = await makers_owed(shop_id=goods.shop_id)
    assert (owed.owed_fen, owed.earned_fen, owed.paid_fen) == (500, 800, 300)
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    assert statement.closing_fen == 500 == -await ledger.balance(ledger.maker_payable(goods.maker_id))


async def test_a_payout_is_never_more_than_is_owed_even_two_at_once(goods, settings):
    await sell(goods, settings, (goods.coasters, 2), key="sale-key-0001")  # owed ¥8.00
    results = await asyncio.gather(*(record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=500,
                                                   method="transfer", staff_id=goods.manager_id) for _ in range(4)),
                                   return_exceptions=True)
    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(paid) == 1 and len(refused) == 3
    assert all(str(r.code) == "payout-too-large" for r in refused)
    assert await owed_to(goods.maker_id) == 300 and await MakerPayout.count() == 1


@pytest.mark.parametrize("amount, method, code", [
    (0, "cash", "bad-payout"), (-5, "cash", "bad-payout"), (100, "cheque", "bad-payout-method"),
    (10**6, "cash", "payout-too-large"),
])
async def test_a_bad_payout_changes_nothing(goods, amount, method, code):
    with pytest.raises(DomainError) as error:
        await record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=amount, method=method,
                            staff_id=goods.manager_id)
    assert str(error.value.code) == code
    assert await MakerPayout.count() == 0


async def test_a_makers_terms_change_later_sales_only(goods, settings):
    first = await sell(goods, settings, (goods.coasters, 1), key="sale-key-0001")
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=20, maker_percent=70)
    second = await sell(goods, settings, (goods.coasters, 1), key="sale-key-0002")
    assert (first.lines[0].rule_maker, first.lines[0].maker_fen) == (80, 400)
    assert (second.lines[0].rule_fund, second.lines[0].rule_maker, second.lines[0].maker_fen) == (20, 70, 350)
    for fund, maker in ((50, None), (60, 50), (-1, 10), (101, 0)):
        with pytest.raises(DomainError) as error:
            await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=fund, maker_percent=maker)
        assert str(error.value.code) == "bad-terms"


async def test_verify_names_a_payout_the_ledger_does_not_show(goods):
    from pos.verify import verify
    from shop.database import writing

    class Undo(Exception):
        pass

    with pytest.raises(Undo):  # the bad row exists only inside this transaction
        async with writing(MakerPayout._meta.db):
            await MakerPayout.insert(MakerPayout(shop=goods.shop_id, maker=goods.maker_id, amount_fen=100,
                                                 method="cash", ledger_txn=0, staff=goods.manager_id))
            problems = await verify()
            raise Undo
    # the payout is not in the ledger, so the maker's balance is not their earnings less their payouts either
    assert len(problems) == 2
    assert any(p.startswith("maker payout differs from its ledger transaction") for p in problems)
    assert (f"maker {goods.maker_id} earned ¥0.00 from their goods sold, net of returns, and was paid ¥1.00, but the "
            "ledger owes them ¥0.00") in problems
