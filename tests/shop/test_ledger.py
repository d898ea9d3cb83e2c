import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop import ledger
from shop.database import writing
from shop.errors import DomainError, ShopError
from shop.ledger import Currency, Entry, Txn
from shop.settings import ShopSettings
from shop.shops import ensure_shop
from shop.tables import LedgerEntry

amounts = st.integers(min_value=-10**9, max_value=10**9)


@given(st.lists(amounts, min_size=1, max_size=8))
def test_a_transaction_balances_when_its_entries_sum_to_zero_and_its_reversal_undoes_it(parts):
    entries = tuple(Entry(f"asset:x:{i}", Currency.CNY, a) for i, a in enumerate(parts))
    balanced = Txn("test", "r", entries + (Entry("income:y", Currency.CNY, -sum(parts)),))
    assert ledger.imbalance(balanced) == {}
    undo = ledger.reversal(balanced, 1, kind="test-reversal", ref="r")
    assert ledger.imbalance(undo) == {} and undo.reverses == 1
    assert [e.amount for e in undo.entries] == [-e.amount for e in balanced.entries]
    if sum(parts) != 0:
        assert ledger.imbalance(Txn("test", "r", entries)) == {Currency.CNY: sum(parts)}


def test_currencies_balance_separately():
    txn = Txn("test", "r", (Entry("a", Currency.CNY, 100), Entry("b", Currency.PTS, -100)))
    assert ledger.imbalance(txn) == {Currency.CNY: 100, Currency.PTS: -100}


async def test_post_refuses_an_unbalanced_transaction_and_writes_nothing(db):
    shop_id = await ensure_shop(ShopSettings(code="t"))
    with pytest.raises(DomainError) as caught:
        async with writing(db):
            await ledger.post(Txn("test", "x", (Entry("a", Currency.CNY, 5), Entry("b", Currency.CNY, -4))),
                              shop_id=shop_id)
    assert caught.value.code is ShopError.LEDGER_UNBALANCED
    assert await LedgerEntry.count() == 0


async def test_a_members_points_never_go_below_zero_and_a_refused_spend_leaves_nothing(db):
    shop_id = await ensure_shop(ShopSettings(code="t"))
    member = ledger.member_points(42)
    async with writing(db):
        await ledger.post(Txn("earn", "e1", (Entry("expense:service", Currency.PTS, 30),
                                             Entry(member, Currency.PTS, -30))), shop_id=shop_id)
    with pytest.raises(DomainError) as caught:
        async with writing(db):
            await ledger.post(Txn("spend", "s1", (Entry(member, Currency.PTS, 31),
                                                  Entry("income:shop:points", Currency.PTS, -31))), shop_id=shop_id)
    assert caught.value.code is ShopError.BALANCE_BELOW_ZERO
    assert await ledger.balance(member, Currency.PTS) == -30
    async with writing(db):
        await ledger.post(Txn("spend", "s2", (Entry(member, Currency.PTS, 30),
                                              Entry("income:shop:points", Currency.PTS, -30))), shop_id=shop_id)
    assert await ledger.balance(member, Currency.PTS) == 0
    assert await ledger.ledger_problems() == []
