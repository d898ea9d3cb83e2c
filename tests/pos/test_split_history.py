"""The split of a sale made offline is the split of the time it was made (issue 18), on SQLite and PostgreSQL: a
category's own split and a maker's terms are kept with every change (who, when, from what, to what), and a sale that
arrives after a manager changed them, or a held one a manager settles later, is split by the ones in force then; an
online sale by the ones in force now. verify() finds a change history that does not chain."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from donations.makers import set_maker_terms, terms_changed_since, terms_changes_of
from donations.tables import MakerTermsChange
from inventory.catalogue import add_item, set_category_rules, split_changed_since, split_changes_of
from inventory.tables import CategoryRuleChange
from pos.checkout import CartLine, commit_sale
from pos.split import SplitRule, split_value
from pos.offline import ChargedLine, Held, Status, accept_offline_sale, charged_total, settle_held
from pos.tables import SaleLine
from pos.verify import verify
from shop import ledger
from shop.database import run
from tests.pos.till import till_rules
from tests.tampering import triggers_off

UNKNOWN = "6901234500028"  # a well-formed EAN-13 the test shop does not sell (yet)


def offline(goods, settings, *lines: tuple[str, int, int], made_at: datetime):
    charged = [ChargedLine(code, quantity, price) for code, quantity, price in lines]
    return accept_offline_sale(
        shop_id=goods.shop_id, till_id=goods.till_id, till_code="T1", cashier_id=goods.cashier_id,
        offline_number=f"T1-{uuid.uuid4().int % 10_000_000:07d}", made_at=made_at, idempotency_key=uuid.uuid4().hex,
        lines=charged, cash_given_fen=charged_total(charged), rules=till_rules(settings))


async def moment() -> datetime:
    """Now, with the clock moved on past it before anything else happens (a change is "after" it, strictly)."""
    now = datetime.now(UTC)
    await asyncio.sleep(0.01)
    return now


async def lines_of(sale_id: int) -> dict[str, tuple[int, int, int, int]]:
    """Each stored line of the sale: its code → (rule fund %, rule maker %, fund share, maker share)."""
    rows = await SaleLine.select().where(SaleLine.sale == sale_id)
    return {r["barcode"]: (r["rule_fund"], r["rule_maker"], r["fund_fen"], r["maker_fen"]) for r in rows}


async def test_an_offline_sale_made_before_a_category_split_changed_is_split_by_the_old_one(goods, settings):
    # given books with their own split of 50% to the fund; a book sold offline then; the manager sets 20% after it,
    # and a book sold offline after that
    before = await moment()
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=True, perishable=False,
                             fund_percent=20, maker_percent=0, by=goods.manager_id)
    after = await moment()
    fund = await ledger.balance(ledger.FUND)
    # when both arrive now
    first = await offline(goods, settings, (goods.book, 1, 1200), made_at=before)
    second = await offline(goods, settings, (goods.book, 1, 1200), made_at=after)
    # then the first is split by the old rule, the second by the new: on its lines and in the fund's account
    assert (first.status, second.status) == (Status.SOLD, Status.SOLD)
    assert await lines_of(first.sale.id) == {goods.book: (50, 0, 600, 0)}
    assert await lines_of(second.sale.id) == {goods.book: (20, 0, 240, 0)}
    assert (first.sale.fund_fen, second.sale.fund_fen) == (600, 240)
    assert fund - await ledger.balance(ledger.FUND) == 840
    # and an online sale now is split by the new one
    online = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               lines=[CartLine(goods.book, 1)], cash_given_fen=1200, idempotency_key=uuid.uuid4().hex,
                               rules=till_rules(settings))
    assert await lines_of(online.id) == {goods.book: (20, 0, 240, 0)}


async def test_a_split_cleared_since_gives_back_the_categorys_old_one_and_one_set_since_the_sources(goods, settings):
    # given clothes (donated: the source's 70%) given their own 40% after one coat sale was made, and books' own
    # 50% cleared (the source's 70% again) after a book sale was made
    made_at = await moment()
    await set_category_rules(shop_id=goods.shop_id, code="clothes", accepts_points=True, perishable=False,
                             fund_percent=40, maker_percent=0, by=goods.manager_id)
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=True, perishable=False,
                             fund_percent=None, maker_percent=None, by=goods.manager_id)
    # when the sale arrives
    sold = await offline(goods, settings, (goods.coat, 1, 3500), (goods.book, 1, 1200), made_at=made_at)
    # then each line has the rule of its time: the source's for the coat, the category's own for the book
    assert await lines_of(sold.sale.id) == {goods.coat: (70, 0, 2450, 0), goods.book: (50, 0, 600, 0)}


async def test_each_change_of_a_category_split_is_kept_with_who_and_when_and_no_change_is_not_one(goods):
    # given books at 50/0: their points rule changed (not the split), then the split twice, once by nobody known
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=False, perishable=False,
                             fund_percent=50, maker_percent=0, by=goods.manager_id)
    start = datetime.now(UTC)
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=False, perishable=False,
                             fund_percent=30, maker_percent=10, by=goods.manager_id)
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=False, perishable=False,
                             fund_percent=None, maker_percent=None)
    # then two changes are kept, newest first, each from what to what, who and when
    changes = await split_changes_of(shop_id=goods.shop_id)
    assert [(c.category, c.old_fund_percent, c.old_maker_percent, c.new_fund_percent, c.new_maker_percent, c.staff)
            for c in changes] == [("books", 30, 10, None, None, ""), ("books", 50, 0, 30, 10, "陈姐")]
    assert all(start <= c.at <= datetime.now(UTC) for c in changes)
    assert await CategoryRuleChange.count() == 2
    # and the split at a moment before both is the first one's old split
    books = (await run(CategoryRuleChange._meta.db, "SELECT id FROM category WHERE code = 'books'"))[0]["id"]
    assert await split_changed_since([books], start) == {books: (50, 0)}
    assert await split_changed_since([books], datetime.now(UTC)) == {}


async def test_an_offline_sale_made_before_a_makers_terms_changed_is_split_by_the_old_terms(goods, settings):
    # given coasters of a maker with no terms (handicraft: fund 10%, maker 80%): one sold offline, then the
    # manager gives the maker 20/70, one sold, then the terms cleared, and one sold
    first_at = await moment()
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=20, maker_percent=70,
                          by=goods.manager_id)
    second_at = await moment()
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=None, maker_percent=None,
                          by=goods.manager_id)
    third_at = await moment()
    fund, owed = await ledger.balance(ledger.FUND), await ledger.balance(ledger.maker_payable(goods.maker_id))
    # when all three arrive now, the last first
    third = await offline(goods, settings, (goods.coasters, 2, 500), made_at=third_at)
    first = await offline(goods, settings, (goods.coasters, 2, 500), made_at=first_at)
    second = await offline(goods, settings, (goods.coasters, 2, 500), made_at=second_at)
    # then each is split by the terms of its time, on its lines and in the ledger (fund, the maker's payable)
    assert await lines_of(first.sale.id) == {goods.coasters: (10, 80, 100, 800)}
    assert await lines_of(second.sale.id) == {goods.coasters: (20, 70, 200, 700)}
    assert await lines_of(third.sale.id) == {goods.coasters: (10, 80, 100, 800)}
    assert fund - await ledger.balance(ledger.FUND) == 400
    assert owed - await ledger.balance(ledger.maker_payable(goods.maker_id)) == 2300
    # and the maker's history says who changed them, when, from what to what
    history = await terms_changes_of(shop_id=goods.shop_id, maker_id=goods.maker_id)
    assert [(h.old_fund_percent, h.old_maker_percent, h.new_fund_percent, h.new_maker_percent, h.staff)
            for h in history] == [(20, 70, None, None, "陈姐"), (None, None, 20, 70, "陈姐")]
    coasters = (await run(MakerTermsChange._meta.db, "SELECT id FROM item WHERE barcode = $1",
                          goods.coasters))[0]["id"]
    assert await terms_changed_since([coasters], second_at) == {goods.maker_id: (20, 70)}
    # setting the same terms again is no change
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=None, maker_percent=None)
    assert await MakerTermsChange.count() == 2


async def test_a_held_sale_settled_after_the_split_changed_gets_the_split_of_its_time(goods, settings):
    # given a sale made offline of a book and of goods the shop does not know yet, held when it arrives
    made_at = await moment()
    held = await offline(goods, settings, (goods.book, 1, 1200), (UNKNOWN, 1, 800), made_at=made_at)
    assert (held.status, held.reason) == (Status.HELD, Held.UNKNOWN_BARCODE)
    # when the manager changes books' split, adds the goods as a book and settles the sale
    await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=True, perishable=False,
                             fund_percent=20, maker_percent=0, by=goods.manager_id)
    books = (await run(SaleLine._meta.db, "SELECT id FROM category WHERE code = 'books'"))[0]["id"]
    await add_item(shop_id=goods.shop_id, barcode=UNKNOWN, name="旧书一本", category_id=books, price_fen=800,
                   quantity=1)
    fund = await ledger.balance(ledger.FUND)
    settled = await settle_held(shop_id=goods.shop_id, offline_id=held.id, manager_id=goods.manager_id,
                                rules=till_rules(settings))
    # then both lines are split by books' split when the sale was made
    assert settled.status == Status.SETTLED
    assert await lines_of(settled.sale.id) == {goods.book: (50, 0, 600, 0), UNKNOWN: (50, 0, 400, 0)}
    assert fund - await ledger.balance(ledger.FUND) == 1000


async def test_verify_finds_a_split_history_that_does_not_chain(goods):
    # given books' split changed twice and the maker's terms once, by the shop's own operations
    for fund in (30, 40):
        await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=True, perishable=False,
                                 fund_percent=fund, maker_percent=0, by=goods.manager_id)
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=20, maker_percent=70)
    assert await verify() == []
    db = CategoryRuleChange._meta.db
    first = (await run(db, "SELECT MIN(id) AS id FROM category_rule_change"))[0]["id"]
    # when the first change is made to end elsewhere than the second starts (behind the shop's back)
    async with triggers_off(db, "category_rule_change"):
        await run(db, "UPDATE category_rule_change SET new_fund_percent = 35 WHERE id = $1", first)
    # then verify names it
    assert await verify() == [
        f"category books: its split change {first} ends at 35/0, but its next change {first + 1} starts from 30/0"]
    async with triggers_off(db, "category_rule_change"):
        await run(db, "UPDATE category_rule_change SET new_fund_percent = 30 WHERE id = $1", first)
    # when the maker's terms are changed without a change kept / then verify names the last change
    await run(db, "UPDATE maker SET fund_percent = 25 WHERE id = $1", goods.maker_id)
    (problem,) = await verify()
    assert problem.startswith(f"maker {goods.maker_id} 王阿姨: its split change ")
    assert problem.endswith("ends at 20/70, but its split now is 25/70")
    await run(db, "UPDATE maker SET fund_percent = 20 WHERE id = $1", goods.maker_id)
    assert await verify() == []


# -- any history of changes, any moment ---------------------------------------------------------------------------

splits = st.one_of(st.none(), st.integers(0, 100).flatmap(
    lambda fund: st.integers(0, 100 - fund).map(lambda maker: (fund, maker))))


@hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(splits, min_size=1, max_size=4), when=st.integers(0, 4))
async def test_any_history_of_splits_and_any_moment_give_the_split_in_force_then(goods, settings, history, when):
    # given food's split as it stands, then changed to each split of the history in turn, with a sale of noodles
    # made offline at one moment among those changes (the books are not emptied between examples)
    db = CategoryRuleChange._meta.db
    row = (await run(db, "SELECT id, fund_percent, maker_percent FROM category WHERE code = 'food'"))[0]
    in_force = [None if row["fund_percent"] is None else (row["fund_percent"], row["maker_percent"])]
    when = min(when, len(history))
    made_at = None
    for step, split in enumerate(history):
        if step == when:
            made_at = await moment()
        await set_category_rules(shop_id=goods.shop_id, code="food", accepts_points=True, perishable=False,
                                 fund_percent=split[0] if split else None, maker_percent=split[1] if split else None)
        in_force.append(split)
    made_at = made_at or await moment()
    # when the sale arrives
    sold = await offline(goods, settings, (goods.noodles, 1, 1250), made_at=made_at)
    # then it is split by food's split at that moment (purchased goods: 5% to the fund when it had none; no maker)
    then = in_force[when]
    rule_fund = 5 if then is None else then[0]
    assert await lines_of(sold.sale.id) == {
        goods.noodles: (rule_fund, 0, split_value(1250, SplitRule(rule_fund, 0)).fund_fen, 0)}
    # and the history read at that moment gives that split (absent: the split has been as it is now since)
    now = in_force[-1] or (None, None)
    assert (await split_changed_since([row["id"]], made_at)).get(row["id"], now) == (then or (None, None))
