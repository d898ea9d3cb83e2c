"""The community fund: its balance in cash and points per shop, its movements, cash disbursed by a manager with a
reason (never more than it holds, even two at once), and the points spent for households."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from pos.errors import FundError
from pos.fund import FundBalance, disburse_cash, disbursements, fund_balance, fund_movements, household_spending
from shop import ledger
from shop.errors import DomainError
from tests.pos.test_reports import sell_at


async def test_the_fund_holds_its_share_of_sales_and_a_disbursement_takes_cash_out(goods, settings):
    # given: a sale whose fund share is ¥24.50, and ¥3.00 of the fund's points spent for a household
    now = datetime.now(UTC)
    await sell_at(goods, settings, at=now, lines=[("clothes", "donated", 3500, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=now, lines=[("food", "purchased", 300, 1, 0, 5, 0)], points_fen=300, points=3,
                   household_ref="H-2026-017")
    assert await fund_balance(shop_id=goods.shop_id) == FundBalance(cash_fen=2450 + 15, points=0)
    # when: the manager gives ¥20.00 to a household, in cash
    txn = await disburse_cash(shop_id=goods.shop_id, amount_fen=2000, method="cash", reason="  困难户 王家  冬衣 ",
                              staff_id=goods.manager_id)
    # then
    balance = await fund_balance(shop_id=goods.shop_id)
    assert balance.cash_fen == 465
    assert await ledger.balance("asset:shop:cash") == -2000
    (paid,) = await disbursements(shop_id=goods.shop_id)
    assert (paid.txn_id, paid.amount_fen, paid.method, paid.reason, paid.staff) == (txn, 2000, "cash", "困难户 王家 冬衣", "陈姐")
    moved = {(m.kind, m.currency): (m.transactions, m.received, m.spent)
             for m in await fund_movements(shop_id=goods.shop_id, start=now - timedelta(hours=1),
                                           end=datetime.now(UTC) + timedelta(hours=1))}
    assert moved[("sale", "CNY")] == (2, 2465, 0)
    assert moved[("fund-disbursement", "CNY")] == (1, 0, 2000)
    assert moved[("sale", "PTS")] == (1, 0, 3)  # the fund's points spent at the till
    (household,) = await household_spending(shop_id=goods.shop_id, start=now - timedelta(hours=1),
                                             end=datetime.now(UTC) + timedelta(hours=1))
    assert (household.household_ref, household.points, household.amount_fen) == ("H-2026-017", 3, 300)


async def test_never_more_than_the_fund_holds(goods, settings):
    await sell_at(goods, settings, at=datetime.now(UTC),
                  lines=[("clothes", "donated", 1000, 1, 0, 70, 0)])  # fund ¥7.00
    with pytest.raises(DomainError) as caught:
        await disburse_cash(shop_id=goods.shop_id, amount_fen=701, method="transfer", reason="助学",
                            staff_id=goods.manager_id)
    assert caught.value.code is FundError.DISBURSEMENT_TOO_LARGE and caught.value.params["balance"] == 700
    assert await disbursements(shop_id=goods.shop_id) == []
    await disburse_cash(shop_id=goods.shop_id, amount_fen=700, method="transfer", reason="助学", staff_id=goods.manager_id)
    assert (await fund_balance(shop_id=goods.shop_id)).cash_fen == 0


async def test_two_managers_at_once_never_take_more_than_the_fund_holds(goods, settings):
    await sell_at(goods, settings, at=datetime.now(UTC),
                  lines=[("clothes", "donated", 1000, 1, 0, 70, 0)])  # fund ¥7.00

    async def spend():
        try:
            return await disburse_cash(shop_id=goods.shop_id, amount_fen=500, method="cash", reason="慰问",
                                       staff_id=goods.manager_id)
        except DomainError as error:
            return error.code

    results = await asyncio.gather(*(spend() for _ in range(4)))
    assert sorted(map(str, results)).count(str(FundError.DISBURSEMENT_TOO_LARGE)) == 3
    assert (await fund_balance(shop_id=goods.shop_id)).cash_fen == 200


@pytest.mark.parametrize("amount, method, reason, code", [
    (0, "cash", "x", FundError.BAD_DISBURSEMENT), (-5, "cash", "x", FundError.BAD_DISBURSEMENT),
    (True, "cash", "x", FundError.BAD_DISBURSEMENT), (100, "cheque", "x", FundError.BAD_DISBURSEMENT_METHOD),
    (100, "cash", "   ", FundError.DISBURSEMENT_REASON), (100, "cash", "长" * 65, FundError.DISBURSEMENT_REASON),
])
async def test_a_bad_disbursement_is_refused_and_changes_nothing(goods, amount, method, reason, code):
    with pytest.raises(DomainError) as caught:
        await disburse_cash(shop_id=goods.shop_id, amount_fen=amount, method=method, reason=reason,
                            staff_id=goods.manager_id)
    assert caught.value.code is code
    assert await disbursements(shop_id=goods.shop_id) == []


async def test_another_shops_fund_is_its_own(goods, settings):
    from shop.tables import Shop
    other = (await Shop.insert(Shop(code="other", name="另一家店")).returning(Shop.id))[0]["id"]
    await sell_at(goods, settings, at=datetime.now(UTC), lines=[("clothes", "donated", 1000, 1, 0, 70, 0)])
    assert (await fund_balance(shop_id=other)).cash_fen == 0
    with pytest.raises(DomainError):
        await disburse_cash(shop_id=other, amount_fen=100, method="cash", reason="x", staff_id=goods.manager_id)
