"""One idempotent write for a sale, a return and a donation (shop/idempotency.py): the same key and request give
the first write back and write nothing; the same key with another request is refused in each writer's own words;
a malformed key is refused before anything; two submits of one key at once make one write."""

import asyncio
from datetime import date

import pytest

from donations.intake import GivenItem, register_donation
from donations.tables import Donation
from pos.checkout import CartLine, commit_sale
from pos.returns import ReturnRequestLine, commit_return
from pos.tables import Sale, SaleLine, SaleReturn
from shop.errors import DomainError, ShopError
from web.problems import status_of
from shop.idempotency import check_key
from tests.pos.till import till_rules


def test_a_key_is_8_to_64_letters_digits_dashes_and_underscores():
    for good in ("abcd1234", "A" * 64, "till-1_sale-0001"):
        assert check_key(good) == good
    for bad in ("", "short", "x" * 65, "has space", "中文中文中文中文", None):
        with pytest.raises(DomainError) as caught:
            check_key(bad)
        assert caught.value.code is ShopError.BAD_IDEMPOTENCY_KEY and status_of(caught.value) == 400


async def writers(goods, settings):
    """Each idempotent writer as (its table, write(key, variant), the code for a key reused)."""
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.noodles, 3)], cash_given_fen=5000, idempotency_key="sale-0000",
                             rules=till_rules(settings))
    line = (await SaleLine.select(SaleLine.id).where(SaleLine.sale == sale.id).first())["id"]

    def sell(key, variant):
        return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                           lines=[CartLine(goods.noodles, 1 + variant)], cash_given_fen=5000, idempotency_key=key,
                           rules=till_rules(settings))

    def take_back(key, variant):
        return commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             sale=sale.number, lines=[ReturnRequestLine(line, 1 + variant)], idempotency_key=key)

    def receive(key, variant):
        return register_donation(shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=None,
                                 idempotency_key=key, today=date(2026, 12, 1), items=[GivenItem(
                                     category="clothes", description="毛衣", condition="good", quantity=1 + variant,
                                     price_fen=1500)])

    return {"sale": (Sale, sell, "idempotency-key-reused"), "return": (SaleReturn, take_back, "return-key-reused"),
            "donation": (Donation, receive, "donation-key-reused")}


@pytest.mark.parametrize("writer", ["sale", "return", "donation"])
async def test_the_same_key_and_request_give_the_first_write_and_another_request_is_refused(goods, settings, writer):
    table, write, reused = (await writers(goods, settings))[writer]
    before = await table.count()
    # given
    first = await write("same-key-0001", 0)
    # when: the same submit again, then the key with another request
    again = await write("same-key-0001", 0)
    with pytest.raises(DomainError) as caught:
        await write("same-key-0001", 1)
    # then
    assert not first.replayed and again.replayed and again.id == first.id and again.number == first.number
    assert str(caught.value.code) == reused and status_of(caught.value) == 409
    assert caught.value.params == {"number": first.number}
    assert await table.count() == before + 1


@pytest.mark.parametrize("writer", ["sale", "return", "donation"])
async def test_a_malformed_key_is_refused_with_the_shops_code_and_nothing_written(goods, settings, writer):
    table, write, _ = (await writers(goods, settings))[writer]
    before = await table.count()
    with pytest.raises(DomainError) as caught:
        await write("bad key", 0)
    assert caught.value.code is ShopError.BAD_IDEMPOTENCY_KEY and str(caught.value.code) == "bad-idempotency-key"
    assert await table.count() == before


@pytest.mark.parametrize("writer", ["sale", "return", "donation"])
async def test_two_submits_of_one_key_at_once_make_one_write(goods, settings, writer):
    table, write, _ = (await writers(goods, settings))[writer]
    before = await table.count()
    results = await asyncio.gather(*(write("at-once-0001", 0) for _ in range(3)))
    assert len({r.id for r in results}) == 1 and sorted(r.replayed for r in results) == [False, True, True]
    assert await table.count() == before + 1
